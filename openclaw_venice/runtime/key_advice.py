"""What to tell a person whose API key was refused, or whose new key something else shadows:
where the key in use came from and how to change that. Provider-neutral: a provider says only
that the key was refused (:class:`~.errors.KeyRefusedError`); the host knows where the key
came from (:meth:`.host.Host.resolve_key` records it)."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from .auth import AuthMethod
from .secrets import ResolvedKey


class UsedKey(NamedTuple):
    """The key a command resolved for a provider, and how it is named."""

    key: ResolvedKey
    method: AuthMethod
    variable: str  # the variable the config's apiKey refers to (default: the method's)
    config: Path


def source_of(used: UsedKey) -> str:
    """Where the key was found, as a person can go and look: "VENICE_API_KEY in your
    environment", "the system keyring (service openclaw, VENICE_API_KEY)"..."""
    from .secrets import STATE_STORE

    name, config = used.variable, used.config
    return {
        "flag": f"the {used.method.cli_flag} option",
        "env": f"{name} in your environment",
        "config env block": f"{name} in the env block of {config}",
        "keyring": f"the system keyring (service openclaw, {name})",
        STATE_STORE: f"OpenClaw's state store (profile {used.method.profile_id})",
        "config": f"the apiKey written in {config}",
        "auth profile": f"OpenClaw's auth profile {used.method.profile_id}",
    }.get(used.key.source, used.key.source)


def refused(used: UsedKey) -> str:
    """The advice after a refused key: where it came from, and what replaces it."""
    onboard = f"`openclaw onboard --auth-choice {used.method.choice}`"
    if used.key.source == "flag":
        return f"the key given with {used.method.cli_flag} was refused; check it and try again"
    if used.key.source == "env":
        name = used.variable
        return (
            f"the key came from {source_of(used)}, which overrides any stored key: set it to "
            f"a valid key, or `unset {name}` (and remove it from your shell profile) to use "
            f"the stored one, or store a new one with {onboard}"
        )
    return f"the key came from {source_of(used)}; store a new one with {onboard}"


def shadowed(winner: UsedKey) -> str:
    """The warning when the key just stored is not the one commands will use."""
    if winner.key.source == "env":
        name = winner.variable
        return (
            f"{name} is set in your environment and overrides the key just stored, so "
            f"commands will not use the new key: run `unset {name}` and remove it from your "
            f"shell profile (or export the new key there)"
        )
    return (
        f"{source_of(winner)} comes before the key just stored, so commands will use it; "
        "remove it there to use the new key"
    )
