"""``openclaw onboard``: choose an auth method, store the key safely, write the config.

The key goes to the system keyring and the config refers to it as ``${VAR}``; it is never
written to the config in plaintext unless the user asks for the ``env`` block.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from ..auth_store import database_key
from ..catalog import Catalog, ModelInfo
from ..config_edit import save_edits
from ..config_file import get_path
from ..errors import SecretError, UsageError
from ..host import Host
from ..key_input import ask, confirm, mask, normalize_key, read_hidden
from ..onboarding import Choices, current_default, pick_default, plan
from ..plugins import AuthMethod, Provider, Registry
from ..secrets import referenced_variable
from ..terminal import for_stream
from .pickers import find_method, pick, pick_choice

if TYPE_CHECKING:
    from ..secret import SecretStr
    from ..secrets import ResolvedKey


def add_parser(sub: Any, registry: Registry | None = None) -> None:
    parser = sub.add_parser("onboard", help="set up a provider: API key, config, default model")
    add_onboard_arguments(parser, registry)
    parser.set_defaults(handler=run)


def add_onboard_arguments(parser: argparse.ArgumentParser, registry: Registry | None) -> None:
    offered = [m.choice for p in (registry.providers.values() if registry else ()) for m in
               p.auth_methods]  # fmt: skip
    parser.add_argument(
        "--auth-choice", metavar="CHOICE",
        help=f"how to authenticate: {', '.join(offered) or 'none offered (install a provider)'}",
    )  # fmt: skip
    parser.add_argument("--non-interactive", action="store_true", help="never prompt")
    parser.add_argument(
        "--secret-input-mode",
        choices=["keyring", "ref"],
        default="keyring",
        help="keyring: store the key in the system keyring (default); ref: store nothing, "
        "write a ${VAR} reference to a variable you set yourself",
    )
    parser.add_argument(
        "--store-key-in-config",
        action="store_true",
        help="where no system keyring is usable, keep the key in the config's env block",
    )
    parser.add_argument("--set-default", action="store_true", help="replace the default model")
    parser.add_argument(
        "--model", metavar="PROVIDER/MODEL", help="the default model to set (implies --set-default)"
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    for provider in registry.providers.values() if registry else ():
        for method in provider.auth_methods:
            dest = "key_" + method.choice.replace("-", "_")
            parser.add_argument(method.cli_flag, dest=dest, metavar="KEY", help=method.label)


@dataclass(slots=True)
class KeyDecision:
    key: SecretStr | None  # None: nothing new to store (an existing key is kept)
    source: str
    kept: SecretStr | None = None  # the existing key that is kept, when key is None


def run(args: argparse.Namespace, host: Host) -> int:
    choice = args.auth_choice
    if choice is None and not args.non_interactive:
        choice = pick_choice(host)
    provider, method = find_method(host.registry, choice)
    return onboard(args, host, provider, method)


def onboard(args: argparse.Namespace, host: Host, provider: Provider, method: AuthMethod) -> int:
    interactive = not args.non_interactive
    _ = host.config  # read and checked first: a bad one stops us before anything is asked
    if interactive and method.note:
        host.err(method.note)
    flag_value = getattr(args, "key_" + method.choice.replace("-", "_"), None)
    decision = decide_key(host, provider, method, flag_value, interactive)
    written = get_path(host.config.data, "models", "providers", provider.id)
    written = written if isinstance(written, Mapping) else {}  # as written: ${VAR}s kept
    variable = referenced_variable(written.get("apiKey"), method.env_var)
    catalog = host.catalog(provider.id)
    wanted = getattr(args, "model", None)
    default = (  # asked before the key is stored: input ending here changes nothing
        _named_model(provider, catalog, wanted)
        if wanted
        else choose_default(host, provider, catalog, interactive)
    )
    storage, env_block_key = store_key(args, host, method, decision, interactive, variable)
    mode = str(host.setting("models", "mode") or "merge")
    block = provider.onboarding_config(written, catalog, "${" + variable + "}", mode)
    block = {key: value for key, value in block.items() if written.get(key) != value}
    ts_key = database_key(host.state_dir, method.profile_id)
    if ts_key is not None and "apiKey" not in written:
        # TypeScript OpenClaw keeps this profile's key in its state store and reads the
        # config's apiKey first: a ${VAR} reference would break its turns wherever the
        # variable is not exported. We find our key without it (see ``secrets``).
        block.pop("apiKey", None)
        if decision.key is not None and decision.key.get_secret_value() != ts_key:
            host.err(
                "TypeScript OpenClaw keeps its own copy of the previous key in its state store "
                "and goes on using it; run its own onboarding to change it there too"
            )
    choices = Choices(
        provider.id,
        method,
        block,
        default,
        bool(args.set_default or interactive or wanted) and default.ref != resolved_default(host),
        env_block_key,
        variable,
    )
    steps = plan(host.config.data, choices)
    moved = moved_key(written, block, env_block_key)
    if decision.source == "keyring" or storage.startswith("system keyring"):
        moved.update(_in_keyring(decision, variable))
    saved = save_edits(host.config, steps.edits, moved, say=host.err)
    nowhere = args.secret_input_mode == "ref" or storage.startswith("not stored")
    warning = key_in_use(host, provider, decision, variable, nowhere)
    summary = {
        "configPath": str(host.config_path),
        "provider": provider.id,
        "authChoice": method.choice,
        "keyStorage": storage,
        "defaultModel": steps.default_ref
        if steps.default_changed
        else resolved_default(host) or steps.default_ref,
        "defaultModelChanged": steps.default_changed,
        "catalogSource": catalog.source,
        "commentsKept": saved.comments_kept,
    }
    if warning:
        summary["keyWarning"] = warning
        host.warn(warning)
    print_summary(host, summary, args.json)
    return 0


def key_in_use(
    host: Host, provider: Provider, decision: KeyDecision, variable: str, nowhere: bool
) -> str | None:
    """After the config is written, whether commands will use the key just given; the
    warning when they will not. A key stored nowhere replaces the one the keyring holds
    under its name (that one is removed); another stored key that would still be used is
    named."""
    from ..key_advice import shadowed, source_of

    if decision.key is None:
        return None
    new = decision.key.get_secret_value()
    host.reload_config()
    if not nowhere:
        try:
            now = host.resolve_key(provider)
        except SecretError:
            return None
        if now.value.get_secret_value() == new or host.used_key is None:
            return None
        return shadowed(host.used_key)
    if host.env.get(variable, "").strip():
        return None  # set already: it comes first
    stand_in = Host({k: v for k, v in host.env.items() if k != variable}, host.stdout,
                    host.stderr, host.registry, host.stdin)  # fmt: skip
    try:
        old = stand_in.resolve_key(provider)
    except SecretError:
        return None
    if old.value.get_secret_value() == new or stand_in.used_key is None:
        return None
    if old.source == "keyring" and _forget_keyring_key(variable):
        host.err(f"Removed the previous key from the system keyring ({variable}).")
        return None
    return (
        f"until {variable} is set, commands use the key from {source_of(stand_in.used_key)}; "
        f"set {variable}, or remove that key there"
    )


def _forget_keyring_key(variable: str) -> bool:
    from ..secrets import KEYRING_SERVICE, keyring_backend_name

    if keyring_backend_name() is None:
        return False
    try:
        import keyring

        keyring.delete_password(KEYRING_SERVICE, variable)
    except Exception:  # absent, locked, denied: the warning names it instead
        return False
    return True


def moved_key(
    written: Mapping[str, Any], block: Mapping[str, Any], env_block_key: str | None
) -> dict[str, str]:
    """A literal ``apiKey`` the new block replaces by its reference, unless the key goes into
    the config's env block: it is taken out of every file saved, the ``.bak`` included
    (there, the reference stands in its place)."""
    literal, reference = written.get("apiKey"), block.get("apiKey")
    if env_block_key is not None or not isinstance(literal, str) or "${" in literal:
        return {}
    if not isinstance(reference, str):
        return {}
    return {literal: reference, literal.strip(): reference}


def _in_keyring(decision: KeyDecision, variable: str) -> dict[str, str]:
    """The key that is in the keyring now: an older ``.bak`` may still hold it in plaintext
    (one written before backups were cleaned), so it is taken out there too."""
    key = decision.key or decision.kept
    return {key.get_secret_value(): "${" + variable + "}"} if key is not None else {}


def decide_key(
    host: Host, provider: Provider, method: AuthMethod, flag_value: str | None, interactive: bool
) -> KeyDecision:
    from ..secret import SecretStr

    if flag_value is not None:
        return KeyDecision(_checked(normalize_key(flag_value), method), "flag")
    try:
        existing = host.resolve_key(provider)
    except SecretError:
        existing = None
    # a key only in the environment or written literally in the config is stored properly
    fresh = existing is not None and existing.source in ("env", "config")
    if existing is not None and not interactive:
        return KeyDecision(*_existing(existing, fresh))
    if existing is not None:
        preview = mask(existing.value.get_secret_value())
        question = f"Use the existing key {preview} (from {existing.source})? [Y/n]"
        if confirm(question, True, host.stdin, host.stderr):
            return KeyDecision(*_existing(existing, fresh))
    if not interactive:
        raise SecretError(
            f"Missing {method.cli_flag} (or {method.env_var} in env, or existing "
            f"{provider.id} API-key profile)."
        )
    for _ in range(3):
        try:
            key = normalize_key(read_hidden(method.prompt, host.stdin, host.stderr))
        except EOFError:
            raise SecretError(
                "no key entered (input ended); run `openclaw onboard` again when you have it"
            ) from None
        if key:
            return KeyDecision(SecretStr(key), "prompt")
        host.err("The key cannot be empty.")
    raise SecretError("no key entered; run `openclaw onboard` again when you have it")


def _existing(existing: ResolvedKey, fresh: bool) -> tuple[SecretStr | None, str, SecretStr]:
    return (existing.value if fresh else None), existing.source, existing.value


def _checked(key: str, method: AuthMethod) -> SecretStr:
    from ..secret import SecretStr

    if not key:
        raise UsageError(f"{method.cli_flag} is empty; pass the key itself")
    return SecretStr(key)


def store_key(
    args: argparse.Namespace,
    host: Host,
    method: AuthMethod,
    decision: KeyDecision,
    interactive: bool,
    variable: str,
) -> tuple[str, str | None]:
    """Where the key went (the keyring entry named ``variable``, the one the config's
    ``apiKey`` refers to), and the key when it goes into the config's env block."""
    from ..secrets import keyring_set

    if decision.key is None:
        return f"kept in {decision.source}", None
    if args.secret_input_mode == "ref":
        return f"not stored; the config refers to ${{{variable}}}", None
    backend = keyring_set(variable, decision.key, host.warn)
    if backend is not None:
        return f"system keyring ({backend})", None
    in_config = ("config env block (plaintext, file mode 0600)", decision.key.get_secret_value())
    if args.store_key_in_config:
        return in_config
    if interactive:
        question = "No usable system keyring. Keep the key in the config file's env block? [y/N]"
        if confirm(question, False, host.stdin, host.stderr):
            return in_config
        return _without_keyring(host, method, in_config)
    raise SecretError(
        "no usable system keyring to store the key; re-run with --store-key-in-config to keep "
        f"it in the config's env block, or --secret-input-mode ref and set {method.env_var}"
    )


