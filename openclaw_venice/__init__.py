"""Venice AI for OpenClaw-style agent runtimes.

``openclaw_venice.plugin:plugin`` is the ``venice`` entry point of ``openclaw.plugins``.
Importing this package is cheap: it loads nothing heavy and does no I/O; the names below
are imported on first use.

A turn from Python::

    from openclaw_venice import Context, UserMessage, VeniceChat

    with VeniceChat() as chat:  # key: VENICE_API_KEY
        reply = chat.complete_sync("venice/llama-3.3-70b", Context(messages=[UserMessage("Hi")]))
    print(reply.text)
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._version import __version__

_EXPORTS = {
    # the runtime's turn types
    "AssistantMessage": "runtime.ai",
    "AudioPart": "runtime.ai",
    "Context": "runtime.ai",
    "ImagePart": "runtime.ai",
    "StreamEvent": "runtime.ai",
    "TextPart": "runtime.ai",
    "ThinkingPart": "runtime.ai",
    "Tool": "runtime.ai",
    "ToolCallPart": "runtime.ai",
    "ToolResultMessage": "runtime.ai",
    "Usage": "runtime.ai",
    "UserMessage": "runtime.ai",
    "VideoPart": "runtime.ai",
    # Venice
    "StreamOptions": "chat.options",
    "VeniceOptions": "chat.options",
    "VeniceChat": "chat.client",
    "VeniceProvider": "provider",
    # the error tree
    "OpenClawError": "errors",
    "VeniceError": "errors",
    "VeniceAPIError": "errors",
    "VeniceConnectionError": "errors",
    "RequestRefused": "errors",
    "StreamFormatError": "errors",
    "AuthenticationError": "errors",
    "InsufficientBalanceError": "errors",
    "ModelNotFoundError": "errors",
    "RateLimitError": "errors",
    "E2EEError": "errors",
    "AttestationError": "errors",
    "SecretError": "errors",
}

__all__ = [
    "AssistantMessage",
    "AttestationError",
    "AudioPart",
    "AuthenticationError",
    "Context",
    "E2EEError",
    "ImagePart",
    "InsufficientBalanceError",
    "ModelNotFoundError",
    "OpenClawError",
    "RateLimitError",
    "RequestRefused",
    "SecretError",
    "StreamEvent",
    "StreamFormatError",
    "StreamOptions",
    "TextPart",
    "ThinkingPart",
    "Tool",
    "ToolCallPart",
    "ToolResultMessage",
    "Usage",
    "UserMessage",
    "VeniceAPIError",
    "VeniceChat",
    "VeniceConnectionError",
    "VeniceError",
    "VeniceOptions",
    "VeniceProvider",
    "VideoPart",
    "__version__",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # the next lookup skips this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:
    from .chat.client import VeniceChat
    from .chat.options import StreamOptions, VeniceOptions
    from .errors import (
        AttestationError,
        AuthenticationError,
        E2EEError,
        InsufficientBalanceError,
        ModelNotFoundError,
        OpenClawError,
        RateLimitError,
        RequestRefused,
        SecretError,
        StreamFormatError,
        VeniceAPIError,
        VeniceConnectionError,
        VeniceError,
    )
    from .provider import VeniceProvider
    from .runtime.ai import (
        AssistantMessage,
        AudioPart,
        Context,
        ImagePart,
        StreamEvent,
        TextPart,
        ThinkingPart,
        Tool,
        ToolCallPart,
        ToolResultMessage,
        Usage,
        UserMessage,
        VideoPart,
    )
