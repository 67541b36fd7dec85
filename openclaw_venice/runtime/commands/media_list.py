"""``openclaw models list --type image|embedding``: the image or embedding models of every
provider that registered that capability. Provider-neutral."""

from __future__ import annotations

import argparse
import json

from ..capabilities import Kind
from ..errors import UsageError
from ..host import Host
from ..media import MediaCatalog, MediaModel
from .render import counted, print_table

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
    capability: Kind = "images" if kind == "image" else "embeddings"
    provider_ids = [args.provider] if args.provider else host.registry.offers(capability)
    catalogs: list[MediaCatalog] = []
    for pid in provider_ids:
        provider = host.registry.provider(pid)
        ctx = host.provider_context(provider, refresh=args.refresh)
        if kind == "image":
            catalogs.append(host.registry.images(pid).image_models(ctx))
        else:
            catalogs.append(host.registry.embeddings(pid).embedding_models(ctx))
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
    rows = [[m.ref, m.name, m.privacy or "-", ",".join(tags(m))] for m in models]
    shown = {c.provider: sum(1 for m in models if m.provider == c.provider) for c in catalogs}
    footers = [
        f"{c.provider}: {counted(shown[c.provider], f'{kind} model')}, {_WHERE[c.source]}"
        for c in catalogs
    ]
    headers = ["Model", "Name", "Privacy", "Tags"]
    print_table(host, headers, rows, footers, shrink=(3, 1, 2), whole=0)
    return 0
