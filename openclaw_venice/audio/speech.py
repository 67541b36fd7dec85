"""A :class:`SpeechRequest` checked against the model, priced, and sent as Venice's
``/audio/speech`` bodies, the answers written to a sink as one audio stream.

Checked before sending, so a wrong value costs nothing: the voice against the model's voices
(a cloned-voice handle ``vv_...``, or any id on a model that takes custom voice ids, passes),
the format against the model's ``supported_formats``, the speed (0.25-4), the language hint (2-32
characters) and the style prompt (500 characters) against the spec's bounds. A model known only
from the bundle has no lists to check against: the spec's bounds apply.

The format is always sent (the one asked for, else the model's ``default_format``, else
mp3), so what comes back is known before it comes: each answer's first bytes must be that
format, or nothing of it is written. Without a voice, the spec's default (``af_sky``) is sent
where the model lists it, else the model's first voice (Venice answers 400 for a voice of
another model).

Price: Venice lists a speech model's price per million characters of input
(``model_spec.pricing.input.usd``); the quote is that times the characters sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from ..errors import RequestRefused, StreamFormatError, UsageError
from ..runtime.plugins import (
    AudioSink,
    MediaModel,
    SpeechQuote,
    SpeechRequest,
    SpeechResult,
)
from ..wire.client import CallLimits
from .joining import JOINABLE, AudioJoiner, NotWav
from .text_parts import split_text

MAX_INPUT = 4096  # the spec's maxLength of CreateSpeechRequestSchema.input
MAX_VOICE = 512
MAX_PROMPT = 500
SPEED_RANGE = (0.25, 4.0)
LANGUAGE_LENGTH = (2, 32)
SPEC_VOICE = "af_sky"  # the spec's default voice (Kokoro's)
DEFAULT_FORMAT = "mp3"
FORMATS = ("mp3", "opus", "aac", "flac", "wav", "pcm")
MIME_TYPES = {
    "mp3": "audio/mpeg",
    "opus": "audio/opus",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
}
#: file name endings and the format they mean (``speech.ogg`` is Ogg Opus)
EXTENSIONS = {
    ".mp3": "mp3", ".opus": "opus", ".ogg": "opus", ".aac": "aac", ".flac": "flac",
    ".wav": "wav", ".pcm": "pcm",
}  # fmt: skip
#: one part's answer: minutes of audio, up to 48 kHz stereo WAV (about 60 MB) with room to spare
SPEECH_LIMITS = CallLimits(timeout=120.0, max_bytes=256 * 1024 * 1024, max_retries=2)
PART_SECONDS = 600.0  # a whole attempt at one part: the model speaks it, then it is sent


@dataclass(frozen=True, slots=True)
class SpeechPlan:
    """What will be sent: one body per part of the text (all but ``input`` alike)."""

    model: MediaModel
    body: Mapping[str, Any]  # without "input"
    parts: tuple[str, ...]
    format: str
    voice: str | None

    def bodies(self) -> list[dict[str, Any]]:
        return [{**self.body, "input": part} for part in self.parts]

    def quote(self) -> SpeechQuote:
        characters = sum(len(p) for p in self.parts)
        rate = _usd_rate(self.model.pricing)
        price = None if rate is None else round(rate * characters / 1_000_000, 10)
        shown = None if rate is None else f"${rate:g} per million characters"
        return SpeechQuote(
            self.model.id, characters, len(self.parts), price, "USD" if rate else None, shown
        )


def plan_speech(request: SpeechRequest, model: MediaModel) -> SpeechPlan:
    """The bodies for ``request``, or :class:`UsageError` / :class:`RequestRefused` saying
    what to fix (see the module)."""
    parts = tuple(split_text(request.text, MAX_INPUT))
    if not parts:
        raise UsageError("the text to speak is empty; give some text")
    audio_format = _format(request, model)
    if len(parts) > 1 and audio_format not in JOINABLE:
        raise RequestRefused(
            f"the text is {len(request.text)} characters, more than {model.ref} speaks at once "
            f"({MAX_INPUT}); {audio_format} parts cannot be joined into one file: use wav or "
            "mp3, or a shorter text"
        )
    voice = _voice(request, model)
    body: dict[str, Any] = {"model": model.id, "response_format": audio_format}
    if voice is not None:
        body["voice"] = voice
    if request.speed is not None:
        low, high = SPEED_RANGE
        if not low <= request.speed <= high:
            raise UsageError(f"the speed must be between {low:g} and {high:g} (1 is normal)")
        body["speed"] = request.speed
    if request.language is not None:
        low_len, high_len = LANGUAGE_LENGTH
        if not low_len <= len(request.language.strip()) <= high_len:
            raise UsageError("the language is a name or code of 2 to 32 characters, e.g. en")
        body["language"] = request.language.strip()
    if request.instructions is not None:
        if not request.instructions.strip() or len(request.instructions) > MAX_PROMPT:
            raise UsageError(f"the style prompt must be 1 to {MAX_PROMPT} characters")
        body["prompt"] = request.instructions
    return SpeechPlan(model, body, parts, audio_format, voice)


def _format(request: SpeechRequest, model: MediaModel) -> str:
    offered = _strings(model.limits.get("supported_formats"))
    chosen: str | None = request.format
    if chosen is None:
        default = model.limits.get("default_format")
        chosen = default if isinstance(default, str) and default in FORMATS else DEFAULT_FORMAT
        if offered and chosen not in offered:
            chosen = offered[0]
    if chosen not in FORMATS:
        raise UsageError(f"audio format {chosen!r}: use one of {', '.join(FORMATS)}")
    if offered and chosen not in offered:
        raise RequestRefused(f"{model.ref} has no {chosen} output; use one of {', '.join(offered)}")
    return chosen


def _voice(request: SpeechRequest, model: MediaModel) -> str | None:
    voices = _strings(model.limits.get("voices"))
    voice = request.voice.strip() if request.voice is not None else None
    if voice is None:
        if not voices:
            return None  # the bundle lists none: Venice's default
        return SPEC_VOICE if SPEC_VOICE in voices else voices[0]
    if not voice or len(voice) > MAX_VOICE:
        raise UsageError(f"the voice must be 1 to {MAX_VOICE} characters")
    custom = voice.startswith("vv_") or model.limits.get("supports_custom_voice_id") is True
    if voices and voice not in voices and not custom:
        same = next((v for v in voices if v.lower() == voice.lower()), None)
        hint = f"did you mean {same}? " if same else ""
        shown = ", ".join(voices[:12]) + (", ..." if len(voices) > 12 else "")
        raise RequestRefused(
            f"{model.ref} has no voice {voice!r}; {hint}its voices: {shown} "
            f"(all: openclaw speak --voices -m {model.ref})"
        )
    return voice


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, Sequence) and not isinstance(
        value, str
    ) else []


def _usd_rate(pricing: Mapping[str, Any]) -> float | None:
    entry = pricing.get("input")
    usd = entry.get("usd") if isinstance(entry, Mapping) else None
    if isinstance(usd, bool) or not isinstance(usd, int | float) or usd < 0:
        return None
    return float(usd)


# -- the answers, as one stream -------------------------------------------------------------------
def looks_like(audio_format: str, head: bytes) -> bool:
    """Whether ``head`` (an answer's first bytes) starts audio of ``audio_format``."""
    if audio_format == "mp3":
        return head.startswith(b"ID3") or (
            len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0
        )
    if audio_format == "wav":
        return head[:4] == b"RIFF" and head[8:12] == b"WAVE"
    if audio_format == "flac":
        return head.startswith(b"fLaC")
    if audio_format == "opus":
        return head.startswith(b"OggS")
    if audio_format == "aac":
        return (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0) or head[
            4:8
        ] == b"ftyp"
    return True  # pcm: raw samples, no header


class CheckedSink:
    """The :class:`AudioJoiner` of a plan, each answer's first bytes checked before any of it
    is written (an answer that is not the asked format fails, naming its request)."""

    def __init__(self, sink: AudioSink, plan: SpeechPlan) -> None:
        self.joiner = AudioJoiner(sink, plan.format, len(plan.parts))
        self.format = plan.format
        self._head = b""
        self._checked = False

    def start(self) -> None:
        self.joiner.start()
        self._head, self._checked = b"", False

    def write(self, piece: bytes) -> None:
        if self._checked:
            self._write(piece)
            return
        self._head += piece
        if len(self._head) < 12:
            return
        self._check()

    def end(self, request_id: str | None) -> None:
        """The end of one answer: a short one is checked now."""
        try:
            if not self._checked:
                if not self._head:
                    raise StreamFormatError(
                        "Venice's speech answer is empty; try again", request_id=request_id
                    )
                self._check()
        except StreamFormatError as exc:
            exc.request_id = exc.request_id or request_id
            raise

    def finish(self) -> None:
        try:
            self.joiner.finish()
        except NotWav as exc:
            raise _malformed(exc) from None

    def _check(self) -> None:
        if not looks_like(self.format, self._head):
            raise StreamFormatError(f"Venice's speech answer is not {self.format} audio; try again")
        self._checked = True
        head, self._head = self._head, b""
        self._write(head)

    def _write(self, piece: bytes) -> None:
        try:
            self.joiner.write(piece)
        except NotWav as exc:
            raise _malformed(exc) from None


def speech_result(
    plan: SpeechPlan, written: int, request_ids: Sequence[str], meta: Mapping[str, Any]
) -> SpeechResult:
    quote = plan.quote()
    return SpeechResult(
        plan.model.id,
        plan.voice,
        cast("Any", plan.format),
        written,
        len(plan.parts),
        plan.model.privacy,
        tuple(request_ids),
        quote.price,
        quote.currency,
        dict(meta),
    )


def _malformed(exc: Exception) -> StreamFormatError:
    return StreamFormatError(f"Venice's speech answer is malformed ({exc}); try again")
