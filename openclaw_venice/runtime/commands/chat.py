"""``openclaw chat``: one prompt, piped stdin, or a multi-turn session on a terminal.

Provider-neutral: the model ref picks the provider, the provider's ``chat_flags`` add their
own options, and the turn is streamed through its ``ChatSession``. The model id after
``provider/`` goes to the provider as the user wrote it: its syntax (a variant suffix, say)
is the provider's business.
"""

from __future__ import annotations

import argparse
import asyncio
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..ai import ChatSettings, Context, UserPart
from ..catalog import split_ref
from ..errors import PluginError, UsageError
from ..host import Host
from ..plugins import AuthMethod, ChatProvider, Registry, close_provider
from .chat_input import (
    combine,
    load_audio,
    load_image,
    load_video,
    positive_int,
    read_stdin,
    user_message,
)
from .chat_output import TurnPrinter
from .chat_turn import Turn

if TYPE_CHECKING:
    from ..characters import Character
    from ..secret import SecretStr
    from ..secrets import ResolvedKey

LEVELS = ("off", "minimal", "low", "medium", "high", "xhigh")


def add_parser(sub: Any, registry: Registry | None = None) -> None:
    parser = sub.add_parser("chat", help="chat with a model (streamed)")
    parser.add_argument(
        "prompt", nargs="*", help="the prompt (none: read stdin or start a session)"
    )
    parser.add_argument(
        "--model", "-m", metavar="PROVIDER/MODEL",
        help="the model (default: the config's, else the provider's default)",
    )  # fmt: skip
    parser.add_argument("--system", metavar="TEXT", help="system prompt")
    parser.add_argument(
        "--image", action="append", default=[], metavar="PATH",
        help="attach a PNG, JPEG, GIF or WebP image (repeatable; vision models)",
    )  # fmt: skip
    parser.add_argument(
        "--audio", action="append", default=[], metavar="PATH",
        help="attach a WAV, MP3, AAC, Ogg, FLAC or M4A file (repeatable; audio models)",
    )  # fmt: skip
    parser.add_argument(
        "--video", action="append", default=[], metavar="PATH|URL",
        help="attach an MP4, MOV or WebM file, or an https URL (up to 3; video models)",
    )  # fmt: skip
    parser.add_argument(
        "--max-tokens", type=positive_int, metavar="N",
        help="at most N tokens in the answer (default: the model's limit)",
    )  # fmt: skip
    parser.add_argument(
        "--temperature", type=float, metavar="T",
        help="sampling temperature, 0 to 2 (default: the model's)",
    )  # fmt: skip
    parser.add_argument(
        "--timeout", type=_seconds, metavar="SECONDS", help="give up on a turn after this long"
    )
    parser.add_argument("--thinking", choices=LEVELS, help="reasoning effort")
    parser.add_argument("--show-thinking", action="store_true", help="print reasoning (stderr)")
    parser.add_argument("--json-schema", metavar="FILE", help="answer as JSON matching FILE")
    parser.add_argument("--json", action="store_true", help="print the final turn as JSON")
    parser.add_argument(
        "--character", metavar="SLUG",
        help="talk to one of the provider's characters (`openclaw characters` lists them); "
        "without --model, on the character's own model",
    )  # fmt: skip
    for provider in _chat_providers(registry):
        group = parser.add_argument_group(f"{provider.label} options")
        for method in provider.auth_methods:
            group.add_argument(
                method.cli_flag, dest=_key_dest(method), metavar="KEY",
                help=f"{method.label} (default: {method.env_var}, then the config and keyring)",
            )  # fmt: skip
        for flag in provider.chat_flags:
            if flag.choices or flag.metavar:
                group.add_argument(
                    flag.flag, dest=f"p_{flag.dest}", help=flag.help, choices=flag.choices or None,
                    metavar=flag.metavar,
                )  # fmt: skip
            else:
                group.add_argument(
                    flag.flag, dest=f"p_{flag.dest}", action="store_true", default=None,
                    help=flag.help,
                )  # fmt: skip
    parser.set_defaults(handler=run)


def _key_dest(method: AuthMethod) -> str:
    return "key_" + method.choice.replace("-", "_")


def _chat_providers(registry: Registry | None) -> list[ChatProvider]:
    providers = registry.providers.values() if registry else ()
    return [p for p in providers if isinstance(p, ChatProvider)]


def run(args: argparse.Namespace, host: Host) -> int:
    settings = chat_settings(args)  # bad options stop us before anything else happens
    images: list[UserPart] = [load_image(path) for path in args.image]
    images += [load_audio(path) for path in args.audio]
    images += [load_video(where) for where in args.video]
    piped = None if host.stdin.isatty() else read_stdin(host.stdin)
    if args.character and not args.model:
        provider, model, key = with_character(host, args)  # its own model
    else:
        provider, model = resolve_model(host, args.model)
        key = host.resolve_key(provider, _flag_key(args, provider))
        if args.character:
            check_character(host, provider, key.value, args.character)
    settings = settings._replace(character=args.character)
    catalog = host.catalog(provider.id)
    context = Context(system_prompt=args.system)
    printer = TurnPrinter(host, show_thinking=args.show_thinking, as_json=args.json)
    session = provider.chat(host.provider_context(provider), key.value, catalog)
    prompt = combine(" ".join(args.prompt), piped)
    turn = Turn(session, provider.id, model, context, settings, printer, catalog.fallback)
    with asyncio.Runner() as runner:
        try:
            if piped is not None or prompt:
                if not prompt.strip():
                    raise UsageError("the prompt is empty; pass it as an argument or on stdin")
                context.messages.append(user_message(prompt, images))
                runner.run(turn.run())
            else:
                from .chat_session import interactive

                interactive(host, runner, turn, images)
        finally:
            runner.run(session.aclose())
            failure = runner.run(close_provider(provider))  # in the loop its calls ran in
            if failure:
                host.warn(failure)
    return 0


