"""``openclaw transcribe memo.m4a``: speech to text with any provider that offers it.

The file is checked before anything is sent (and paid for): its size (at most 25 MB) before it
is read, then its first bytes (WAV, FLAC, MP3, AAC, M4A/MP4, Ogg or WebM, whatever its name
says). The price is shown on stderr before sending where the provider lists one (times the
audio's length where the file's header says it: WAV, FLAC); ``--quote`` stops there. The
text goes to stdout; ``--timestamps`` prints each segment with its times, ``--srt``
writes subtitles, ``--json`` everything the provider said (words and segments with their times
when asked). The cost is shown on stderr where the provider gives one. Provider-neutral.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..audio import (
    MAX_AUDIO_BYTES,
    TimedText,
    Transcript,
    TranscriptionQuote,
    TranscriptionRequest,
    audio_type,
)
from ..errors import UsageError
from ..terminal import for_stream
from .balance_guard import warn_if_low_balance
from .capability_use import call_context, pick_provider, run_async
from .image import PRIVACY
from .key_options import add_key_options
from .speak import dollars

if TYPE_CHECKING:
    from ..host import Host
    from ..plugins import Registry


def add_parser(sub: Any, registry: Registry | None = None) -> None:
    p = sub.add_parser("transcribe", help="speech to text, from an audio file")
    p.add_argument("file", metavar="FILE", help="WAV, FLAC, MP3, AAC, M4A, Ogg or WebM audio")
    p.add_argument("--model", "-m", metavar="PROVIDER/MODEL", help="default: the provider's")
    p.add_argument("--language", metavar="CODE", help="ISO 639-1 hint, e.g. en (some models)")
    shown = p.add_mutually_exclusive_group()
    shown.add_argument("--timestamps", action="store_true", help="each segment with its times")
    shown.add_argument("--srt", action="store_true", help="print SubRip subtitles")
    shown.add_argument("--json", action="store_true", help="print the whole answer as JSON")
    p.add_argument("--quote", action="store_true", help="show the price and stop")
    add_key_options(p, registry)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, host: Host) -> int:
    timed = args.timestamps or args.srt or args.json
    request = read_audio(Path(args.file), args.language, timed)
    provider_id, model_id = pick_provider(host, "transcription", args.model)
    request = request._replace(model=model_id)
    ctx, key = call_context(host, provider_id)
    capability = host.registry.transcription(provider_id)
    quote = run_async(capability.quote_transcription(ctx, key, request))  # nothing paid yet
    _show_quote(host, provider_id, quote)
    if args.quote:
        if args.json:
            host.out(json.dumps({"provider": provider_id, **quote._asdict()}, indent=2))
        return 0
    warn_if_low_balance(host, provider_id, key)
    transcript = run_async(capability.transcribe(ctx, key, request))
    _report(host, provider_id, transcript)
    if args.json:
        host.out(json.dumps({"provider": provider_id, **transcript.to_json()}, indent=2))
    elif args.srt:
        host.out(for_stream(srt(transcript), host.stdout))
    elif args.timestamps:
        for line in timestamped(transcript):
            host.out(for_stream(line, host.stdout))
    else:
        host.out(for_stream(transcript.text.strip(), host.stdout))
    return 0


def read_audio(path: Path, language: str | None, timestamps: bool) -> TranscriptionRequest:
    """The request for the file at ``path``, or a one-line :class:`UsageError` naming it."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise UsageError(f"{path} is not a regular file; give an audio file")
        if size > MAX_AUDIO_BYTES:
            raise UsageError(
                f"{path} is {size / 2**20:.1f} MB, over the {MAX_AUDIO_BYTES // 2**20} MB a "
                "transcription takes; cut or compress it (e.g. to mp3) first"
            )
        with path.open("rb") as file:
            data = file.read(MAX_AUDIO_BYTES + 1)  # whatever the file did since stat
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not data:
        raise UsageError(f"{path} is empty; give an audio file")
    if len(data) > MAX_AUDIO_BYTES:
        raise UsageError(f"{path} grew past {MAX_AUDIO_BYTES // 2**20} MB while it was read")
    mime = audio_type(data[:16])
    if mime is None:
        raise UsageError(
            f"{path} is not audio this can send (WAV, FLAC, MP3, AAC, M4A, Ogg or WebM, told "
            "by its content, not its name); convert it first"
        )
    return TranscriptionRequest(data, path.name, mime, None, language, timestamps)


def _show_quote(host: Host, provider_id: str, quote: TranscriptionQuote) -> None:
    if quote.rate is None:
        price = "price not listed by the provider"
    elif quote.price is None:
        price = f"{quote.rate} (the file does not say its length)"
    else:
        price = f"about {dollars(quote.price)} ({quote.rate})"
    length = f"{quote.seconds:.1f} s of audio, " if quote.seconds is not None else ""
    host.err(f"{provider_id}/{quote.model}: {length}{price}")


def _report(host: Host, provider_id: str, transcript: Transcript) -> None:
    privacy = PRIVACY.get(transcript.privacy or "", "privacy not stated by the provider")
    length = f", {transcript.duration:.1f} s of audio" if transcript.duration is not None else ""
    cost = f", {dollars(transcript.price)}" if transcript.price is not None else ""
    host.err(f"{provider_id}/{transcript.model}{length}{cost} ({privacy})")


def _clock(seconds: float, separator: str = ".") -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _segments(transcript: Transcript) -> tuple[TimedText, ...]:
    if transcript.segments:
        return transcript.segments
    if transcript.words:  # no segments: the words, a line each
        return transcript.words
    end = transcript.duration or 0.0
    return (TimedText(transcript.text.strip(), 0.0, end),)


def timestamped(transcript: Transcript) -> list[str]:
    """``[00:00:01.200 - 00:00:03.400] text``, one line a segment."""
    return [
        f"[{_clock(s.start)} - {_clock(s.end)}] {s.text.strip()}" for s in _segments(transcript)
    ]


def srt(transcript: Transcript) -> str:
    """The transcript as SubRip subtitles: numbered cues, ``HH:MM:SS,mmm --> HH:MM:SS,mmm``."""
    cues = [
        f"{n}\n{_clock(s.start, ',')} --> {_clock(s.end, ',')}\n{s.text.strip()}\n"
        for n, s in enumerate(_segments(transcript), start=1)
    ]
    return "\n".join(cues)


def vtt(transcript: Transcript) -> str:
    """The transcript as WebVTT subtitles: a ``WEBVTT`` header, ``HH:MM:SS.mmm --> ...`` cues."""
    cues = [
        f"{_clock(s.start)} --> {_clock(s.end)}\n{s.text.strip()}\n"
        for s in _segments(transcript)
    ]
    return "WEBVTT\n\n" + "\n".join(cues)
