"""Venice's branch of the error tree.

The whole tree, host and plugin::

    OpenClawError                      (openclaw_venice.runtime.errors)
    ├── UsageError, ConfigError(+Parse/Value), MissingVariableError, SecretError,
    │   PluginError, UnknownModelError
    └── ProviderError
        └── VeniceError                anything Venice-specific
            └── DiscoveryError         GET /models failed (caught: the bundle is used)

Messages are one line, say what to do next, and never contain the API key.
"""

from __future__ import annotations

from .runtime.errors import (
    ConfigError,
    ConfigParseError,
    ConfigValueError,
    MissingVariableError,
    OpenClawError,
    PluginError,
    ProviderError,
    SecretError,
    UnknownModelError,
    UsageError,
)

__all__ = [
    "ConfigError",
    "ConfigParseError",
    "ConfigValueError",
    "DiscoveryError",
    "MissingVariableError",
    "OpenClawError",
    "PluginError",
    "ProviderError",
    "SecretError",
    "UnknownModelError",
    "UsageError",
    "VeniceError",
]


class VeniceError(ProviderError):
    """Base of every Venice-specific failure."""


class DiscoveryError(VeniceError):
    """``GET /models`` gave no usable answer (after retries where they apply)."""
