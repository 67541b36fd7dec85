"""Venice's model catalog: the bundled records and the merge with live ``/models`` rows.

Merge rules (ids match exactly), after the TypeScript plugin:

* live rows decide which models exist and their order;
* a known id keeps the bundled name, reasoning and input (text, image), but audio and video
  input are what the live row's ``supportsAudioInput`` / ``supportsVideoInput`` say when it
  says (chat refuses them before sending elsewhere); the live row may only lower the
  limits: a smaller ``availableContextTokens`` is the context window, and maxTokens is
  ``min(maxCompletionTokens, context window, bundled max)`` over positive finite numbers;
  ``supportsFunctionCalling: false`` turns tools off and ``true`` never turns them back on;
* live prices (input, output, cache read/write, and the ``extended`` long-context tier)
  replace the bundled ones; 0 is a price; a schedule with one invalid rate is ignored whole;
* ``deprecation {date, replacementModelId}`` marks the row deprecated (tag
  ``deprecated→<successor>``);
* an unknown id is built from the row with defaults (128000 context, 4096 max tokens, a
  131072 hard cap);
* a row without ``model_spec`` keeps the bundled entry unchanged.

Everything here is pure except :func:`load_bundle`, which reads package data once.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeGuard

from .identity import PROVIDER_ID
from .profiles import venice_profile
from .runtime.catalog import Catalog, CatalogSource, Cost, Deprecation, ModelInfo

DEFAULT_CONTEXT_WINDOW = 128_000
DEFAULT_MAX_TOKENS = 4096
DISCOVERY_HARD_MAX_TOKENS = 131_072
_REASONING_HINTS = ("thinking", "reason", "r1")


@functools.cache
def load_bundle() -> Catalog:
    """The catalog shipped in the package (``data/catalog.json``), read once per process."""
    # the package's own file, read directly: importlib.resources costs tempfile and zipfile
    text = (Path(__file__).parent / "data" / "catalog.json").read_text("utf-8")
    entries = json.loads(text)["models"]
    records = [bundled_record(e) for e in entries]
    return Catalog(
        provider=PROVIDER_ID,
        source="bundled",
        models=tuple(r for r in records if not r.retired),
        retired=tuple(r for r in records if r.retired),
    )


def bundled_record(entry: Mapping[str, Any]) -> ModelInfo:
    """A bundled catalog entry (our own JSON shape) as a model record."""
    retired = entry.get("retired") or {}
    extra = {
        k: entry[k]
        for k in ("supportsWebSearch", "supportsResponseSchema", "extendedCost", "deprecation")
        if k in entry
    }
    replacement = retired.get("replacement")
    efforts = _mapping(entry.get("reasoningEffort")).get("options")
    profile = venice_profile(
        entry["id"],
        reasoning=bool(entry["reasoning"]),
        efforts=_strings(efforts),
        e2ee=entry.get("e2ee") is True,
    )
    deprecation, tags = _flags(extra, replacement is not None, profile.e2ee)
    return ModelInfo(
        id=entry["id"],
        name=entry["name"],
        provider=PROVIDER_ID,
        privacy=entry["privacy"],
        reasoning=bool(entry["reasoning"]),
        input=tuple(entry["input"]),
        context_window=int(entry["contextWindow"]),
        max_tokens=int(entry["maxTokens"]),
        supports_tools=bool(entry["supportsTools"]),
        cost=Cost.from_json(entry["cost"]),
        aliases=tuple(entry.get("aliases", ())),
        replacement=replacement,
        extra=extra,
        deprecation=deprecation,
        tags=tags,
        profile=profile,
    )


def _strings(values: Any) -> tuple[str, ...]:
    return tuple(v for v in values if isinstance(v, str)) if isinstance(values, list) else ()


def _flagged(model: ModelInfo) -> ModelInfo:
    """``model`` with its deprecation read from ``extra`` and its flag tags set afresh."""
    deprecation, tags = _flags(model.extra, model.retired, model.profile.e2ee)
    return model._replace(deprecation=deprecation, tags=tags)


def _flags(
    extra: Mapping[str, Any], retired: bool, e2ee: bool
) -> tuple[Deprecation | None, tuple[str, ...]]:
    """The deprecation notice in ``extra`` and the flag tags (e2ee, offline, deprecated,
    retired) of a model with that ``extra``."""
    notice = extra.get("deprecation")
    deprecation = None
    if isinstance(notice, Mapping) and not retired:
        date, successor = notice.get("date"), notice.get("replacement")
        deprecation = Deprecation(
            date if isinstance(date, str) and date else None,
            successor if isinstance(successor, str) and successor else None,
        )
    tags = []
    if e2ee:
        tags.append("e2ee")
    if extra.get("offline"):
        tags.append("offline")
    if deprecation is not None:
        successor = deprecation.replacement
        tags.append(f"deprecated→{successor}" if successor else "deprecated")
    if retired:
        tags.append("retired")
    return deprecation, tuple(tags)


def merge_catalog(rows: Iterable[Any], bundle: Catalog, source: CatalogSource = "live") -> Catalog:
    """Merge live ``/models`` rows into the bundle. Pure; malformed rows are skipped."""
    known = {m.id: m for m in (*bundle.models, *bundle.retired)}
    merged: dict[str, ModelInfo] = {}
    for row in rows:
        if not isinstance(row, Mapping) or not isinstance(row.get("id"), str) or not row["id"]:
            continue
        if row.get("type", "text") != "text" or row["id"] in merged:
            continue
        base = known.get(row["id"])
        spec = row.get("model_spec")
        if not isinstance(spec, Mapping):
            model = base._replace(replacement=None) if base else unknown_model(row["id"], {})
        elif base is not None:
            model = merge_known(base, spec)
        else:
            model = unknown_model(row["id"], spec)
        merged[model.id] = _flagged(model)
    retired = tuple(m for m in bundle.retired if m.id not in merged)
    unlisted = tuple(m for m in bundle.models if m.id not in merged)
    return Catalog(PROVIDER_ID, source, tuple(merged.values()), retired, unlisted=unlisted)


def listed_ids(rows: Iterable[Any]) -> frozenset[str]:
    """The ids :func:`merge_catalog` makes models of (each text row's), without merging."""
    return frozenset(
        row["id"]
        for row in rows
        if isinstance(row, Mapping) and isinstance(row.get("id"), str) and row["id"]
        and row.get("type", "text") == "text"
    )  # fmt: skip


def merge_known(base: ModelInfo, spec: Mapping[str, Any]) -> ModelInfo:
    """A bundled model updated by its live row: limits may only go down, prices and
    deprecation are what Venice says now."""
    caps = _mapping(spec.get("capabilities"))
    live_context = _positive(spec.get("availableContextTokens"))
    context = min(live_context, base.context_window) if live_context else base.context_window
    live_max = _positive(spec.get("maxCompletionTokens")) or base.max_tokens
    extra = {k: v for k, v in base.extra.items() if k != "deprecation"}
    pricing = _mapping(spec.get("pricing"))
    cost = _schedule(pricing)
    if cost is not None and "extended" not in pricing:  # Venice dropped the long-context tier
        extra.pop("extendedCost", None)
    extra.update(_live_extra(spec))
    efforts = _efforts(caps)
    profile = venice_profile(
        base.id,
        reasoning=base.reasoning,
        efforts=base.profile.reasoning_efforts if efforts is None else efforts,
        e2ee=base.profile.e2ee or caps.get("supportsE2EE") is True,
    )
    return base._replace(
        context_window=context,
        max_tokens=min(live_max, context, base.max_tokens),
        supports_tools=base.supports_tools and caps.get("supportsFunctionCalling") is not False,
        cost=cost or base.cost,
        privacy=_privacy(spec) or base.privacy,
        replacement=None,
        extra=extra,
        input=live_input(base.input, caps),
        profile=profile,
    )


_MEDIA_INPUTS = (("audio", "supportsAudioInput"), ("video", "supportsVideoInput"))


def live_input(base: tuple[str, ...], caps: Mapping[str, Any]) -> tuple[str, ...]:
    """``base`` with ``audio`` and ``video`` as the live capabilities say (kept as they were
    where a capability is not stated)."""
    kept = list(base)
    for word, key in _MEDIA_INPUTS:
        stated = caps.get(key)
        if stated is True and word not in kept:
            kept.append(word)
        elif stated is False and word in kept:
            kept.remove(word)
    return tuple(kept)


def unknown_model(model_id: str, spec: Mapping[str, Any]) -> ModelInfo:
    """A model the bundle does not know, described by its live row alone."""
    caps = _mapping(spec.get("capabilities"))
    lowered = model_id.lower()
    reasoning = caps.get("supportsReasoning") is True or any(h in lowered for h in _REASONING_HINTS)
    context = _positive(spec.get("availableContextTokens"))
    live_max = _positive(spec.get("maxCompletionTokens"))
    max_tokens = (
        min(live_max, context or DEFAULT_CONTEXT_WINDOW, DISCOVERY_HARD_MAX_TOKENS)
        if live_max is not None
        else DEFAULT_MAX_TOKENS
    )
    name = spec.get("name")
    return ModelInfo(
        id=model_id,
        name=name if isinstance(name, str) and name else model_id,
        provider=PROVIDER_ID,
        privacy=_privacy(spec),
        reasoning=reasoning,
        input=live_input(
            ("text", "image") if caps.get("supportsVision") is True else ("text",), caps
        ),
        context_window=context or DEFAULT_CONTEXT_WINDOW,
        max_tokens=max_tokens,
        supports_tools=caps.get("supportsFunctionCalling") is not False,
        cost=_schedule(_mapping(spec.get("pricing"))) or Cost(),
        extra=_live_extra(spec),
        profile=venice_profile(
            model_id,
            reasoning=reasoning,
            efforts=_efforts(caps) or (),
            e2ee=caps.get("supportsE2EE") is True,
        ),
    )


def _live_extra(spec: Mapping[str, Any]) -> dict[str, Any]:
    caps = _mapping(spec.get("capabilities"))
    extra: dict[str, Any] = {}
    for key in ("supportsWebSearch", "supportsResponseSchema"):
        if caps.get(key) is True:
            extra[key] = True
    if spec.get("offline") is True:
        extra["offline"] = True
    deprecation = spec.get("deprecation")
    if isinstance(deprecation, Mapping):
        extra["deprecation"] = {
            "date": deprecation.get("date"),
            "replacement": deprecation.get("replacementModelId"),
        }
    traits = spec.get("traits")
    if isinstance(traits, list):
        extra["traits"] = [t for t in traits if isinstance(t, str)]
    extended = _extended_tier(_mapping(spec.get("pricing")))
    if extended is not None:
        extra["extendedCost"] = extended
    return extra


def _efforts(caps: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The reasoning efforts a live row offers (``reasoningEffortOptions``; low, medium and
    high when it lists none), or None when it says the model takes none."""
    if caps.get("supportsReasoningEffort") is not True:
        return None
    options = caps.get("reasoningEffortOptions")
    return _strings(options) if isinstance(options, list) else ("low", "medium", "high")


_RATES: tuple[tuple[str, str], ...] = (
    ("input", "input"),
    ("output", "output"),
    ("cache_input", "cacheRead"),
    ("cache_write", "cacheWrite"),
)


def _rates(pricing: Mapping[str, Any]) -> dict[str, float] | None:
    """USD per million tokens by our names, or None when the schedule is unusable: input
    and output missing, or any rate given that is not a finite number >= 0 (0 is a price)."""
    rates: dict[str, float] = {}
    for live, ours in _RATES:
        if live not in pricing:
            continue
        usd = _mapping(pricing[live]).get("usd")
        if not _finite_number(usd) or usd < 0:
            return None
        rates[ours] = float(usd)
    return rates if "input" in rates and "output" in rates else None


def _schedule(pricing: Mapping[str, Any]) -> Cost | None:
    rates = _rates(pricing)
    return Cost.from_json(rates) if rates is not None else None


def _extended_tier(pricing: Mapping[str, Any]) -> dict[str, float] | None:
    """The long-context tier (``extended``, above ``context_token_threshold`` prompt tokens)
    in the bundle's ``extendedCost`` shape, or None when absent or invalid."""
    tier = _mapping(pricing.get("extended"))
    threshold = _positive(tier.get("context_token_threshold"))
    rates = _rates(tier)
    if threshold is None or rates is None:
        return None
    return {"contextThreshold": threshold, **Cost.from_json(rates).to_json()}


def _privacy(spec: Mapping[str, Any]) -> str | None:
    value = spec.get("privacy")
    return value if value in ("private", "anonymized") else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _finite_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _positive(value: Any) -> int | None:
    """A finite number of at least 1 as an int; anything else (0.5 would become 0) is "not
    given"."""
    if not _finite_number(value) or value < 1:
        return None
    return int(value)
