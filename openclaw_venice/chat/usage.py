"""Venice ``usage`` (and ``cost``) -> the runtime's :class:`Usage`. Pure.

Token split: Venice's spec calls ``prompt_tokens_details`` a *breakdown* of
``prompt_tokens`` (``cached_tokens`` = cache reads, ``cache_creation_input_tokens`` = cache
writes), so both are inside ``prompt_tokens``. The runtime, like OpenClaw, counts
``input`` as the uncached part only, so ``input + cache_read + cache_write`` is the prompt.
Should a provider ever report the cache counts on top of the prompt instead (their sum
exceeds it), ``prompt_tokens`` is taken as the uncached part rather than clamped to zero.

Cost: Venice's own ``cost`` wins (exact, after discounts). It is split by billing
currency, ``{usd, diem}``; 1 DIEM is $1 of credit (Venice prices every model at the same
rate in both), so the USD cost is their sum. Without it the cost is estimated from the
catalog's USD-per-million prices, using the model's extended tier once the prompt passes
its ``contextThreshold`` (Venice bills long prompts at a higher rate, e.g. Gemini above
200k tokens). A cache price Venice does not list is unknown: those tokens are priced as
input, so the estimate errs high, never low; a listed 0 is free.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..runtime.ai import Usage
from ..runtime.catalog import Cost, ModelInfo

__all__ = ["price_for", "usage_from", "venice_cost"]

_PER_MILLION = 1_000_000


def usage_from(raw: Mapping[str, Any], model: ModelInfo) -> Usage:
    """Usage of one turn from Venice's ``usage`` object, with ``cost`` merged in when Venice
    sent it (top level or inside ``usage``)."""
    prompt = _count(raw.get("prompt_tokens"))
    output = _count(raw.get("completion_tokens"))
    details = raw.get("prompt_tokens_details")
    details = details if isinstance(details, Mapping) else {}
    cache_read = _count(details.get("cached_tokens"))
    cache_write = _count(
        details.get("cache_creation_input_tokens", raw.get("cache_creation_input_tokens"))
    )
    cached = cache_read + cache_write
    uncached = prompt - cached if cached <= prompt else prompt
    total = _count(raw.get("total_tokens")) or uncached + cached + output
    cost = venice_cost(raw.get("cost"))
    if cost is None:
        price = price_for(model, uncached + cached)
        cost = (
            uncached * price.input
            + output * price.output
            + cache_read * price.cache_read_rate
            + cache_write * price.cache_write_rate
        ) / _PER_MILLION
    return Usage(uncached, output, cache_read, cache_write, total, cost)


def venice_cost(value: Any) -> float | None:
    """USD from Venice's ``cost: {usd, diem}``; None when absent or unreadable."""
    if not isinstance(value, Mapping):
        return None
    pair: tuple[Any, Any] = (value.get("usd"), value.get("diem"))
    numbers = [float(v) for v in pair if _is_number(v) and v >= 0]
    return sum(numbers) if numbers else None


def price_for(model: ModelInfo, prompt_tokens: int) -> Cost:
    """The catalog price that applies to a prompt of this size: by the model's
    ``tieredPricing`` when the config gives one, else by Venice's extended tier."""
    if model.cost.tiers:
        return model.cost.for_prompt(prompt_tokens)
    tier = model.extra.get("extendedCost")
    if isinstance(tier, Mapping):
        threshold: Any = tier.get("contextThreshold")
        if _is_number(threshold) and prompt_tokens > threshold:
            try:
                return Cost.from_json(tier)
            except (TypeError, ValueError):
                return model.cost  # a damaged tier: the base price is better than nothing
    return model.cost


def _count(value: Any) -> int:
    """A token count; anything that is not a non-negative number counts as 0 (usage is
    bookkeeping, not worth failing a finished turn over)."""
    if _is_number(value) and value > 0:
        return int(value)
    return 0


def _is_number(value: Any) -> bool:
    """A finite JSON number of sane size (JSON allows 1e999 and 10**400; floats don't)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) < 10**18
    return isinstance(value, float) and math.isfinite(value)
