"""The balance part of ``openclaw models status``, for providers that registered one.

Fetching it never fails the command: a failure is one line (and ``{"error": ...}`` in JSON).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from ..errors import OpenClawError

if TYPE_CHECKING:
    from ..host import Host
    from ..plugins import Provider
    from ..secrets import ResolvedKey


def balance_status(
    host: Host, provider: Provider, key: ResolvedKey | None
) -> dict[str, Any] | None:
    """``Balance.to_json()``, ``{"error": ...}``, or None when the provider has no balance
    capability or no key is available."""
    if key is None or provider.id not in host.registry.offers("balance"):
        return None
    capability = host.registry.balance(provider.id)
    try:
        balance = asyncio.run(capability.balance(host.provider_context(provider), key.value))
    except OpenClawError as exc:
        return {"error": str(exc)}
    except Exception as exc:  # a provider's bug must not take the status down either
        return {"error": f"unexpected {type(exc).__name__} from the {provider.id} plugin"}
    return {**balance.to_json(), "summary": balance.summary()}


def balance_line(info: dict[str, Any] | None) -> str | None:
    if info is None:
        return None
    if "error" in info:
        # its own clauses and parentheses follow a semicolon: no "(... (request id X))"
        return f"  balance: unavailable; {info['error']}"
    return f"  balance: {info['summary']}"
