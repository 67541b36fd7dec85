"""Venice's ``GET /billing/balance`` and ``GET /billing/usage-analytics``, as the host's
balance and usage records. Parsing is pure; the requests go through the wire.

A number that is not a finite, non-negative number (a string, NaN, -1) counts as not given,
as the TypeScript plugin's ``usage.ts`` does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .runtime.plugins import Allocation, Amount, Balance, UsageReport, UsageRow
from .wire.client import CallLimits, malformed

if TYPE_CHECKING:
    from .runtime.plugins import ProviderContext, SecretStr

BALANCE_LIMITS = CallLimits(timeout=10.0, max_bytes=1024 * 1024, max_retries=1)
USAGE_LIMITS = CallLimits(timeout=30.0, max_bytes=8 * 1024 * 1024, max_retries=2)
MAX_DAYS = 90  # Venice's limit for ``lookback``


def _amount(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and number >= 0 else None


def parse_balance(payload: Any, request_id: str | None = None) -> Balance:
    """A ``/billing/balance`` answer (see the spec's ``getBillingBalance``)."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("balances"), Mapping):
        raise malformed("balance", request_id)
    balances = payload["balances"]
    usd, diem = _amount(balances.get("usd")), _amount(balances.get("diem"))
    amounts = tuple(
        Amount(unit, value) for unit, value in (("USD", usd), ("DIEM", diem)) if value is not None
    )
    total = _amount(payload.get("diemEpochAllocation"))
    allocation = (
        Allocation("DIEM", diem, total, "epoch")
        if diem is not None and total is not None and total > 0
        else None
    )
    currency = payload.get("consumptionCurrency")
    can_consume = payload.get("canConsume")
    return Balance(
        amounts,
        allocation,
        can_consume if isinstance(can_consume, bool) else None,
        currency.strip().upper() if isinstance(currency, str) and currency.strip() else None,
    )


def parse_usage(payload: Any, request_id: str | None = None) -> UsageReport:
    """A ``/billing/usage-analytics`` answer: its ``byModel`` rows, highest spend first."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("byModel"), list):
        raise malformed("usage", request_id)
    rows = []
    for entry in payload["byModel"]:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("modelName"), str):
            raise malformed("usage", request_id)
        spend = {
            unit: value
            for unit, key in (("USD", "totalUsd"), ("DIEM", "totalDiem"))
            if (value := _amount(entry.get(key))) is not None
        }
        kind = entry.get("modelType")
        unit = entry.get("unitType")
        rows.append(
            UsageRow(
                model=entry["modelName"],
                kind=kind if isinstance(kind, str) else None,
                units=_amount(entry.get("totalUnits")) or 0.0,
                unit=unit if isinstance(unit, str) else "",
                spend=spend,
            )
        )
    window = payload.get("lookback")
    return UsageReport(window if isinstance(window, str) else "", tuple(rows))


def lookback(days: int) -> str:
    """Venice's ``lookback`` value (``^[1-9]\\d*d$``, at most 90 days)."""
    from .errors import UsageError

    if not 1 <= days <= MAX_DAYS:
        raise UsageError(f"--days must be 1 to {MAX_DAYS} (Venice keeps {MAX_DAYS} days)")
    return f"{days}d"


class VeniceBilling:
    """The ``balance`` and ``usage`` capabilities of the Venice provider."""

    async def balance(self, ctx: ProviderContext, api_key: SecretStr) -> Balance:
        from .wire.config import wire_for

        async with wire_for(ctx, api_key) as wire:
            answer = await wire.json("GET", "/billing/balance", limits=BALANCE_LIMITS)
        return parse_balance(answer.payload, answer.request_id)

    async def usage(self, ctx: ProviderContext, api_key: SecretStr, days: int) -> UsageReport:
        from .wire.config import wire_for

        params = {"lookback": lookback(days)}
        async with wire_for(ctx, api_key) as wire:
            answer = await wire.json(
                "GET", "/billing/usage-analytics", limits=USAGE_LIMITS, params=params
            )
        return parse_usage(answer.payload, answer.request_id)
