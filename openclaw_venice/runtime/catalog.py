"""Provider-neutral model records and catalogs, as the host sees them.

A provider builds a :class:`Catalog`; the host filters, tags and prints it. Nothing here
knows any particular provider.

The records are immutable named tuples (change one with ``record._replace(...)``), not
dataclasses: every command reads them, and a dataclass compiles its methods when it is
defined (about a millisecond each, and ``dataclasses`` loads ``inspect``): together a
quarter of an offline ``openclaw models list``. A named tuple class costs a fraction.
"""

# no `from __future__ import annotations`: a named tuple's string annotations are each
# compiled when the class is made (typing.ForwardRef), several times the cost of real ones;
# a class's own name in its methods' annotations is quoted instead
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal, NamedTuple

CatalogSource = Literal["live", "cache", "bundled"]
#: the kinds of models beside chat models a provider may list (``openclaw models list --type
#: KIND``, the ``media_models`` capability), as Venice's ``GET /models?type=`` names them
ModelKind = Literal["image", "embedding", "tts", "asr", "video", "music", "upscale", "inpaint"]
MODEL_KINDS: tuple[ModelKind, ...] = (
    "image", "embedding", "tts", "asr", "video", "music", "upscale", "inpaint",
)  # fmt: skip


class _Nothing(Mapping[str, Any]):
    """The empty mapping of a record's default (:data:`NOTHING`): no one can change it, and a
    record holding it can still be pickled and deep-copied (a mappingproxy cannot)."""

    __slots__ = ()

    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "{}"

    def __reduce__(self) -> str:
        return "NOTHING"  # the one instance, by name


NOTHING: Mapping[str, Any] = _Nothing()


class PriceTier(NamedTuple):
    """One of OpenClaw's ``cost.tieredPricing`` rows: USD per million tokens for a prompt of
    ``start`` tokens up to (not including) ``end``."""

    start: float
    end: float
    input: float
    output: float
    cache_read: float
    cache_write: float

    def cost(self) -> "Cost":
        """This tier's prices as a :class:`Cost`."""
        return Cost(self.input, self.output, self.cache_read, self.cache_write)


class Cost(NamedTuple):
    """USD per million tokens. A cache price of None is not listed (unknown), unlike 0,
    which is a price (free); :attr:`cache_read_rate` and :attr:`cache_write_rate` price an
    unlisted one as input, so an estimate errs high, never low. ``tiers``: OpenClaw's
    ``tieredPricing``, prices by prompt size (:meth:`for_prompt`), sorted by start."""

    input: float = 0.0
    output: float = 0.0
    cache_read: float | None = None
    cache_write: float | None = None
    tiers: tuple[PriceTier, ...] = ()

    def for_prompt(self, prompt_tokens: int) -> "Cost":
        """The prices for a prompt this size, as TypeScript OpenClaw picks them: the tier
        whose range holds it, else the last one it passes the start of, else the first."""
        if not self.tiers:
            return self
        if prompt_tokens <= 0:
            return self.tiers[0].cost()
        for tier in self.tiers:
            if tier.start <= prompt_tokens < tier.end:
                return tier.cost()
        passed = [tier for tier in self.tiers if prompt_tokens >= tier.start]
        return (passed[-1] if passed else self.tiers[0]).cost()

    @property
    def cache_read_rate(self) -> float:
        """The cache-read price; the input price when none is listed."""
        return self.input if self.cache_read is None else self.cache_read

    @property
    def cache_write_rate(self) -> float:
        """The cache-write price; the input price when none is listed."""
        return self.input if self.cache_write is None else self.cache_write

    def to_json(self) -> dict[str, Any]:
        """OpenClaw's ``cost`` object; a price not listed is left out (as OpenClaw allows)."""
        data: dict[str, Any] = {"input": self.input, "output": self.output}
        if self.cache_read is not None:
            data["cacheRead"] = self.cache_read
        if self.cache_write is not None:
            data["cacheWrite"] = self.cache_write
        if self.tiers:
            data["tieredPricing"] = [_tier_json(tier) for tier in self.tiers]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Cost":
        """OpenClaw's ``cost`` object (``input``, ``output``, ``cacheRead``, ``cacheWrite``,
        ``tieredPricing``) as a :class:`Cost`."""
        return cls(
            input=float(data.get("input", 0) or 0),
            output=float(data.get("output", 0) or 0),
            cache_read=_listed(data.get("cacheRead")),
            cache_write=_listed(data.get("cacheWrite")),
            tiers=_tiers(data.get("tieredPricing")),
        )