def _flag_key(args: argparse.Namespace, provider: ChatProvider) -> str | None:
    return next((getattr(args, _key_dest(m), None) for m in provider.auth_methods), None)


def with_character(host: Host, args: argparse.Namespace) -> tuple[ChatProvider, str, ResolvedKey]:
    """``--character`` without ``--model``: the provider that hosts characters (the default
    model's when it does, else the one installed that does), the character checked, and the
    model it runs on (else the provider's default)."""
    from .capability_use import pick_provider

    default = host.default_model_ref()
    provider_id = split_ref(default)[0] if default and "/" in default else None
    if provider_id not in host.registry.offers("characters"):
        provider_id, _ = pick_provider(host, "characters", None)
    provider = host.registry.provider(provider_id)
    if not isinstance(provider, ChatProvider):
        raise PluginError(f"provider {provider_id} cannot chat; pick another with --model")
    check_base_url(provider.id, provider.base_url(host.provider_context(provider)))
    key = host.resolve_key(provider, _flag_key(args, provider))
    character = check_character(host, provider, key.value, args.character)
    model = character.model or provider.default_model
    if not model:
        raise UsageError(f"say which model {character.ref} should run on: --model PROVIDER/MODEL")
    if character.model and host.catalog(provider.id).resolve(model) is None:
        raise UsageError(
            f"{character.ref} runs on {provider.id}/{model}, which {provider.id}'s model list "
            "lacks; pick one with --model PROVIDER/MODEL (`openclaw models list`)"
        )
    host.err(f"{character.name} ({character.ref}), on {provider.id}/{model}")
    return provider, model, key


def check_character(host: Host, provider: ChatProvider, key: SecretStr, slug: str) -> Character:
    """The character ``slug`` of ``provider``: before any chat request, so a mistyped slug
    is one line (:class:`UnknownCharacterError`, with the closest slugs) and costs nothing."""
    capability = host.registry.characters(provider.id)  # a clear error when none
    ctx = host.provider_context(provider)
    return asyncio.run(capability.character(ctx, key, slug))


def resolve_model(host: Host, ref: str | None) -> tuple[ChatProvider, str]:
    """The provider for ``ref`` (or the configured default model, or an alias's model, else
    the default model of the one installed chat provider), and the model id as written after
    ``provider/``: the provider resolves it."""
    ref = ref or host.default_model_ref() or _provider_default(host)
    ref = {alias: r for r, alias in host.model_aliases().items()}.get(ref, ref)
    single = next(iter(host.registry.providers)) if len(host.registry.providers) == 1 else None
    provider_id, model_id = split_ref(ref, single)
    if provider_id is None:
        raise UsageError(f"say which provider {ref!r} belongs to: PROVIDER/{ref}")
    provider = host.registry.provider(provider_id)
    if not isinstance(provider, ChatProvider):
        raise PluginError(f"provider {provider_id} cannot chat; pick another model")
    check_base_url(provider.id, provider.base_url(host.provider_context(provider)))
    return provider, model_id


def chat_settings(args: argparse.Namespace) -> ChatSettings:
    schema = _json_file(args.json_schema) if args.json_schema else None
    options = {
        name[2:]: value
        for name, value in vars(args).items()
        if name.startswith("p_") and value is not None
    }
    return ChatSettings(
        timeout=args.timeout,
        max_tokens=args.max_tokens,
        temperature=args.temperature,
        reasoning=args.thinking,
        session_id=uuid.uuid4().hex,
        response_schema=schema,
        provider_options=options,
    )


def check_base_url(provider_id: str, url: str) -> None:
    """A base URL that cannot be sent to (a bad port, no host, no http/https) is refused
    before a key goes anywhere, saying where to fix it."""
    from urllib.parse import urlsplit

    from ..urls import shown_url

    shown = shown_url(url)  # a user name, password or token in it is not printed
    where = (
        f"models.providers.{provider_id}.baseUrl in the config (or the environment variable "
        "that overrides it)"
    )
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. an unclosed [ of an IPv6 address
        raise UsageError(f"the base URL {shown} is malformed ({exc}); fix {where}") from None
    try:
        parts.port  # noqa: B018 - raises ValueError when out of range or not a number
    except ValueError as exc:
        raise UsageError(f"the base URL {shown} has a bad port ({exc}); fix {where}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"the base URL {shown} is not an http(s) URL with a host; fix {where}")


def _provider_default(host: Host) -> str:
    """With one chat provider installed, its default model (or a sensible one it lists)."""
    from ..onboarding import pick_default

    providers = _chat_providers(host.registry)
    if len(providers) == 1:
        provider = providers[0]
        check_base_url(provider.id, provider.base_url(host.provider_context(provider)))
        chosen = pick_default(host.catalog(provider.id).models, provider.default_model)
        if chosen is not None:
            return chosen.ref
    raise UsageError(
        "no model given and no default set; pass --model PROVIDER/MODEL or run "
        "`openclaw models set PROVIDER/MODEL`"
    )


def _json_file(path: str) -> dict[str, Any]:
    import json

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UsageError(f"{path} is not valid JSON ({exc}); fix it and try again") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path} must hold a JSON Schema object")
    return data


def _seconds(text: str) -> float:
    """``--timeout``: a positive number of seconds."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return seconds
