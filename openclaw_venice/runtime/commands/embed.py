"""``openclaw embed TEXT...``: embedding vectors as JSON, from any provider that offers them.
Each argument is one text; with none, stdin is one text."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..errors import UsageError
from ..host import Host
from ..plugins import Registry
from .capability_use import call_context, pick_provider, run_async
from .key_options import add_key_options


def add_parser(sub: Any, registry: Registry | None = None) -> None:
    p = sub.add_parser("embed", help="embedding vectors of texts, as JSON")
    p.add_argument("texts", nargs="*", metavar="TEXT", help="texts (none: read stdin)")
    p.add_argument("--model", "-m", metavar="PROVIDER/MODEL", help="default: the provider's")
    p.add_argument("--dimensions", type=int, metavar="N", help="vector length, if the model can")
    add_key_options(p, registry)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, host: Host) -> int:
    from .chat_input import read_stdin

    texts = list(args.texts)
    if not texts:
        if host.stdin.isatty():
            raise UsageError("nothing to embed; pass texts as arguments or on stdin")
        texts = [read_stdin(host.stdin).removesuffix("\n")]
    provider_id, model_id = pick_provider(host, "embeddings", args.model)
    ctx, key = call_context(host, provider_id)
    capability = host.registry.embeddings(provider_id)
    result = run_async(capability.embed(ctx, key, texts, model_id, args.dimensions))
    host.out(json.dumps({"provider": provider_id, **result.to_json()}))
    return 0