def _tiers(rows: Any) -> tuple[PriceTier, ...]:
    """``tieredPricing`` as TypeScript OpenClaw normalises it: rows without a numeric start
    or with a rate that is not a finite number are skipped; an end that is missing or not
    past the start is open; sorted by start."""
    if not isinstance(rows, list):
        return ()
    tiers = []
    for row in rows:
        span = row.get("range") if isinstance(row, Mapping) else None
        if not isinstance(span, list) or not span or _finite(span[0]) is None:
            continue
        rates = [_finite(row.get(k)) for k in ("input", "output", "cacheRead", "cacheWrite")]
        start, end = _finite(span[0]) or 0.0, _finite(span[1]) if len(span) > 1 else None
        given = [rate for rate in rates if rate is not None]
        if len(given) < len(rates):
            continue
        end = end if end is not None and end > start else _OPEN
        tiers.append(PriceTier(start, end, *given))
    return tuple(sorted(tiers, key=lambda tier: tier.start))


_OPEN = float("inf")


def _finite(value: Any) -> float | None:
    """A finite JSON number as a float; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if number - number == 0 else None  # NaN and infinities are not


def _tier_json(tier: PriceTier) -> dict[str, Any]:
    span = [tier.start] if tier.end == _OPEN else [tier.start, tier.end]
    return {**tier.cost().to_json(), "range": span}


def _listed(value: Any) -> float | None:
    """A listed price (0 included), or None when it is absent or null."""
    return None if value is None else float(value)


class Deprecation(NamedTuple):
    """A provider's notice that a model will go away: when, and what to use instead."""

    date: str | None = None
    replacement: str | None = None


ToolSchema = Literal["json-schema", "xai"]
ToolArguments = Literal["json", "html-entities"]
Replay = Literal["openai", "reasoning-content", "thought-signatures"]
ThinkTags = Literal["leading", "opened"]


class ModelProfile(NamedTuple):
    """How a model behaves beyond what OpenClaw's model format says (limits, prices, inputs,
    tools on or off). The provider fills it in when it builds the record, from what its
    catalog says and what it knows of the model's family; its sessions then read these
    fields and test no model ids. The default is a plain OpenAI-compatible chat model.

    ``reasoning_efforts``: the efforts the model takes, in the provider's spelling and order
    (empty: none). ``effort_with_tools``: False when the model refuses a reasoning effort
    beside function tools (its tool turns then ask for none). ``tool_schema``: the JSON
    Schema its function calling accepts in tool parameters (``xai``: without the keywords
    xAI rejects). ``tool_arguments``: how it encodes tool-call arguments (``html-entities``:
    ``&quot;`` for ``"``). ``replay``: what earlier assistant turns must carry when sent back
    (``reasoning-content``: their reasoning on every turn; ``thought-signatures``: each tool
    call with the signature it came with, else it is replayed as text). ``e2ee``: prompts
    must be encrypted on this machine for the model's enclave. ``think_tags``: where
    reasoning written inside the content starts (``leading``: a ``<think>`` at the very
    start; ``opened``: the template opens it, the content starts inside it)."""

    reasoning_efforts: tuple[str, ...] = ()
    effort_with_tools: bool = True
    tool_schema: ToolSchema = "json-schema"
    tool_arguments: ToolArguments = "json"
    replay: Replay = "openai"
    e2ee: bool = False
    think_tags: ThinkTags = "leading"


