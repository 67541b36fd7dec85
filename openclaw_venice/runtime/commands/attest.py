"""``openclaw models attest PROVIDER/MODEL``: verify the enclave a model runs in, for providers
whose plugin registered the ``attestation`` capability; the host knows nothing of how."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from functools import partial
from typing import Any

from ..catalog import Resolution
from ..host import Host


def add_parser(msub: Any, resolve_ref: Callable[[Host, str], Resolution]) -> Any:
    """``resolve_ref``: how ``models`` turns a ref into a catalog model (passed in, so this
    module does not import ``models``, which imports it)."""
    at = msub.add_parser("attest")  # its help is in models.ACTIONS
    at.add_argument("ref", metavar="PROVIDER/MODEL", help="the model whose enclave to attest")
    at.add_argument("--json", action="store_true", help="print the report as JSON")
    at.add_argument(
        "--receipt", metavar="ID",
        help="also verify the enclave's signed receipt of the answer ID against the attested key",
    )  # fmt: skip
    at.set_defaults(handler=partial(run_attest, resolve_ref=resolve_ref))
    return at


def run_attest(
    args: argparse.Namespace, host: Host, resolve_ref: Callable[[Host, str], Resolution]
) -> int:
    model = resolve_ref(host, args.ref).model
    import asyncio

    attestation = host.registry.attestation(model.provider)  # a clear error when not offered
    provider = host.registry.provider(model.provider)
    key = host.resolve_key(provider)
    extra = {"receipt": args.receipt} if args.receipt else {}
    call = attestation.attest(host.provider_context(provider), key.value, model.id, **extra)
    result = asyncio.run(call)
    if args.json:
        host.out(json.dumps(dict(result.data), indent=2))
    else:
        for line in result.lines:
            host.out(line)
    if not result.passed:
        host.err(f"Error: {result.summary}")
        return 1
    return 0
