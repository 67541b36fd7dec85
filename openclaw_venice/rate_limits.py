"""Venice's ``GET /api_keys/rate_limits`` and ``GET /api_keys/rate_limits/log``, as the host's
rate-limit records. Parsing is pure; the requests go through the wire.

A value of the wrong type in a row (a string amount, a missing model) leaves that value out,
as ``billing`` does for balances; an answer without its ``data`` is malformed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .runtime.plugins import Amount, RateLimit, RateLimitEvent, RateLimitLog, RateLimits
from .wire.client import CallLimits, malformed

if TYPE_CHECKING:
    from .runtime.plugins import ProviderContext, SecretStr
    from .wire.client import Wire
    from .wire.sync import LoopRunner

# a limit per model and kind: some hundred models, three kinds each, fit in well under 1 MB
LIMITS = CallLimits(timeout=15.0, max_bytes=2 * 1024 * 1024, max_retries=1)
LOG_LIMITS = CallLimits(timeout=15.0, max_bytes=1024 * 1024, max_retries=1)  # 50 entries


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and number >= 0 else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def parse_rate_limits(payload: Any, request_id: str | None = None) -> RateLimits:
    """A ``/api_keys/rate_limits`` answer (the spec's ``getApiKeyRateLimits``)."""
    data = payload.get("data") if isinstance(payload, Mapping) else None
    if not isinstance(data, Mapping) or not isinstance(data.get("rateLimits"), list):
        raise malformed("rate limits", request_id)
    limits = []
    for entry in data["rateLimits"]:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("rateLimits"), list):
            raise malformed("rate limits", request_id)
        model = _text(entry.get("apiModelId"))
        for limit in entry["rateLimits"]:
            kind = _text(limit.get("type")) if isinstance(limit, Mapping) else None
            amount = _number(limit.get("amount")) if isinstance(limit, Mapping) else None
            if kind is not None and amount is not None:
                limits.append(RateLimit(model, kind, amount))
    tier = data.get("apiTier")
    tier = tier if isinstance(tier, Mapping) else {}
    charged, permitted = tier.get("isCharged"), data.get("accessPermitted")
    balances = data.get("balances")
    balances = balances if isinstance(balances, Mapping) else {}
    return RateLimits(
        tuple(limits),
        tier=_text(tier.get("id")),
        pay_per_use=charged if isinstance(charged, bool) else None,
        access_permitted=permitted if isinstance(permitted, bool) else None,
        key_expires=_text(data.get("keyExpiration")),
        next_period=_text(data.get("nextEpochBegins")),
        balances=tuple(
            Amount(unit, value)
            for unit in ("USD", "DIEM")
            if (value := _number(balances.get(unit))) is not None
        ),
    )


def parse_rate_limit_log(payload: Any, request_id: str | None = None) -> RateLimitLog:
    """A ``/api_keys/rate_limits/log`` answer (``getApiKeyRateLimitLogs``), in its order.
    The API key's id in each entry is not kept: nothing shows it."""
    data = payload.get("data") if isinstance(payload, Mapping) else None
    if not isinstance(data, list):
        raise malformed("rate limit log", request_id)
    events = []
    for entry in data:
        if not isinstance(entry, Mapping):
            raise malformed("rate limit log", request_id)
        time, kind = _text(entry.get("timestamp")), _text(entry.get("rateLimitType"))
        if time is None or kind is None:
            continue
        events.append(
            RateLimitEvent(
                time, _text(entry.get("modelId")), kind, _text(entry.get("rateLimitTier"))
            )
        )
    return RateLimitLog(tuple(events))


async def rate_limits_with(wire: Wire, limits: CallLimits = LIMITS) -> RateLimits:
    answer = await wire.json("GET", "/api_keys/rate_limits", limits=limits)
    return parse_rate_limits(answer.payload, answer.request_id)


async def rate_limit_log_with(wire: Wire, limits: CallLimits = LOG_LIMITS) -> RateLimitLog:
    answer = await wire.json("GET", "/api_keys/rate_limits/log", limits=limits)
    return parse_rate_limit_log(answer.payload, answer.request_id)


class VeniceLimits:
    """The key's rate limits for Python callers: ``await provider.limits.get()`` (a
    :class:`RateLimits`), ``await provider.limits.log()`` (the recent times a limit was hit),
    and their ``*_sync`` forms. ``wire``: the wire of the provider's key (made on first use)."""

    def __init__(self, wire: Callable[[], Wire], runner: LoopRunner) -> None:
        self._wire, self._runner = wire, runner

    def __repr__(self) -> str:
        return "VeniceLimits()"

    async def get(self) -> RateLimits:
        return await rate_limits_with(self._wire())

    async def log(self) -> RateLimitLog:
        return await rate_limit_log_with(self._wire())

    def get_sync(self) -> RateLimits:
        return self._runner.run(self.get, "limits.get_sync", "await provider.limits.get()")

    def log_sync(self) -> RateLimitLog:
        return self._runner.run(self.log, "limits.log_sync", "await provider.limits.log()")


class VeniceRateLimits:
    """The ``rate_limits`` capability of the Venice provider."""

    async def rate_limits(self, ctx: ProviderContext, api_key: SecretStr) -> RateLimits:
        from .wire.config import wire_for

        async with wire_for(ctx, api_key) as wire:
            return await rate_limits_with(wire)

    async def rate_limit_log(self, ctx: ProviderContext, api_key: SecretStr) -> RateLimitLog:
        from .wire.config import wire_for

        async with wire_for(ctx, api_key) as wire:
            return await rate_limit_log_with(wire)
