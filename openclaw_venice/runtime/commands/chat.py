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
from typing import Any

from ..ai import ChatSettings, Context, ImagePart, TextPart, UserMessage
from ..catalog import split_ref
from ..errors import PluginError, UsageError
from ..host import Host
from ..plugins import ChatProvider, ChatSession, Registry
from .chat_output import TurnPrinter

LEVELS = ("off", "minimal", "low", "medium", "high", "xhigh")


def add_parser(sub: Any, registry: Registry | None = None) -> None:
    parser = sub.add_parser("chat", help="chat with a model (streamed)")
    parser.add_argument(
        "prompt", nargs="*", help="the prompt (none: read stdin or start a session)"
    )
    parser.add_argument("--model", "-m", metavar="PROVIDER/MODEL", help="default: the config's")
    parser.add_argument("--system", metavar="TEXT", help="system prompt")
    parser.add_argument("--image", action="append", default=[], metavar="PATH", help="attach")
    parser.add_argument("--max-tokens", type=int, metavar="N")
    parser.add_argument("--temperature", type=float, metavar="T")
    parser.add_argument("--thinking", choices=LEVELS, help="reasoning effort")
    parser.add_argument("--show-thinking", action="store_true", help="print reasoning (stderr)")
    parser.add_argument("--json-schema", metavar="FILE", help="answer as JSON matching FILE")
    parser.add_argument("--json", action="store_true", help="print the final turn as JSON")
    for provider in _chat_providers(registry):
        group = parser.add_argument_group(f"{provider.label} options")
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


def _chat_providers(registry: Registry | None) -> list[ChatProvider]:
    providers = registry.providers.values() if registry else ()
    return [p for p in providers if isinstance(p, ChatProvider)]


def run(args: argparse.Namespace, host: Host) -> int:
    provider, model = resolve_model(host, args.model)
    catalog = host.catalog(provider.id)
    key = host.resolve_key(provider)
    settings = chat_settings(args)
    context = Context(system_prompt=args.system)
    images = [_image(path) for path in args.image]
    printer = TurnPrinter(host, show_thinking=args.show_thinking, as_json=args.json)
    session = provider.chat(host.provider_context(provider), key.value, catalog)
    prompt = " ".join(args.prompt)
    with asyncio.Runner() as runner:
        try:
            if prompt or not host.stdin.isatty():
                text = prompt or host.stdin.read()
                if not text.strip():
                    raise UsageError("the prompt is empty; pass it as an argument or on stdin")
                context.messages.append(_user(text, images))
                runner.run(_turn(session, model, context, settings, printer))
            else:
                host.err(f"Chatting with {provider.id}/{model}; /exit or Ctrl-D to leave.")
                _interactive(host, runner, session, model, context, settings, printer, images)
        finally:
            runner.run(session.aclose())
    return 0


def _interactive(
    host: Host,
    runner: asyncio.Runner,
    session: ChatSession,
    model: str,
    context: Context,
    settings: ChatSettings,
    printer: TurnPrinter,
    images: list[ImagePart],
) -> None:
    while True:
        host.stderr.write("> ")
        host.stderr.flush()
        line = host.stdin.readline()
        if not line or line.strip() in ("/exit", "/quit"):
            return
        if not line.strip():
            continue
        context.messages.append(_user(line.strip(), images))
        images = []  # attached to the first turn only
        runner.run(_turn(session, model, context, settings, printer))


async def _turn(
    session: ChatSession,
    model: str,
    context: Context,
    settings: ChatSettings,
    printer: TurnPrinter,
) -> None:
    events = session.stream(model, context, settings)
    try:
        async for event in events:
            printer.event(event)
            if event.type == "done" and event.message is not None:
                context.messages.append(event.message)
    finally:
        await events.aclose()  # type: ignore[attr-defined]


def resolve_model(host: Host, ref: str | None) -> tuple[ChatProvider, str]:
    """The provider for ``ref`` (or the configured default model, or an alias's model), and
    the model id as written after ``provider/``: the provider resolves it."""
    ref = ref or host.default_model_ref()
    if not ref:
        raise UsageError(
            "no model given and no default set; pass --model PROVIDER/MODEL or run "
            "`openclaw models set PROVIDER/MODEL`"
        )
    ref = {alias: r for r, alias in host.model_aliases().items()}.get(ref, ref)
    single = next(iter(host.registry.providers)) if len(host.registry.providers) == 1 else None
    provider_id, model_id = split_ref(ref, single)
    if provider_id is None:
        raise UsageError(f"say which provider {ref!r} belongs to: PROVIDER/{ref}")
    provider = host.registry.provider(provider_id)
    if not isinstance(provider, ChatProvider):
        raise PluginError(f"provider {provider_id} cannot chat; pick another model")
    return provider, model_id


def chat_settings(args: argparse.Namespace) -> ChatSettings:
    schema = _json_file(args.json_schema) if args.json_schema else None
    options = {
        name[2:]: value
        for name, value in vars(args).items()
        if name.startswith("p_") and value is not None
    }
    return ChatSettings(
        max_tokens=args.max_tokens,
        temperature=args.temperature,
        reasoning=args.thinking,
        session_id=uuid.uuid4().hex,
        response_schema=schema,
        provider_options=options,
    )


def _user(text: str, images: list[ImagePart]) -> UserMessage:
    if not images:
        return UserMessage(text)
    return UserMessage([TextPart(text), *images])


def _image(path: str) -> ImagePart:
    try:
        return ImagePart.from_file(path)
    except OSError as exc:
        raise UsageError(f"cannot read image {path}: {exc.strerror or exc}") from None


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
