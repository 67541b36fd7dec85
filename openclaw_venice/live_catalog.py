"""The Venice text catalog as the ``openclaw`` command lists it: a fresh cache, else live
``/models``, else the bundle (with a warning); a failure is remembered for a minute so that
repeated commands offline stay fast, and ``ctx.refresh`` skips both the cache and that memory.

:func:`text_catalog` is the operation, awaited on the caller's loop (discovery goes through
the caller's wire, and its pool); the provider's sync ``catalog`` hook runs it on a loop of its
own. :func:`host_catalog` adds what the host adds, the config file's models, for Python callers
that did not get a catalog from a host (``VeniceChat()`` and ``VeniceProvider().client()``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from .catalog import listed_ids, load_bundle, merge_catalog
from .errors import DiscoveryError, OpenClawError
from .identity import PROVIDER_ID, base_url_problem
from .model_cache import CACHE_TTL_SECONDS, ModelCache
from .runtime.catalog import Catalog, overlay_config_models

if TYPE_CHECKING:
    from .runtime.plugins import Provider, ProviderContext
    from .wire.client import Wire

__all__ = ["host_catalog", "settled_catalog", "text_catalog"]


def settled_catalog(ctx: ProviderContext, base_url: str) -> Catalog | None:
    """The catalog when no request is needed (a fresh cache, a failure a moment ago, a base
    URL no request can go to), else None. Sync and light: an offline ``models list`` starts
    no event loop."""
    problem = base_url_problem(base_url)
    if problem:  # no request can go there: say why each time (nothing to remember)
        ctx.warn(f"Venice model discovery failed: {problem}; showing the bundled catalog")
        return load_bundle()
    if ctx.refresh:
        return None
    cache = ModelCache(ctx.cache_dir, base_url)
    cached = cache.read()
    if cached is not None and 0 <= cached.age() < CACHE_TTL_SECONDS:
        return merge_catalog(cached.rows, load_bundle(), "cache")
    if cache.failed_recently():
        ctx.warn(
            "Venice was unreachable a moment ago; showing the bundled catalog "
            "(--refresh tries again)"
        )
        return load_bundle()
    return None


async def text_catalog(
    ctx: ProviderContext, base_url: str, wire: Wire | None, refused: str | None = None
) -> Catalog:
    """:func:`settled_catalog`, else live ``/models`` (through ``wire``, else a wire of its
    own), else the bundle. ``refused``: discovery cannot run (said in the warning; nothing
    remembered)."""
    settled = settled_catalog(ctx, base_url)
    if settled is not None:
        return settled
    bundle = load_bundle()
    cache = ModelCache(ctx.cache_dir, base_url)
    try:
        rows = await _rows(ctx, base_url, wire, refused)
    except DiscoveryError as exc:
        if refused is None:
            cache.remember_failure()
        ctx.warn(f"Venice model discovery failed: {exc}; showing the bundled catalog")
        return bundle
    live = merge_catalog(rows, bundle, "live")
    if not live.models:
        cache.remember_failure()
        ctx.warn("Venice listed no usable text models; showing the bundled catalog")
        return bundle
    cached = cache.read()  # what the listing was before this refresh
    try:
        cache.write(rows)
    except OSError as exc:
        ctx.warn(f"could not write the model cache ({exc.strerror}); continuing")
    if cached is None:
        return live
    return live._replace(previous_ids=listed_ids(cached.rows))  # the answer merged once


async def _rows(
    ctx: ProviderContext, base_url: str, wire: Wire | None, refused: str | None
) -> list[Any]:
    from .discovery import discovery_wire, fetch_rows

    if refused is not None:
        raise DiscoveryError(refused)
    if wire is not None:
        return await fetch_rows(wire)
    async with discovery_wire(base_url, ctx.env) as own:
        return await fetch_rows(own)


async def host_catalog(wire: Wire, warn: Callable[[str], None]) -> Catalog:
    """:func:`text_catalog` for ``wire``'s base URL with the config file's
    ``models.providers.venice.models`` applied, as the host applies them; a config file that
    cannot be read is warned about and left out."""
    from .runtime.plugins import host_context

    try:
        ctx = host_context(_venice(), wire.env, warn)
    except OpenClawError as exc:
        warn(f"{exc}; using the catalog without the config file's models")
        from .runtime.plugins import ProviderContext, provider_cache_dir

        ctx = ProviderContext({}, wire.env, provider_cache_dir(PROVIDER_ID), False, warn)
    catalog = await text_catalog(ctx, wire.base_url, wire)
    entries = ctx.config.get("models")
    if not isinstance(entries, list):
        return catalog
    configured = [entry for entry in entries if isinstance(entry, Mapping)]
    gone = [m.id for m in catalog.retired]
    models = overlay_config_models(catalog.models, configured, PROVIDER_ID, "merge", gone)
    return catalog._replace(models=models)


class _Venice:
    """The provider whose context :func:`host_context` builds: it reads only the id (the
    provider module itself is not imported here: it imports the chat, which imports this)."""

    id = PROVIDER_ID


def _venice() -> Provider:
    return cast("Provider", _Venice())