class ModelInfo(NamedTuple):
    """One model a provider offers (or once offered: ``replacement`` set). ``profile``: how
    it behaves (:class:`ModelProfile`); ``extra``: the provider's own data, which the host
    never reads."""

    id: str
    name: str
    provider: str
    reasoning: bool = False
    input: tuple[str, ...] = ("text",)
    context_window: int = 128_000
    max_tokens: int = 4096
    supports_tools: bool = True
    cost: Cost = Cost()
    privacy: str | None = None
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    replacement: str | None = None
    extra: Mapping[str, Any] = NOTHING
    deprecation: Deprecation | None = None
    profile: ModelProfile = ModelProfile()

    @property
    def ref(self) -> str:
        """``provider/id``, as the user writes it."""
        return f"{self.provider}/{self.id}"

    @property
    def retired(self) -> bool:
        """Whether the provider no longer serves it (``replacement`` names its successor)."""
        return self.replacement is not None

    def with_tags(self, *tags: str) -> "ModelInfo":
        """The record with ``tags`` added after its own (each once)."""
        merged = tuple(dict.fromkeys((*self.tags, *tags)))
        return self._replace(tags=merged)

    def to_json(self) -> dict[str, Any]:
        """The record as ``openclaw models list --json`` shows it."""
        data: dict[str, Any] = {
            "ref": self.ref,
            "id": self.id,
            "name": self.name,
            "provider": self.provider,
            "privacy": self.privacy,
            "reasoning": self.reasoning,
            "input": list(self.input),
            "contextWindow": self.context_window,
            "maxTokens": self.max_tokens,
            "supportsTools": self.supports_tools,
            "cost": self.cost.to_json(),
            "tags": list(self.tags),
        }
        if self.aliases:
            data["aliases"] = list(self.aliases)
        if self.replacement:
            data["replacement"] = self.replacement
        if self.deprecation is not None:
            data["deprecation"] = {
                "date": self.deprecation.date,
                "replacement": self.deprecation.replacement,
            }
        return data


def deprecation_warning(model: ModelInfo) -> str | None:
    """One line for a deprecated model: when it goes, and the command to move on."""
    if model.deprecation is None:
        return None
    when = f" (until {model.deprecation.date[:10]})" if model.deprecation.date else ""
    successor = model.deprecation.replacement
    if not successor:
        return f"{model.ref} is deprecated{when}; pick another model (openclaw models list)"
    ref = f"{model.provider}/{successor}"
    return f"{model.ref} is deprecated{when}; its successor is {ref} (openclaw models set {ref})"


class Resolution(NamedTuple):
    """The outcome of looking a model id up: the model, and why it differs if it does."""

    requested: str
    model: ModelInfo
    notice: str | None = None


