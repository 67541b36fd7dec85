"""The account part of ``openclaw models status`` (balance, rate limits and the recent times
they were hit), for providers that registered those capabilities; the three are asked at once.

Fetching them never fails the command: a failure is one line (and ``{"error": ...}`` in JSON).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ..errors import OpenClawError

if TYPE_CHECKING:
    from ..host import Host
    from ..plugins import Provider
    from ..secrets import ResolvedKey


def account_status(host: Host, provider: Provider, key: ResolvedKey | None) -> dict[str, Any]:
    """``{"balance", "rateLimits", "rateLimitLog"}``: each the record's JSON, ``{"error":
    ...}``, or None when the provider has no such capability or no key is available."""
    names = ("balance", "rateLimits", "rateLimitLog")
    if key is None:
        return dict.fromkeys(names)
    ctx = host.provider_context(provider)
    offers = host.registry.offers
    calls: dict[str, Callable[[], Awaitable[Any]] | None] = {
        "balance": (lambda: host.registry.balance(provider.id).balance(ctx, key.value))
        if provider.id in offers("balance")
        else None,
        "rateLimits": (lambda: host.registry.rate_limits(provider.id).rate_limits(ctx, key.value))
        if provider.id in offers("rate_limits")
        else None,
        "rateLimitLog": (
            lambda: host.registry.rate_limits(provider.id).rate_limit_log(ctx, key.value)
        )
        if provider.id in offers("rate_limits")
        else None,
    }

    async def all_of() -> list[dict[str, Any] | list[Any] | None]:
        return list(await asyncio.gather(*(_one(provider.id, calls[n]) for n in names)))

    return dict(zip(names, asyncio.run(all_of()), strict=True))


async def _one(
    provider_id: str, call: Callable[[], Awaitable[Any]] | None
) -> dict[str, Any] | list[Any] | None:
    if call is None:
        return None
    try:
        record = await call()
    except OpenClawError as exc:
        return {"error": str(exc)}
    except Exception as exc:  # a provider's bug must not take the status down either
        return {"error": f"unexpected {type(exc).__name__} from the {provider_id} plugin"}
    shown: dict[str, Any] | list[Any] = record.to_json()
    if isinstance(shown, dict) and hasattr(record, "summary"):
        shown["summary"] = record.summary()
    return shown


def balance_line(info: dict[str, Any] | None) -> str | None:
    if info is None:
        return None
    if "error" in info:
        # its own clauses and parentheses follow a semicolon: no "(... (request id X))"
        return f"  balance: unavailable; {info['error']}"
    return f"  balance: {info['summary']}"


def limits_line(limits: Any, log: Any) -> str | None:
    """``  rate limits: tier paid (pay per use), 12 models limited; key never expires; 3 times
    over a limit recently (`openclaw limits --log`)``."""
    if limits is None:
        return None
    if "error" in limits:
        return f"  rate limits: unavailable; {limits['error']}"
    line = f"  rate limits: {limits['summary']}"
    if isinstance(log, list) and log:
        line += f"; {len(log)} time{'' if len(log) == 1 else 's'} over a limit recently"
        line += " (`openclaw limits --log`)"
    return line
