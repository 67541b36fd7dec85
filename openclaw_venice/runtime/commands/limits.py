"""``openclaw limits [--log]``: an API key's rate limits by model (requests a minute, a day,
tokens a minute...), its tier and expiry; with ``--log``, the recent times the account went
over a limit. For any provider that registered the ``rate_limits`` capability."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..account import RateLimitLog, RateLimits
from ..host import Host
from ..plugins import Registry
from .capability_use import call_context, pick_provider, run_async
from .key_options import add_key_options
from .render import counted, print_table


def add_parser(sub: Any, registry: Registry | None = None) -> None:
    parser = sub.add_parser("limits", help="rate limits of your API key, and when you hit them")
    parser.add_argument("--provider", metavar="ID", help="only this provider")
    parser.add_argument(
        "--log", action="store_true", help="the recent times the account went over a limit"
    )
    parser.add_argument("--model", metavar="TEXT", help="only models whose id contains TEXT")
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_key_options(parser, registry)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, host: Host) -> int:
    provider_id, _ = pick_provider(host, "rate_limits", None, args.provider)
    ctx, key = call_context(host, provider_id)
    capability = host.registry.rate_limits(provider_id)
    if args.log:
        log = run_async(capability.rate_limit_log(ctx, key))
        return _show_log(host, provider_id, _log_of(log, args.model), args.json)
    limits = run_async(capability.rate_limits(ctx, key))
    return _show_limits(host, provider_id, limits, args.model, args.json)


def _show_limits(
    host: Host, provider_id: str, limits: RateLimits, model: str | None, as_json: bool
) -> int:
    table = {
        m: amounts for m, amounts in limits.by_model().items() if _matches(m, model)
    }  # fmt: skip
    if as_json:
        payload = limits.to_json()
        payload["limits"] = [{"model": m, **amounts} for m, amounts in table.items()]
        host.out(json.dumps({"provider": provider_id, **payload}, indent=2))
        return 0
    kinds = limits.kinds()
    rows = [[m or "(every model)", *(_amount(a.get(k)) for k in kinds)] for m, a in table.items()]
    footers = [f"{provider_id}: {counted(len(rows), 'model')}; {limits.summary()}"]
    if limits.next_period:
        footers.append(f"{provider_id}: the next period begins {limits.next_period}")
    print_table(host, ["Model", *kinds], rows, footers, whole=0)
    return 0


def _log_of(log: RateLimitLog, model: str | None) -> RateLimitLog:
    return RateLimitLog(tuple(e for e in log.events if _matches(e.model, model)))


def _show_log(host: Host, provider_id: str, log: RateLimitLog, as_json: bool) -> int:
    if as_json:
        host.out(json.dumps({"provider": provider_id, "events": log.to_json()}, indent=2))
        return 0
    if not log.events:
        host.err(f"{provider_id}: no limit was exceeded recently")
        return 0
    rows = [[e.time, e.model or "-", e.kind, e.tier or "-"] for e in log.events]
    footer = f"{provider_id}: {counted(len(rows), 'time')} over a limit, most recent as listed"
    print_table(host, ["Time", "Model", "Limit", "Tier"], rows, [footer], whole=1)
    return 0


def _matches(model: str | None, wanted: str | None) -> bool:
    return wanted is None or (model is not None and wanted.lower() in model.lower())


def _amount(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if value == int(value) else f"{value:,g}"
