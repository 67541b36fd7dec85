"""``openclaw connect RUNTIME [--undo]``: point an agent runtime's own config at ``openclaw
serve`` (one entry in its providers' table, beside what the user wrote), or take exactly that
entry out again."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..host import Host


def add_parser(sub: Any) -> None:
    from ..gateway.connect import names
    from .serve import DEFAULT_PORT

    parser = sub.add_parser("connect", help="point an agent runtime's config at `openclaw serve`")
    parser.add_argument("runtime", choices=names(), help="the runtime whose config to edit")
    parser.add_argument("--undo", action="store_true", help="remove what connect wrote there")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT,
        help=f"the port `openclaw serve` listens on (default {DEFAULT_PORT})",
    )  # fmt: skip
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, host: Host) -> int:
    from ..gateway import connect
    from ..gateway.guard import load_token, token_path

    runtime = connect.RUNTIMES[args.runtime]
    if args.undo:
        path = connect.undo(runtime, host.env, host.state_dir)
        if runtime.owned is None:
            host.out(f"Removed the {connect.ENTRY} entry from {path}.")
        else:
            host.out(f"Removed {path} (the {connect.ENTRY} provider).")
        note = runtime.undo_note(path) if runtime.undo_note is not None else None
        if note:
            host.out(f"{note}.")
        return 0
    models = _models(host) if runtime.lists_models else ()
    target = connect.Target(
        f"http://127.0.0.1:{args.port}/v1", load_token(token_path(host.state_dir)), models
    )
    path = connect.connect(runtime, target, host.env, host.state_dir)
    step = runtime.next_step.format(entry=connect.ENTRY)
    host.out(f"{runtime.label} now reaches `openclaw serve` through {path}; {step}.")
    return 0


def _models(host: Host) -> list[Any]:
    from ..plugins import ChatProvider

    return [
        model
        for provider in host.registry.providers.values()
        if isinstance(provider, ChatProvider)
        for model in host.catalog(provider.id).models
    ]
