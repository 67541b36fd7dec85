"""``openclaw models list --type KIND`` for every kind beside text (image, embedding, tts, asr,
video, music, upscale, inpaint): the models of that kind of every provider that lists them
(the ``media_models`` capability; for images and embeddings also a provider that registered
only ``images`` or ``embeddings``), with their limits and prices in ``--json``.
Provider-neutral."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from typing import Any

from ..capabilities import Kind
from ..catalog import ModelKind
from ..errors import UsageError
from ..host import Host
from ..media import MediaCatalog, MediaModel
from .render import counted, print_table

#: the capability that generates a kind, whose model list counts for a provider without lists
_MAKERS: dict[str, Kind] = {"image": "images", "embedding": "embeddings"}
_WHERE = {
    "live": "live from the provider",
    "cache": "from the local cache",
    "bundled": "from the bundled list (provider not reached)",
}


def run_media_list(args: argparse.Namespace, host: Host) -> int:
    kind = args.type
    text_only = [
        f"--{name}" for name in ("vision", "tools", "reasoning", "all") if getattr(args, name)
    ]
    if text_only:  # refused rather than ignored: the list would not be what was asked for
        verb = "applies" if len(text_only) == 1 else "apply"
        raise UsageError(
            f"{' and '.join(text_only)} {verb} to text models only; with --type {kind}, "
            "filter with --private or --anonymized"
        )
    catalogs = [
        _catalog(host, pid, kind, args.refresh) for pid in _listing(host, kind, args.provider)
    ]
    wanted = [name for name in ("private", "anonymized") if getattr(args, name, False)]
    models = [m for c in catalogs for m in c.models if all(m.privacy == w for w in wanted)]
    defaults = {(c.provider, c.default) for c in catalogs}

    def tags(model: MediaModel) -> list[str]:  # the same facts in the table and in JSON
        default = ("default",) if (model.provider, model.id) in defaults else ()
        return list(dict.fromkeys((*default, *model.tags)))

    if args.json:
        payload = {
            "type": kind,
            "sources": {c.provider: c.source for c in catalogs},
            "defaults": {c.provider: c.default for c in catalogs},
            "models": [{**m.to_json(), "tags": tags(m)} for m in models],
        }
        host.out(json.dumps(payload, indent=2))
        return 0
    rows = [
        [m.ref, m.name, m.privacy or "-", price_text(m.pricing), ",".join(tags(m))] for m in models
    ]
    shown = {c.provider: sum(1 for m in models if m.provider == c.provider) for c in catalogs}
    footers = [
        f"{c.provider}: {counted(shown[c.provider], f'{kind} model')}, {_WHERE[c.source]}"
        for c in catalogs
    ]
    headers = ["Model", "Name", "Privacy", "Price", "Tags"]
    print_table(host, headers, rows, footers, shrink=(4, 1, 3, 2), whole=0)
    return 0


def _listing(host: Host, kind: ModelKind, provider: str | None) -> list[str]:
    """The providers whose ``kind`` models are listed: ``provider`` (refused clearly when it
    lists none), else every one that lists them."""
    maker = _MAKERS.get(kind)
    offering = set(host.registry.offers("media_models"))
    if maker is not None:
        offering.update(host.registry.offers(maker))
    if provider is None:
        return sorted(offering)
    if provider not in offering:
        host.registry.capability(maker or "media_models", provider)  # says who does
    return [provider]


def _catalog(host: Host, provider_id: str, kind: ModelKind, refresh: bool) -> MediaCatalog:
    ctx = host.provider_context(host.registry.provider(provider_id), refresh=refresh)
    if provider_id in host.registry.offers("media_models"):
        return host.registry.media_models(provider_id).media_models(ctx, kind)
    if kind == "image":
        return host.registry.images(provider_id).image_models(ctx)
    return host.registry.embeddings(provider_id).embedding_models(ctx)


def price_text(pricing: Mapping[str, Any], most: int = 2) -> str:
    """A short line of a provider's stated prices, e.g. ``generation $0.01, upscale 2x
    $0.02``: the first ``most`` priced entries, each with its first USD price (``-`` when none
    is stated). The whole price is in ``--json``."""
    parts: list[str] = []
    for name, value in pricing.items():
        usd = _usd(value)
        if usd is not None:
            parts.append(f"{name} {usd}".replace("_", " "))
        if len(parts) == most:
            break
    return ", ".join(parts) or "-"


def _usd(value: Any) -> str | None:
    """``$0.01`` of ``{"usd": 0.01}``, or ``2x $0.02`` of the first priced entry inside."""
    if not isinstance(value, Mapping):
        return None
    usd = value.get("usd")
    if isinstance(usd, int | float) and not isinstance(usd, bool):
        return f"${usd:g}"
    for name, inner in value.items():
        found = _usd(inner)
        if found is not None:
            return f"{name} {found}"
    return None
