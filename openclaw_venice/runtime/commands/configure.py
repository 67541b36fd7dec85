"""``openclaw configure``: an interactive menu in front of the same onboarding flow."""

from __future__ import annotations

import argparse
from typing import Any

from ..host import Host
from ..plugins import Registry
from . import onboard
from .pickers import find_method, pick, pick_choice

SECTIONS = ("Model/auth",)


def add_parser(sub: Any, registry: Registry | None = None) -> None:
    parser = sub.add_parser(
        "configure", help="interactive setup menu", description="Set up a provider from a menu."
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, host: Host) -> int:
    host.err("What do you want to configure?")
    for number, section in enumerate(SECTIONS, 1):
        host.err(f"  {number}) {section}")
    pick(host, "Choose", len(SECTIONS))
    choice = pick_choice(host)
    provider, method = find_method(host.registry, choice)
    defaults = argparse.Namespace(
        non_interactive=False,
        secret_input_mode="keyring",
        store_key_in_config=False,
        set_default=False,
        model=None,
        json=False,
    )
    return onboard.onboard(defaults, host, provider, method)
