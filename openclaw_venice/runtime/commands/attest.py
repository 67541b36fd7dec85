"""``openclaw models attest PROVIDER/MODEL``: verify the enclave a model runs in, for providers
that offer it (``AttestingProvider``); the host knows nothing of how."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..errors import PluginError
from ..host import Host
from ..plugins import AttestingProvider


def add_parser(msub: Any) -> None:
    at = msub.add_parser("attest", help="fetch and verify a fresh attestation of a model's enclave")
    at.add_argument("ref", metavar="PROVIDER/MODEL")
    at.add_argument("--json", action="store_true", help="print the report as JSON")
    at.set_defaults(handler=run_attest)


def run_attest(args: argparse.Namespace, host: Host) -> int:
    from .models import resolve_ref

    model = resolve_ref(host, args.ref).model
    provider = host.registry.provider(model.provider)
    if not isinstance(provider, AttestingProvider):
        raise PluginError(f"provider {model.provider} cannot attest its models")
    key = host.resolve_key(provider)
    result = provider.attest(host.provider_context(provider), key.value, model)
    if args.json:
        host.out(json.dumps(dict(result.data), indent=2))
    else:
        for line in result.lines:
            host.out(line)
    if not result.passed:
        host.err(f"Error: {result.summary}")
        return 1
    return 0
