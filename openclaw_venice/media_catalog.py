"""Venice's models beside chat models, of every kind it lists (image, embedding, tts, asr,
video, music, upscale, inpaint): live ``GET /models?type=KIND``, cached like the text catalog
(an hour; a failure remembered a minute), else the bundled list (``data/media_models.json``)
with a warning.

Live rows decide which models exist; a row's ``model_spec.constraints`` are the model's limits
(for images: aspect ratios, resolutions, qualities, prompt length, width/height divisor), kept
as Venice names them, and a speech or music model's ``voices`` join them; ``model_spec.pricing``
is its price, as Venice states it. Bundled models carry the prices and voices of Venice's
snapshot but no other limits: only the spec's own bounds apply to them.
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Coroutine, Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

from .errors import DiscoveryError, OpenClawError, UnknownModelError
from .identity import PROVIDER_ID, base_url_problem
from .model_cache import CACHE_TTL_SECONDS, ModelCache
from .runtime.plugins import MediaCatalog, MediaModel, ModelKind, ProviderContext

if TYPE_CHECKING:
    from .wire.client import Wire

MediaKind = ModelKind
_LIMIT_KEYS = (
    "aspectRatios",
    "defaultAspectRatio",
    "resolutions",
    "defaultResolution",
    "qualities",
    "defaultQuality",
    "promptCharacterLimit",
    "widthHeightDivisor",
    "steps",
)


@functools.cache
def load_media_bundle(kind: MediaKind) -> MediaCatalog:
    text = resources.files(__package__).joinpath("data/media_models.json").read_text("utf-8")
    section = json.loads(text)[kind]
    models = tuple(_bundled(e, kind) for e in section["models"])
    return MediaCatalog(PROVIDER_ID, "bundled", models, section.get("default"))


def _bundled(entry: Mapping[str, Any], kind: MediaKind) -> MediaModel:
    return MediaModel(
        entry["id"], entry["name"], PROVIDER_ID, kind, entry.get("privacy"),
        {"voices": entry["voices"]} if "voices" in entry else {},
        ("deprecated",) if entry.get("deprecated") else (),
        entry.get("pricing", {}),
    )  # fmt: skip


def media_model(row: Any, kind: MediaKind, bundle: MediaCatalog) -> MediaModel | None:
    """A live ``/models`` row as a model record; None for a row that is not one."""
    if not isinstance(row, Mapping) or not isinstance(row.get("id"), str) or not row["id"]:
        return None
    if row.get("type", kind) != kind:
        return None
    spec = row.get("model_spec")
    spec = spec if isinstance(spec, Mapping) else {}
    known = bundle.find(row["id"])
    name = spec.get("name") if isinstance(spec.get("name"), str) else None
    privacy = spec.get("privacy") if spec.get("privacy") in ("private", "anonymized") else None
    traits = spec.get("traits")
    tags = tuple(t for t in traits if isinstance(t, str)) if isinstance(traits, list) else ()
    if spec.get("offline") is True:
        tags += ("offline",)
    if spec.get("deprecation"):
        tags += ("deprecated",)
    pricing = spec.get("pricing")
    return MediaModel(
        row["id"],
        name or (known.name if known else row["id"]),
        PROVIDER_ID,
        kind,
        privacy or (known.privacy if known else None),
        _limits(spec, kind),
        tags,
        dict(pricing) if isinstance(pricing, Mapping) else {},
    )


def _limits(spec: Mapping[str, Any], kind: MediaKind) -> dict[str, Any]:
    """An image model's known constraints; every constraint of another kind (Venice names
    them per kind); the ``voices`` of a speech or music model, and a speech model's
    ``supported_formats``, ``default_format`` and ``supports_custom_voice_id``."""
    constraints = spec.get("constraints")
    constraints = constraints if isinstance(constraints, Mapping) else {}
    keys = _LIMIT_KEYS if kind == "image" else tuple(constraints)
    limits = {k: constraints[k] for k in keys if k in constraints}
    voices = spec.get("voices")
    if isinstance(voices, list) and all(isinstance(v, str) for v in voices):
        limits["voices"] = list(voices)
    formats = spec.get("supported_formats")  # a speech model's outputs, checked before sending
    if isinstance(formats, list) and all(isinstance(f, str) for f in formats):
        limits["supported_formats"] = list(formats)
    for key, kind_of in (("default_format", str), ("supports_custom_voice_id", bool)):
        if isinstance(spec.get(key), kind_of):
            limits[key] = spec[key]
    return limits


def merge_media(rows: list[Any], kind: MediaKind, source: Literal["live", "cache"]) -> MediaCatalog:
    bundle = load_media_bundle(kind)
    models = tuple(m for m in (media_model(r, kind, bundle) for r in rows) if m is not None)
    ids = {m.id for m in models}
    default = bundle.default if bundle.default in ids else (models[0].id if models else None)
    return MediaCatalog(PROVIDER_ID, source, models, default)


def media_catalog(ctx: ProviderContext, kind: MediaKind, base_url: str) -> MediaCatalog:
    """:func:`media_catalog_async` for sync code (inside a running loop: the cache or the
    bundle, with a warning saying to await the async form)."""
    import asyncio

    from .wire.sync import refuse_in_loop

    try:
        refuse_in_loop("model discovery", "await media_catalog_async(...)")
    except OpenClawError as exc:
        return _run_now(_listed(ctx, kind, base_url, None, str(exc)))  # no I/O but files
    return asyncio.run(_listed(ctx, kind, base_url, None))


def _run_now(coroutine: Coroutine[Any, Any, MediaCatalog]) -> MediaCatalog:
    """A coroutine that awaits nothing (the cache or the bundle), run without a loop."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coroutine.close()
    raise RuntimeError("the catalog awaited I/O")  # pragma: no cover


