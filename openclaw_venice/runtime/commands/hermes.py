"""``openclaw hermes install [--uninstall]``: every installed provider as a Hermes Agent
model provider (plugin folders under ``$HERMES_HOME``), or their removal."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

from ..host import Host
from ..plugins import Plugin
from .render import print_usage


def add_parser(sub: Any) -> None:
    hermes = sub.add_parser("hermes", help="use the installed providers from Hermes Agent")
    hsub = hermes.add_subparsers(dest="hermes_command", metavar="ACTION")
    install = hsub.add_parser(
        "install", help="make every installed provider a Hermes Agent model provider"
    )
    install.add_argument(
        "--uninstall", action="store_true", help="remove exactly what install wrote"
    )
    install.add_argument(
        "--hermes-home", metavar="DIR", help="Hermes' home (default: $HERMES_HOME or ~/.hermes)"
    )
    install.set_defaults(handler=run_install)
    hermes.set_defaults(handler=lambda args, host: print_usage(hermes, host))


def run_install(args: argparse.Namespace, host: Host) -> int:
    from ..hermes.install import hermes_home, install, uninstall

    home = Path(args.hermes_home).expanduser() if args.hermes_home else hermes_home(host.env)
    if args.uninstall:
        removal = uninstall(home)
        if removal is None:
            host.out(f"nothing to remove: openclaw wrote nothing under {home}")
            return 0
        for path in removal.removed:
            host.out(f"removed {path}")
        for path in removal.kept:
            host.warn(f"kept {path}: it changed since `openclaw hermes install` wrote it")
        return 0
    registry = host.registry
    providers = [
        (p.id, p.label, _description(registry.plugins.values(), p.id, p.label))
        for p in sorted(registry.providers.values(), key=lambda p: p.id)
    ]
    if not providers:
        host.out("no provider plugin is installed: nothing to write")
        return 0
    for path in install(home, providers):
        host.out(f"wrote {path}")
    first = providers[0][0]
    model = registry.providers[first].default_model or "MODEL"
    host.out(f'try: hermes -z "Say hi" --provider {first} -m {model}')
    _check_hermes_python(host)
    return 0


def _description(plugins: Any, provider_id: str, label: str) -> str:
    for plugin in plugins:
        if isinstance(plugin, Plugin) and plugin.id == provider_id:
            return plugin.description
    return f"{label} through the openclaw host"


def _check_hermes_python(host: Host) -> None:
    """The plugin folders import this package: the ``hermes`` on PATH must run on a Python
    that has it. Read from the script's first line, nothing is run."""
    found = shutil.which("hermes", path=host.env.get("PATH"))
    if found is None:
        host.warn("no `hermes` command on PATH; install Hermes Agent (pip install hermes-agent)")
        return
    try:
        with open(found, "rb") as script:
            first = script.readline(512).decode("utf-8", "replace").strip()
    except OSError:
        return
    interpreter = first[2:].strip().split()[0] if first.startswith("#!") else ""
    if not interpreter or Path(interpreter).name.startswith("env"):
        return
    if Path(interpreter).resolve() != Path(sys.executable).resolve():
        host.warn(
            f"{found} runs on {interpreter}, not this Python; install openclaw-venice there "
            f"too ({interpreter} -m pip install openclaw-venice) or Hermes cannot load it"
        )
