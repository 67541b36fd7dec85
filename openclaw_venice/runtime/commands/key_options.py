"""Each provider's key option (``--venice-api-key``, named by its auth method) on every command
that sends a key: ``chat``, ``image``, ``embed``, ``usage``, ``models status`` and ``models
attest``, as on ``onboard``. The value goes to :attr:`.host.Host.key_flags`, first in the key
order for that provider. The environment variable is the better way (a key on the command line
is in the shell's history and in the process list); the option is there for one-off use."""

from __future__ import annotations

import argparse

from ..host import Host
from ..plugins import AuthMethod, Registry


def dest(method: AuthMethod) -> str:
    return "key_" + method.choice.replace("-", "_")


def add_key_options(parser: argparse.ArgumentParser, registry: Registry | None) -> None:
    for provider in registry.providers.values() if registry else ():
        for method in provider.auth_methods:
            parser.add_argument(
                method.cli_flag, dest=dest(method), metavar="KEY",
                help=f"{method.label} for this run (default: {method.env_var}, the config, "
                "the keyring)",
            )  # fmt: skip


def take_key_options(args: argparse.Namespace, host: Host) -> None:
    """The key options given, by provider, for :meth:`.host.Host.resolve_key`."""
    for provider in host.registry.providers.values():
        for method in provider.auth_methods:
            value = getattr(args, dest(method), None)
            if value is not None:
                host.key_flags[provider.id] = value
