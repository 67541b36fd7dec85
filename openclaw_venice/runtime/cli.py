"""The ``openclaw`` command: a small, provider-neutral OpenClaw-style runtime.

Each subcommand lives in ``commands/<name>.py`` with ``add_parser(subparsers)``; the parser
stores the handler as ``args.handler(args, host) -> int``. Errors of the one error tree
become ``Error: <message>``; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import import_module

from .._version import __version__
from .errors import OpenClawError
from .host import Host
from .plugins import Registry

COMMANDS = ("models", "onboard", "configure", "chat", "hermes", "usage", "image", "embed")
NEEDS_REGISTRY = {"onboard", "configure", "chat"}
GLOBAL_FLAGS = {"--debug", "--verbose", "-v"}  # their flags come from the installed plugins


def build_parser(registry: Registry | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="openclaw", description="OpenClaw-style agent runtime (Python)."
    )
    parser.add_argument("--version", action="version", version=f"openclaw {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--verbose", "-v", action="store_true", help="say more about what happens")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = import_module(f"{__package__}.commands.{name}")
        if name in NEEDS_REGISTRY:
            module.add_parser(sub, registry)
        else:
            module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None, host: Host | None = None) -> int:
    argv = _global_flags_first(list(sys.argv[1:] if argv is None else argv))
    host = host or Host()
    wants_registry = any(arg in NEEDS_REGISTRY for arg in argv[:3])
    parser = build_parser(host.registry if wants_registry else None)
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return 2
    host.verbose = args.verbose
    try:
        return int(args.handler(args, host))
    except OpenClawError as exc:
        if args.debug:
            raise
        print(f"Error: {exc}", file=host.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrupted.", file=host.stderr)
        return 130
    except Exception as exc:  # a bug: still one line unless --debug
        if args.debug:
            raise
        print(
            f"Error: unexpected {type(exc).__name__}: {exc} (re-run with --debug for details)",
            file=host.stderr,
        )
        return 1


def _global_flags_first(argv: list[str]) -> list[str]:
    """``--debug``/``--verbose`` work anywhere on the line, not only before the command."""
    cut = argv.index("--") if "--" in argv else len(argv)
    flags = [a for a in argv[:cut] if a in GLOBAL_FLAGS]
    return flags + [a for a in argv[:cut] if a not in GLOBAL_FLAGS] + argv[cut:]


def entry() -> None:
    raise SystemExit(main())
