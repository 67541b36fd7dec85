"""What a provider reports about an account: its balance, its spend by model, its API key's
rate limits and the times it went over them.

Records of the ``balance``, ``usage`` and ``rate_limits`` capabilities (:mod:`.capabilities`);
loaded only by the commands that show them.
"""

# no `from __future__ import annotations`: a named tuple's string annotations are each
# compiled when the class is made (typing.ForwardRef); a class's own name is quoted instead
from collections.abc import Mapping
from typing import Any, NamedTuple


class Amount(NamedTuple):
    """One balance, e.g. ``Amount("USD", 25.0)``."""

    unit: str
    value: float


class Allocation(NamedTuple):
    """A budget that renews each ``period`` (e.g. Venice's DIEM epoch): ``remaining`` of
    ``total``."""

    unit: str
    remaining: float
    total: float
    period: str

    @property
    def used_percent(self) -> float:
        if self.total <= 0:
            return 0.0
        return min(100.0, max(0.0, (self.total - self.remaining) / self.total * 100))


class Balance(NamedTuple):
    amounts: tuple[Amount, ...]
    allocation: Allocation | None = None
    can_consume: bool | None = None
    currency: str | None = None  # what the next request is paid in

    def summary(self) -> str:
        """``USD 25.00, DIEM 90.50 (of 100 per epoch, 9% used); paying in DIEM``."""
        parts = []
        for amount in self.amounts:
            text = f"{amount.unit} {amount.value:,.2f}"
            a = self.allocation
            if a is not None and a.unit == amount.unit:
                text += f" (of {a.total:,.4g} per {a.period}, {a.used_percent:.0f}% used)"
            parts.append(text)
        line = ", ".join(parts) or "no balance reported"
        if self.currency:
            line += f"; paying in {self.currency}"
        if self.can_consume is False:
            line += "; requests cannot be paid for now"
        return line

    def to_json(self) -> dict[str, Any]:
        a = self.allocation
        return {
            "amounts": {x.unit: x.value for x in self.amounts},
            "allocation": None
            if a is None
            else {
                "unit": a.unit,
                "remaining": a.remaining,
                "total": a.total,
                "period": a.period,
                "usedPercent": round(a.used_percent, 2),
            },
            "canConsume": self.can_consume,
            "currency": self.currency,
        }


class UsageRow(NamedTuple):
    """What one model cost over the window: ``spend`` by currency, ``units`` of ``unit``."""

    model: str
    kind: str | None
    units: float
    unit: str
    spend: Mapping[str, float]


class UsageReport(NamedTuple):
    window: str  # e.g. "7d"
    rows: tuple[UsageRow, ...]

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for row in self.rows for c in row.spend))

    def totals(self) -> dict[str, float]:
        return {c: sum(row.spend.get(c, 0.0) for row in self.rows) for c in self.currencies}

    def to_json(self) -> dict[str, Any]:
        return {
            "window": self.window,
            "models": [
                {
                    "model": r.model,
                    "type": r.kind,
                    "units": r.units,
                    "unit": r.unit,
                    "spend": dict(r.spend),
                }
                for r in self.rows
            ],
            "totals": self.totals(),
        }


# -- rate limits (the ``rate_limits`` capability) ----------------------------------------------
class RateLimit(NamedTuple):
    """``amount`` of ``kind`` for ``model`` (None: the whole key): ``kind`` as the provider
    names it, e.g. ``RPM`` (requests a minute), ``RPD`` (a day), ``TPM`` (tokens a minute)."""

    model: str | None
    kind: str
    amount: float


class RateLimits(NamedTuple):
    """What an API key may do: its limits, its tier (``pay_per_use``: charged per request),
    whether it may use the inference API now, when it expires (None: never), when the
    provider's period (Venice's epoch) next begins, and its balances as the limits see them.
    Times are as the provider writes them."""

    limits: tuple[RateLimit, ...]
    tier: str | None = None
    pay_per_use: bool | None = None
    access_permitted: bool | None = None
    key_expires: str | None = None
    next_period: str | None = None
    balances: tuple[Amount, ...] = ()

    def by_model(self) -> dict[str | None, dict[str, float]]:
        """``{model: {kind: amount}}`` in the provider's order."""
        table: dict[str | None, dict[str, float]] = {}
        for limit in self.limits:
            table.setdefault(limit.model, {})[limit.kind] = limit.amount
        return table

    def kinds(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(limit.kind for limit in self.limits))

    def summary(self) -> str:
        """``tier paid (pay per use), 12 models limited; key never expires``."""
        parts = []
        if self.tier:
            paid = ""
            if self.pay_per_use is not None:
                paid = " (pay per use)" if self.pay_per_use else " (not charged)"
            parts.append(f"tier {self.tier}{paid}")
        models = len(self.by_model())
        parts.append(f"{models} model{'' if models == 1 else 's'} limited")
        line = ", ".join(parts)
        line += f"; key expires {self.key_expires}" if self.key_expires else "; key never expires"
        if self.access_permitted is False:
            line += "; this key may not use the inference API now"
        return line

    def to_json(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "payPerUse": self.pay_per_use,
            "accessPermitted": self.access_permitted,
            "keyExpires": self.key_expires,
            "nextPeriod": self.next_period,
            "balances": {a.unit: a.value for a in self.balances},
            "limits": [{"model": model, **amounts} for model, amounts in self.by_model().items()],
        }


class RateLimitEvent(NamedTuple):
    """A time the account went over a limit: ``kind`` as the provider names it (``RPM``,
    ``TPM``, ``RPD``, Venice's ``FAILED_REQUESTS`` ...)."""

    time: str
    model: str | None
    kind: str
    tier: str | None = None


class RateLimitLog(NamedTuple):
    """The most recent times the account went over a limit, as the provider orders them."""

    events: tuple[RateLimitEvent, ...]

    def to_json(self) -> list[dict[str, Any]]:
        return [
            {"time": e.time, "model": e.model, "limit": e.kind, "tier": e.tier} for e in self.events
        ]
