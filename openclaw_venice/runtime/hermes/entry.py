"""The ``hermes_agent.plugins`` entry point: every provider of the host, no install step.

A newer Hermes calls the entry point with no argument; Hermes 0.19 calls an enabled
entry-point plugin's ``register(ctx)``. ``register`` takes both.
"""

from __future__ import annotations

import importlib
from typing import Any

from ..host import Host


def register(ctx: Any = None) -> list[str]:
    """Register a Hermes profile for each provider the host loads that Hermes does not
    have from an installed plugin folder already; returns the names registered."""
    from .profile import register_profile

    registered = importlib.import_module("providers").get_provider_profile
    names = []
    for provider_id in sorted(Host().registry.providers):
        if registered(provider_id) is None:
            register_profile(provider_id)
            names.append(provider_id)
    return names


register.register = register  # type: ignore[attr-defined]