def resolved_default(host: Host) -> str | None:
    """The default model ref with ``${VAR}``s substituted; None when unset or unresolvable."""
    from ..errors import MissingVariableError

    try:
        return host.default_model_ref()
    except MissingVariableError:
        return current_default(host.config.data)


def _without_keyring(
    host: Host, method: AuthMethod, in_config: tuple[str, str]
) -> tuple[str, str | None]:
    """The key was not wanted in the config file: say what else can be done, and do it."""
    host.err("Without a system keyring the key can go:")
    host.err("  1) nowhere: the config refers to ${" + method.env_var + "}, which you set")
    host.err("     yourself (e.g. in your shell profile) before running openclaw")
    host.err("  2) into the config file's env block after all (plaintext, file mode 0600)")
    host.err("  3) cancel: nothing is written (install a keyring backend, then onboard again)")
    answer = pick(host, "Choose", 3)
    if answer == 0:
        return f"not stored; the config refers to ${{{method.env_var}}}", None
    if answer == 1:
        return in_config
    raise SecretError("cancelled; nothing was written")


def choose_default(
    host: Host, provider: Provider, catalog: Catalog, interactive: bool
) -> ModelInfo:
    current = resolved_default(host)
    fallback = pick_default(catalog.models, provider.default_model) or catalog.models[0]
    preferred = next((m for m in catalog.models if m.ref == current), None)
    chosen = preferred or fallback
    if not interactive:
        return fallback
    shown = partial(for_stream, stream=host.stderr)  # model ids and notes are server text
    if catalog.fallback:  # this picker shows the list: say why it is the bundled one
        host.err(f"Models, from the bundled list as {shown(catalog.fallback)}:")
    else:
        host.err(f"Models ({catalog.source}):")
    for number, model in enumerate(catalog.models, 1):
        mark = " (default)" if model is chosen else ""
        host.err(f"  {number:3}) {shown(model.ref)}  {shown(model.privacy or '')}{mark}")
    while True:
        try:
            answer = ask("Default model (number or id)", chosen.id, host.stdin, host.stderr)
        except EOFError:  # Ctrl-D: not a yes to the proposed model
            raise UsageError("no default model chosen (input ended); nothing was changed") from None
        count = len(catalog.models)
        if answer.isdigit():
            if 1 <= int(answer) <= count:
                return catalog.models[int(answer) - 1]
            host.err(f"Please answer with a number from 1 to {count}, or a model id.")
            continue
        resolution = catalog.resolve(answer.removeprefix(f"{provider.id}/"))
        if resolution is not None:
            return resolution.model
        hint = ", ".join(shown(s) for s in catalog.suggestions(answer)[:3])
        host.err(f"No model {answer!r}" + (f"; did you mean {hint}?" if hint else "; try again."))


def _named_model(provider: Provider, catalog: Catalog, ref: str) -> ModelInfo:
    """``--model``: the catalog's record for ``PROVIDER/ID`` (or a bare id), or a clear error."""
    from ..errors import UnknownModelError

    owner, _, model_id = ref.rpartition("/")
    if owner and owner != provider.id:
        raise UsageError(f"--model {ref} is not a {provider.id} model; use {provider.id}/<id>")
    resolution = catalog.resolve(model_id)
    if resolution is None:
        ref = f"{provider.id}/{model_id}"
        raise UnknownModelError(ref, catalog.suggestions(model_id), catalog.fallback)
    return resolution.model


def print_summary(host: Host, summary: dict[str, Any], as_json: bool) -> None:
    if as_json:
        host.out(json.dumps(summary, indent=2))
        return
    changed = "set" if summary["defaultModelChanged"] else "unchanged"
    host.out(f"Config:        {summary['configPath']}")
    host.out(f"API key:       {summary['keyStorage']}")
    host.out(f"Default model: {summary['defaultModel']} ({changed})")
    if not summary["commentsKept"]:
        host.out(f"The file was rewritten; its previous text is in {summary['configPath']}.bak")