class Catalog(NamedTuple):
    """What a provider offers now, where that came from, ids it used to offer (``retired``)
    and models it knows of but did not list this time (``unlisted``, e.g. bundled ones a
    live answer left out). ``notes``: what the provider said while making it (its
    ``ctx.warn`` lines, "what happened; what it does next"), for the command to show where
    they matter."""

    provider: str
    source: CatalogSource
    models: tuple[ModelInfo, ...]
    retired: tuple[ModelInfo, ...] = ()
    previous_ids: frozenset[str] | None = None
    unlisted: tuple[ModelInfo, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def fallback(self) -> str | None:
        """Why the provider fell back to its bundled models ("Acme was unreachable a moment
        ago"): its last note without the last "; " clause (what it does next). None
        when it did not fall back."""
        if self.source != "bundled" or not self.notes:
            return None
        return self.notes[-1].rsplit("; ", 1)[0].rstrip(".")

    def find(self, model_id: str) -> ModelInfo | None:
        """The model of exactly this id, or None."""
        for model in self.models:
            if model.id == model_id:
                return model
        return None

    def resolve(self, model_id: str) -> Resolution | None:
        """Exact id, then a renamed id (alias), then a retired id (its replacement)."""
        found = self.find(model_id)
        if found is not None:
            return Resolution(model_id, found)
        for model in self.models:
            if model_id in model.aliases:
                notice = f"{self.provider}/{model_id} is now {model.ref}"
                return Resolution(model_id, model, notice)
        for old in self.retired:
            if old.id == model_id and old.replacement:
                successor = self.find(old.replacement)
                if successor is not None:
                    notice = f"{old.ref} was retired; using its replacement {successor.ref}"
                    return Resolution(model_id, successor, notice)
        return None

    def suggestions(self, model_id: str, limit: int = 3) -> list[str]:
        """Up to ``limit`` refs close to ``model_id``, for an "unknown model" message."""
        ids = [m.id for m in self.models]
        import difflib  # imported here: most commands never need it

        close = difflib.get_close_matches(model_id, ids, n=limit, cutoff=0.5)
        if len(close) < limit:
            close += [i for i in ids if model_id and model_id in i and i not in close]
        return [f"{self.provider}/{i}" for i in close[:limit]]


def split_ref(ref: str, default_provider: str | None = None) -> tuple[str | None, str]:
    """Split ``provider/model-id`` on the first ``/``; no ``/`` means the default provider."""
    provider, sep, model_id = ref.partition("/")
    if not sep:
        return default_provider, ref
    return provider, model_id


def overlay_config_models(
    models: Sequence[ModelInfo],
    configured: Iterable[Mapping[str, Any]],
    provider: str,
    mode: str = "merge",
    retired: Iterable[str] = (),
) -> tuple[ModelInfo, ...]:
    """Apply the config file's ``models.providers.<id>.models`` entries to a catalog.

    ``merge`` (the default): an entry for a known id overrides what the user set, except that
    ``maxTokens`` may only go down and tools, once off, stay off (the provider knows the
    limits); unknown ids are appended, except ``retired`` ones (the provider no longer
    serves them: they resolve to their successor instead). ``replace``: only the config's
    entries exist. Either way one row per id: a later entry for the same id wins.
    """
    by_id = {m.id: m for m in models}
    gone = frozenset(retired) if mode != "replace" else frozenset()
    extra: dict[str, ModelInfo] = {}
    overridden: dict[str, ModelInfo] = {}
    for entry in configured:
        model_id = entry.get("id")
        if not isinstance(model_id, str) or not model_id or model_id in gone:
            continue
        base = by_id.get(model_id) if mode != "replace" else None
        merged = _model_from_config(entry, provider, base).with_tags("configured")
        if base is None:
            extra.pop(model_id, None)
            extra[model_id] = merged
        else:
            overridden[model_id] = merged
    if mode == "replace":
        return tuple(extra.values())
    return tuple(overridden.get(m.id, m) for m in models) + tuple(extra.values())


def _model_from_config(
    entry: Mapping[str, Any], provider: str, base: ModelInfo | None
) -> ModelInfo:
    known = base is not None
    base = base or ModelInfo(id=str(entry["id"]), name=str(entry["id"]), provider=provider)
    compat = entry.get("compat") if isinstance(entry.get("compat"), Mapping) else {}
    assert isinstance(compat, Mapping)
    max_tokens = _positive_int(entry.get("maxTokens"))
    tools = compat.get("supportsTools")
    inputs = entry.get("input")
    return base._replace(
        name=str(entry.get("name") or base.name),
        reasoning=bool(entry.get("reasoning", base.reasoning)),
        input=tuple(str(i) for i in inputs) if isinstance(inputs, list) else base.input,
        context_window=_positive_int(entry.get("contextWindow")) or base.context_window,
        max_tokens=(min(max_tokens, base.max_tokens) if known else max_tokens)
        if max_tokens
        else base.max_tokens,
        supports_tools=base.supports_tools and tools is not False,
        cost=Cost.from_json(entry["cost"]) if isinstance(entry.get("cost"), Mapping) else base.cost,
    )


def _positive_int(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if value != value or value in (float("inf"),) or value <= 0:
        return None
    return int(value)
