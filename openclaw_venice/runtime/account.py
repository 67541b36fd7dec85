"""What a provider reports about an account: its balance and its spend by model.

Records of the ``balance`` and ``usage`` capabilities (:mod:`.capabilities`); loaded only by
the commands that show them.
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
