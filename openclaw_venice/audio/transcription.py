"""A :class:`TranscriptionRequest` as Venice's ``POST /audio/transcriptions`` form, and its
answer as a :class:`Transcript`. Pure.

The file is checked before anything is sent: not empty, at most 25 MB (Venice's upload limit),
and by its first bytes one of the containers the spec lists (WAV, FLAC, MP3, AAC, M4A/MP4,
Ogg, WebM), whatever its name says. The answer is asked for as JSON (``response_format``),
with ``timestamps`` when the caller wants them: Venice then adds word and segment times.
Price: Venice lists a transcription model's price per second of audio
(``model_spec.pricing.per_audio_second.usd``); with the ``duration`` Venice reports, that is
the cost of the call.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any, TypeGuard

from ..errors import UsageError
from ..runtime.plugins import (
    MAX_AUDIO_BYTES,
    MediaModel,
    TimedText,
    Transcript,
    TranscriptionQuote,
    TranscriptionRequest,
    audio_seconds,
    audio_type,
)
from ..wire.client import CallLimits, malformed

#: an hour of speech is ~60 KB of text; word timestamps add ~60 bytes a word
TRANSCRIPT_LIMITS = CallLimits(timeout=300.0, max_bytes=32 * 1024 * 1024, max_retries=2)
LANGUAGE_LENGTH = (2, 8)  # ISO 639-1 codes ("en"), with room for a region ("pt-BR")


def check_audio(data: bytes, name: str) -> str:
    """The MIME type of the audio file ``name`` holding ``data``, or a one-line
    :class:`UsageError` saying what is wrong with it."""
    if not data:
        raise UsageError(f"{name} is empty; give an audio file")
    if len(data) > MAX_AUDIO_BYTES:
        raise UsageError(
            f"{name} is {len(data) / 2**20:.1f} MB, over the {MAX_AUDIO_BYTES // 2**20} MB "
            "a transcription takes; cut or compress it (e.g. to mp3) first"
        )
    mime = audio_type(data[:16])
    if mime is None:
        raise UsageError(
            f"{name} is not audio this can send (WAV, FLAC, MP3, AAC, M4A, Ogg or WebM, "
            "told by its content); convert it first"
        )
    return mime


def transcription_form(
    request: TranscriptionRequest, model: MediaModel, boundary: str | None = None
) -> tuple[bytes, str]:
    """The multipart body and its Content-Type."""
    check_audio(request.data, request.filename)
    fields = {"model": model.id, "response_format": "json"}
    fields["timestamps"] = "true" if request.timestamps else "false"
    if request.language is not None:
        language = request.language.strip()
        if not LANGUAGE_LENGTH[0] <= len(language) <= LANGUAGE_LENGTH[1]:
            raise UsageError("the language is an ISO 639-1 code, e.g. en or fr")
        fields["language"] = language
    boundary = boundary or _boundary(request.data)
    out = bytearray()
    for name, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += value.encode() + b"\r\n"
    filename = _safe_name(request.filename)
    out += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {request.mime_type}\r\n\r\n"
    ).encode()
    out += request.data
    out += f"\r\n--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def _boundary(data: bytes) -> str:
    while True:
        boundary = "openclaw-" + secrets.token_hex(16)
        if boundary.encode() not in data:
            return boundary


def _safe_name(name: str) -> str:
    """The file's base name as a header value: no quotes, no line breaks, ASCII."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c if c.isascii() and c.isprintable() and c not in '"' else "_" for c in base)
    return cleaned or "audio"


def parse_transcript(
    payload: Any, model: MediaModel, request_id: str | None
) -> Transcript:
    if not isinstance(payload, Mapping) or not isinstance(payload.get("text"), str):
        raise malformed("transcription", request_id)
    duration = payload.get("duration")
    seconds = float(duration) if _number(duration) and duration >= 0 else None
    stamps = payload.get("timestamps")
    stamps = stamps if isinstance(stamps, Mapping) else {}
    words = _timed(stamps.get("word"), "word")
    segments = _timed(stamps.get("segment"), "text")
    rate = _per_second(model.pricing)
    price = None if rate is None or seconds is None else round(rate * seconds, 10)
    return Transcript(
        payload["text"], model.id, seconds, words, segments, model.privacy, request_id,
        price, "USD" if price is not None else None,
    )  # fmt: skip


def _timed(entries: Any, key: str) -> tuple[TimedText, ...]:
    if not isinstance(entries, list):
        return ()
    out = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        text, start, end = entry.get(key), entry.get("start"), entry.get("end")
        if isinstance(text, str) and _number(start) and _number(end):
            out.append(TimedText(text, float(start), float(end)))
    return tuple(out)


def _number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _per_second(pricing: Mapping[str, Any]) -> float | None:
    entry = pricing.get("per_audio_second")
    usd = entry.get("usd") if isinstance(entry, Mapping) else None
    return float(usd) if _number(usd) and usd >= 0 else None


def quote_transcription(request: TranscriptionRequest, model: MediaModel) -> TranscriptionQuote:
    """The file checked and priced: per second of audio, times its length where its header
    says (WAV, FLAC); nothing is sent."""
    check_audio(request.data, request.filename)
    seconds = audio_seconds(request.data)
    rate = _per_second(model.pricing)
    price = None if rate is None or seconds is None else round(rate * seconds, 10)
    shown = None if rate is None else f"${rate:g} per second of audio"
    return TranscriptionQuote(model.id, seconds, price, "USD" if rate is not None else None, shown)
