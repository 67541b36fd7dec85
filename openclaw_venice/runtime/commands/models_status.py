"""``openclaw models status``: the default model, and per provider where its key came from,
its base URL, where its catalog came from (and why, when it is the bundled one), its balance
and its rate limits (with the recent times they were hit: ``rateLimitLog`` in ``--json``)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from ..catalog import Catalog
from ..host import Host
from ..urls import shown_url

if TYPE_CHECKING:
    from ..secrets import ResolvedKey


def run_status(args: argparse.Namespace, host: Host) -> int:
    from ..errors import SecretError
    from ..secrets import referenced_variable
    from .balance_status import account_status, balance_line, limits_line

    status: dict[str, Any] = {
        "configPath": str(host.config_path),
        "defaultModel": host.default_model_ref(),
        "providers": {},
    }
    catalogs: dict[str, Catalog] = {}
    for pid in sorted(host.registry.providers):
        provider = host.registry.provider(pid)
        variable = referenced_variable(
            host.provider_config(pid).get("apiKey"), provider.auth_methods[0].env_var
        )
        try:
            resolved: ResolvedKey | None = host.resolve_key(provider)
        except SecretError:
            resolved = None
        catalog = catalogs[pid] = host.catalog(pid)
        status["providers"][pid] = {
            "keySource": resolved.source if resolved else None,
            "keyVariable": variable,
            "baseUrl": shown_url(provider.base_url(host.provider_context(provider))),
            "catalogSource": catalog.source,
            "catalogNotes": list(catalog.notes),
            **account_status(host, provider, resolved),
        }
    status["chatModel"] = status["defaultModel"] or _fallback_model(host, catalogs)
    if args.json:
        host.out(json.dumps(status, indent=2))
        return 0
    host.out(f"Config:        {status['configPath']}")
    host.out(f"Default model: {status['defaultModel'] or _unset_text(status['chatModel'])}")
    for pid, info in status["providers"].items():
        method = host.registry.provider(pid).auth_methods[0]
        host.out(
            f"{pid}: {_key_text(info, method.choice)}; base URL {info['baseUrl']}; "
            f"{_catalog_text(catalogs[pid])}"
        )
        for line in (
            balance_line(info["balance"]),
            limits_line(info["rateLimits"], info["rateLimitLog"]),
        ):
            if line:
                host.out(line)
    return 0


def _fallback_model(host: Host, catalogs: dict[str, Catalog]) -> str | None:
    """The model ``openclaw chat`` uses when no default is set: with one chat provider
    installed, its default (or a sensible model it lists), as ``chat`` picks it."""
    from ..onboarding import pick_default
    from ..plugins import ChatProvider

    chatty = [p for p in host.registry.providers.values() if isinstance(p, ChatProvider)]
    if len(chatty) != 1 or chatty[0].id not in catalogs:
        return None
    chosen = pick_default(catalogs[chatty[0].id].models, chatty[0].default_model)
    return chosen.ref if chosen else None


def _unset_text(chat_model: str | None) -> str:
    choose = "`openclaw models set PROVIDER/MODEL` sets one"
    if chat_model is None:
        return f"none set; {choose}"
    return f"none set, so chat uses {chat_model}; {choose}"


def _key_text(info: dict[str, Any], choice: str) -> str:
    variable, source = info["keyVariable"], info["keySource"]
    if source is None:
        return f"no API key (set {variable} or run `openclaw onboard --auth-choice {choice}`)"
    if source == "env":
        return f"key from {variable} (environment)"
    if source in ("keyring", "config env block"):  # both hold it under the variable's name
        return f"key from the {source} ({variable})"
    return f"key from the {source}"


def _catalog_text(catalog: Catalog) -> str:
    """``catalog live``; for a fallback, why (the provider's words, without its advice)."""
    reason = catalog.fallback
    return f"catalog {catalog.source}, as {reason}" if reason else f"catalog {catalog.source}"
