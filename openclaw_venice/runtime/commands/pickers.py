"""The numbered choices ``onboard`` and ``configure`` ask: which provider's auth method,
and any "1) … 2) …" question, asked again until answered."""

from __future__ import annotations

from ..errors import UsageError
from ..host import Host
from ..key_input import choose
from ..plugins import AuthMethod, Provider, Registry


def find_method(registry: Registry, choice: str | None) -> tuple[Provider, AuthMethod]:
    methods = [(p, m) for p in registry.providers.values() for m in p.auth_methods]
    for provider, method in methods:
        if method.choice == choice:
            return provider, method
    offered = ", ".join(m.choice for _, m in methods) or "none (install a provider plugin)"
    if choice is None:
        raise UsageError(f"--auth-choice is required; choose one of: {offered}")
    raise UsageError(f"unknown --auth-choice {choice!r}; choose one of: {offered}")


def pick_choice(host: Host) -> str:
    methods = [m for p in host.registry.providers.values() for m in p.auth_methods]
    if not methods:
        raise UsageError("no provider plugin offers onboarding; install one")
    host.err("Providers:")
    for number, method in enumerate(methods, 1):
        host.err(f"  {number}) {describe_method(method)}")
    return methods[pick(host, "Choose", len(methods))].choice


def describe_method(method: AuthMethod) -> str:
    """A picker line: "Acme API key: private models (no logs)", from the label "Acme API
    key", the group "Acme" and the hint "Private models (no logs)". The group
    is named only when the label does not name it; the hint, a phrase that may hold its
    own parentheses, follows a colon (a comma after a group), its first letter lowered
    unless it starts an acronym."""
    title = method.label or method.group
    if method.group and method.group.casefold() not in title.casefold():
        title = f"{method.group}: {title}"
    hint = method.hint.strip().rstrip(".")
    if not hint:
        return title
    if hint[:1].isupper() and not hint[1:2].isupper():
        hint = hint[0].lower() + hint[1:]
    return f"{title}, {hint}" if ": " in title else f"{title}: {hint}"


def pick(host: Host, prompt: str, count: int, default: int = 1) -> int:
    """A numbered choice, asked again until it is one; input ending stops with one line."""
    try:
        return choose(prompt, count, default, host.stdin, host.stderr)
    except EOFError:
        raise UsageError("no answer given (input ended); nothing was changed") from None