async def media_catalog_async(ctx: ProviderContext, kind: MediaKind, wire: Wire) -> MediaCatalog:
    """Fresh cache, else live, else the bundle (with a warning); never raises for the network.
    Discovery is awaited on the caller's loop, through ``wire``'s pool."""
    return await _listed(ctx, kind, wire.base_url, wire)


async def _listed(
    ctx: ProviderContext,
    kind: MediaKind,
    base_url: str,
    wire: Wire | None,
    refused: str | None = None,
) -> MediaCatalog:
    from .discovery import discovery_wire, fetch_rows

    problem = base_url_problem(base_url)
    if problem:  # no request can go there: say why each time (nothing to remember)
        ctx.warn(f"Venice {kind} model discovery failed: {problem}; showing the bundled list")
        return load_media_bundle(kind)
    cache = ModelCache(ctx.cache_dir / f"{kind}-models", base_url)
    cached = cache.read()
    if not ctx.refresh:
        if cached is not None and 0 <= cached.age() < CACHE_TTL_SECONDS:
            found = merge_media(cached.rows, kind, "cache")
            if found.models:
                return found
        if cache.failed_recently():
            ctx.warn(f"Venice was unreachable a moment ago; showing the bundled {kind} models")
            return load_media_bundle(kind)
    try:
        if refused is not None:
            raise DiscoveryError(refused)
        if wire is None:
            async with discovery_wire(base_url, ctx.env) as own:
                rows = await fetch_rows(own, kind)
        else:
            rows = await fetch_rows(wire, kind)
    except DiscoveryError as exc:
        if refused is None:
            cache.remember_failure()
        ctx.warn(f"Venice {kind} model discovery failed: {exc}; showing the bundled list")
        return load_media_bundle(kind)
    live = merge_media(rows, kind, "live")
    if not live.models:
        cache.remember_failure()
        ctx.warn(f"Venice listed no usable {kind} models; showing the bundled list")
        return load_media_bundle(kind)
    try:
        cache.write(rows)
    except OSError as exc:
        ctx.warn(f"could not write the model cache ({exc.strerror}); continuing")
    return live


def unshown(ctx: ProviderContext) -> ProviderContext:
    """``ctx`` for a model list that is only looked in, never shown (generating an image,
    embedding texts): there a fallback to the bundled list is no news (an id it lacks is sent
    anyway), so it is not warned about."""
    return ctx._replace(warn=lambda message: None)


def find_model(catalog: MediaCatalog, ref: str | None, kind: MediaKind = "image") -> MediaModel:
    """``ref`` (``venice/ID`` or ``ID``; None: the default) in ``catalog``. An id the list
    lacks is refused before anything is sent (and paid for), with the closest ids; when the
    list is the bundled one (Venice's could not be fetched) the message says so and how to
    fetch the live one, as chat does for text models."""
    model_id = (ref or catalog.default or "").removeprefix(f"{PROVIDER_ID}/")
    found = catalog.find(model_id)
    if found is not None:
        return found
    ids = [m.id for m in catalog.models]
    close = [f"{PROVIDER_ID}/{i}" for i in difflib.get_close_matches(model_id, ids, 3, 0.5)]
    if catalog.source == "bundled":
        raise UnknownModelError(
            f"{PROVIDER_ID}/{model_id}", close, f"Venice's {kind} model list could not be fetched",
            refresh=f"openclaw models list --type {kind} --refresh",
        )  # fmt: skip
    raise UnknownModelError(f"{PROVIDER_ID}/{model_id}", close)
