"""``openclaw usage``: spend by model over recent days, for every provider that reports it."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..host import Host
from ..plugins import Registry
from .capability_use import call_context, pick_provider, run_async
from .key_options import add_key_options
from .render import counted, format_table


def add_parser(sub: Any, registry: Registry | None = None) -> None:
    parser = sub.add_parser("usage", help="spend by model over recent days")
    parser.add_argument("--provider", metavar="ID", help="only this provider")
    parser.add_argument("--days", type=int, default=7, metavar="N", help="window (default 7)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_key_options(parser, registry)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, host: Host) -> int:
    provider_id, _ = pick_provider(host, "usage", None, args.provider)
    ctx, key = call_context(host, provider_id)
    report = run_async(host.registry.usage(provider_id).usage(ctx, key, args.days))
    if args.json:
        host.out(json.dumps({"provider": provider_id, **report.to_json()}, indent=2))
        return 0
    currencies = report.currencies
    rows = [
        [r.model, r.kind or "-", f"{r.units:,.0f} {r.unit}".strip()]
        + [_money(r.spend.get(c)) for c in currencies]
        for r in report.rows
    ]
    totals = report.totals()
    if rows:
        rows.append(["total", "", ""] + [_money(totals[c]) for c in currencies])
    host.out("\n".join(format_table(["Model", "Type", "Units", *currencies], rows)))
    host.out(
        f"{provider_id}: {counted(len(report.rows), 'model')}, last {report.window or args.days}"
    )
    return 0


def _money(value: float | None) -> str:
    return "-" if value is None else f"{value:,.4f}"
