"""``openclaw speak TEXT -o speech.mp3``: text to speech with any provider that offers it.

The text comes from the arguments, else from piped stdin. Audio goes to ``-o FILE`` (written
as it comes into a temporary file beside it, renamed into place when whole, never over an
existing file unless ``--force``) or, with ``-o -``, to stdout (refused when stdout is a
terminal). The format comes from ``--format``, else the file's ending, else the model's
default. Before anything is sent the request is checked against the model (voice, format) and
the price is shown on stderr where the provider lists one; ``--quote`` stops there.
``--voices`` lists the model's voices. Provider-neutral.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..audio import EXTENSIONS, FORMATS, SpeechQuote, SpeechRequest, SpeechResult
from ..errors import UsageError
from ..terminal import is_terminal
from .balance_guard import warn_if_low_balance
from .capability_use import call_context, pick_provider, run_async
from .image import PRIVACY, check_writable
from .key_options import add_key_options

if TYPE_CHECKING:
    from ..host import Host
    from ..plugins import Registry

DEFAULT_NAME = "speech"


def add_parser(sub: Any, registry: Registry | None = None) -> None:
    p = sub.add_parser("speak", help="text to speech, into an audio file")
    p.add_argument("text", nargs="*", help="what to say (none: read stdin)")
    p.add_argument("--model", "-m", metavar="PROVIDER/MODEL", help="default: the provider's")
    p.add_argument("--output", "-o", metavar="PATH", help="file to write, - for stdout "
                   "(default: speech.FORMAT)")  # fmt: skip
    p.add_argument("--voice", metavar="NAME", help="default: the model's (see --voices)")
    p.add_argument("--format", choices=FORMATS, help="default: from -o, else the model's")
    p.add_argument("--speed", type=float, metavar="X", help="0.25 to 4 (1: normal)")
    p.add_argument("--language", metavar="LANG", help="a language hint, e.g. en or English")
    p.add_argument("--instructions", metavar="TEXT", help="how to say it (models that take it)")
    p.add_argument("--voices", action="store_true", help="list the model's voices and stop")
    p.add_argument("--quote", action="store_true", help="show the price and stop")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.add_argument("--json", action="store_true", help="print what was written as JSON")
    add_key_options(p, registry)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, host: Host) -> int:
    if args.voices:
        return list_voices(args, host)
    text = _text(args, host)
    to_stdout = args.output == "-"
    if to_stdout and is_terminal(host.stdout) and not args.quote:
        raise UsageError("not writing audio to a terminal; pass -o FILE or pipe stdout")
    path = None if to_stdout else Path(args.output or f"{DEFAULT_NAME}.{args.format or 'mp3'}")
    audio_format = _format(args, path)
    if path is not None and not args.quote:  # before anything is asked (or paid for)
        if path.exists() and not args.force:
            raise UsageError(f"{path} already exists; pick another -o or add --force")
        check_writable(path.parent)
    provider_id, model_id = pick_provider(host, "speech", args.model)
    request = SpeechRequest(
        text, model_id, args.voice, audio_format, args.speed, args.language, args.instructions
    )
    capability = host.registry.speech(provider_id)
    ctx, key = call_context(host, provider_id)
    quote = run_async(capability.quote_speech(ctx, key, request))  # checked: nothing paid yet
    _show_quote(host, provider_id, quote)
    if args.quote:
        if args.json:
            host.out(json.dumps({"provider": provider_id, **_quote_json(quote)}, indent=2))
        return 0
    warn_if_low_balance(host, provider_id, key)
    if path is None:
        host.stdout.flush()
        result = run_async(capability.speak(ctx, key, request, _stdout_bytes(host)))
        _report(host, provider_id, result)
        return 0
    result = _write(path, lambda file: run_async(capability.speak(ctx, key, request, file)))
    _report(host, provider_id, result)
    if args.json:
        host.out(json.dumps({"provider": provider_id, **result.to_json(), "file": str(path)},
                            indent=2))  # fmt: skip
    else:
        host.out(str(path))
    return 0


def list_voices(args: argparse.Namespace, host: Host) -> int:
    provider_id, model_id = pick_provider(host, "speech", args.model)
    provider = host.registry.provider(provider_id)
    catalog = host.registry.speech(provider_id).speech_models(host.provider_context(provider))
    wanted = model_id or catalog.default
    model = catalog.find(wanted or "")
    if model is None:
        known = ", ".join(m.id for m in catalog.models[:8])
        raise UsageError(f"{provider_id} has no speech model {wanted!r}; its models: {known}")
    voices = [str(v) for v in model.limits.get("voices") or ()]
    if args.json:
        host.out(json.dumps({"model": model.ref, "voices": voices}, indent=2))
        return 0
    if not voices:
        host.err(f"{model.ref}: the provider lists no voices here (it was not reached?)")
        return 0
    for voice in voices:
        host.out(voice)
    return 0


def _text(args: argparse.Namespace, host: Host) -> str:
    from .chat_input import read_stdin

    text = " ".join(args.text)
    if not text:
        if is_terminal(host.stdin):
            raise UsageError("nothing to say; pass the text as arguments or on stdin")
        text = read_stdin(host.stdin)
    if not text.strip():
        raise UsageError("the text to speak is empty; give some text")
    return text


def _format(args: argparse.Namespace, path: Path | None) -> Any:
    """``--format``, else what the file's ending says (it must say one)."""
    if path is None:
        return args.format
    named = EXTENSIONS.get(path.suffix.lower())
    if named is None and args.format is None:
        endings = ", ".join(sorted(EXTENSIONS))
        raise UsageError(f"{path}: end it in one of {endings}, or pass --format")
    if named is not None and args.format is not None and named != args.format:
        raise UsageError(f"{path} says {named} but --format is {args.format}")
    return args.format or named


def _show_quote(host: Host, provider_id: str, quote: SpeechQuote) -> None:
    parts = f", {quote.parts} requests" if quote.parts > 1 else ""
    price = (
        f"about {dollars(quote.price)} ({quote.rate})" if quote.price is not None
        else "price not listed by the provider"
    )  # fmt: skip
    host.err(f"{provider_id}/{quote.model}: {quote.characters} characters{parts}, {price}")


def dollars(amount: float) -> str:
    """``$0.0175``; an amount under a tenth of a cent with six decimals (``$0.000011``)."""
    return f"${amount:.4f}" if amount >= 0.001 else f"${amount:.6f}"


def _quote_json(quote: SpeechQuote) -> dict[str, Any]:
    return {
        "model": quote.model,
        "characters": quote.characters,
        "parts": quote.parts,
        "price": quote.price,
        "currency": quote.currency,
        "rate": quote.rate,
    }


def _report(host: Host, provider_id: str, result: SpeechResult) -> None:
    privacy = PRIVACY.get(result.privacy or "", "privacy not stated by the provider")
    voice = f", voice {result.voice}" if result.voice else ""
    host.err(f"{provider_id}/{result.model}{voice}: {result.bytes} bytes of {result.format} "
             f"({privacy})")  # fmt: skip


def _stdout_bytes(host: Host) -> IO[bytes]:
    buffer = getattr(host.stdout, "buffer", None)
    if buffer is None:
        raise UsageError("stdout takes no bytes here; pass -o FILE")
    return buffer  # type: ignore[no-any-return]


def _write(path: Path, speak: Any) -> SpeechResult:
    """``speak(file)`` into a temporary file beside ``path``, renamed over it when whole;
    removed on any failure (Ctrl-C included), so ``path`` is the whole audio or untouched."""
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w+b") as file:
            result: SpeechResult = speak(file)
        os.chmod(tmp, 0o644 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return result


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
