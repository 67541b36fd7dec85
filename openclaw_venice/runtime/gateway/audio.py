"""OpenAI's speech endpoints over the host's ``speech`` and ``transcription`` capabilities:
``POST /v1/audio/speech`` (JSON in, audio bytes out) and ``POST /v1/audio/transcriptions``
(a multipart form in, JSON or text out), so a runtime that speaks or listens through OpenAI's
API gets the provider's. Nothing here names a provider.

The model is ``provider/id``, a bare id one provider lists, or one of OpenAI's own names
(``tts-1``, ``tts-1-hd``, ``gpt-4o-mini-tts``, ``whisper-1``, ...: not a model of any
provider), which means the default model of the one provider offering the capability;
with one of those names, OpenAI's own voice names (``alloy``, ``nova``, ...: what OpenAI's
clients send by default) mean that model's default voice too.
Speech is made into a spooled temporary file (memory up to 1 MB, then disk) and sent when
whole, so a failure is an error status, not a cut file. The uploaded file is checked by its
content and size before the provider is asked.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import IO, TYPE_CHECKING, Any

from ..audio import (
    FORMATS,
    MAX_AUDIO_BYTES,
    MIME_TYPES,
    SpeechRequest,
    Transcript,
    TranscriptionRequest,
    audio_type,
)
from ..errors import OpenClawError, UsageError
from . import answer
from .http import Reply, Request

if TYPE_CHECKING:
    from ..capabilities import Kind
    from ..context import ProviderContext
    from ..host import Host
    from ..secret import SecretStr

SPEECH_PATH = "/v1/audio/speech"
TRANSCRIPTION_PATH = "/v1/audio/transcriptions"
PATHS = (SPEECH_PATH, TRANSCRIPTION_PATH)
#: OpenAI's model names, which mean "the provider's default" here
OPENAI_MODELS = frozenset({
    "tts-1", "tts-1-hd", "gpt-4o-mini-tts", "gpt-4o-tts",
    "whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe",
})  # fmt: skip
#: OpenAI's voice names, which mean "the default model's default voice" with an OpenAI model name
OPENAI_VOICES = frozenset({
    "alloy", "ash", "ballad", "cedar", "coral", "echo", "fable", "marin", "nova", "onyx",
    "sage", "shimmer", "verse",
})  # fmt: skip
MAX_INPUT = 100_000  # characters of one speech request (a provider splits what it must)
SPOOL = 1024 * 1024
PIECE = 64 * 1024
TEXT_FORMATS = ("json", "text", "verbose_json", "srt", "vtt")


class BadRequest(Exception):
    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


@dataclass(slots=True)
class AudioEndpoints:
    """The two endpoints; a provider's context and key are worked out once."""

    host: Host
    log: Any = None
    #: the gateway's OpenAI-shaped reply for a provider's error (status, type, Retry-After)
    error_reply: Callable[[BaseException], Reply] | None = None
    _callers: dict[str, tuple[ProviderContext, SecretStr]] = field(default_factory=dict)

    async def handle(self, path: str, request: Request) -> Reply:
        if request.method != "POST":
            return _error(405, f"use POST for {path}", "invalid_request_error")
        try:
            if path == SPEECH_PATH:
                return await self.speech(request.body)
            return await self.transcription(request)
        except BadRequest as exc:
            return _error(400, str(exc), "invalid_request_error", exc.param)
        except UsageError as exc:
            return _error(400, str(exc), "invalid_request_error")
        except OpenClawError as exc:
            if self.error_reply is None:
                return _error(500, str(exc), "server_error")
            return self.error_reply(exc)

    # -- speech -----------------------------------------------------------------------------
    async def speech(self, raw: bytes) -> Reply:
        body = _json_object(raw)
        text = body.get("input")
        if not isinstance(text, str) or not text.strip():
            raise BadRequest("`input` must be a non-empty string", "input")
        if len(text) > MAX_INPUT:
            raise BadRequest(f"`input` is longer than {MAX_INPUT} characters", "input")
        audio_format = body.get("response_format", "mp3")
        if audio_format not in FORMATS:
            raise BadRequest(f"`response_format` must be one of {', '.join(FORMATS)}",
                             "response_format")  # fmt: skip
        if body.get("stream_format", "audio") != "audio":
            raise BadRequest("`stream_format` must be \"audio\": the audio comes whole, not as "
                             "events", "stream_format")  # fmt: skip
        speed = body.get("speed")
        if speed is not None and (isinstance(speed, bool) or not isinstance(speed, int | float)):
            raise BadRequest("`speed` must be a number", "speed")
        provider_id, model_id = self._pick("speech", body.get("model"))
        voice = _text(body, "voice")
        if model_id is None and voice is not None and voice.lower() in OPENAI_VOICES:
            voice = None  # OpenAI's model and voice names: the provider's defaults
        request = SpeechRequest(
            text, model_id, voice, audio_format,
            None if speed is None else float(speed), _text(body, "language"),
            _text(body, "instructions"),
        )  # fmt: skip
        ctx, key = self._caller(provider_id)
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # noqa: SIM115 (closed by _read)
        try:
            await self.host.registry.speech(provider_id).speak(ctx, key, request, spool)
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        return Reply(200, _read(spool), content_type=MIME_TYPES[audio_format])

    # -- transcription ------------------------------------------------------------------------
    async def transcription(self, request: Request) -> Reply:
        fields, upload = _form(request)
        if upload is None:
            raise BadRequest("`file` is missing: send the audio as a multipart file", "file")
        filename, data = upload
        if not data:
            raise BadRequest("the file is empty", "file")
        if len(data) > MAX_AUDIO_BYTES:
            raise BadRequest(f"the file is over {MAX_AUDIO_BYTES // 2**20} MB", "file")
        mime = audio_type(data[:16])
        if mime is None:
            raise BadRequest(
                "the file is not WAV, FLAC, MP3, AAC, M4A, Ogg or WebM audio (told by its "
                "content)", "file",
            )  # fmt: skip
        if fields.get("stream", "false").strip().lower() not in ("false", "0", ""):
            raise BadRequest("`stream` must be false: the transcript comes whole, not as events",
                             "stream")  # fmt: skip
        shape = fields.get("response_format", "json")
        if shape not in TEXT_FORMATS:
            raise BadRequest(f"`response_format` must be one of {', '.join(TEXT_FORMATS)}",
                             "response_format")  # fmt: skip
        timed = shape in ("verbose_json", "srt", "vtt") or "timestamp_granularities[]" in fields
        provider_id, model_id = self._pick("transcription", fields.get("model"))
        asked = TranscriptionRequest(
            data, filename, mime, model_id, fields.get("language") or None, timed
        )
        ctx, key = self._caller(provider_id)
        transcript = await self.host.registry.transcription(provider_id).transcribe(ctx, key, asked)
        return _transcript_reply(transcript, shape)

    # -- which provider -------------------------------------------------------------------------
    def _pick(self, kind: Kind, ref: Any) -> tuple[str, str | None]:
        """(provider id, model id or None: its default) for the request's ``model``."""
        offering = self.host.registry.offers(kind)
        if not offering:
            raise BadRequest(f"no installed provider offers {kind}", "model")
        if not isinstance(ref, str) or not ref or ref in OPENAI_MODELS:
            if len(offering) > 1:
                raise BadRequest(
                    f"several providers offer {kind} ({', '.join(offering)}); name the model "
                    "as PROVIDER/MODEL", "model",
                )  # fmt: skip
            return offering[0], None
        first, slash, rest = ref.partition("/")
        if slash and first in offering:
            return first, rest or None
        if len(offering) == 1:
            return offering[0], ref  # a bare id (maybe with a slash of its own)
        for provider_id in offering:  # the one whose list names it
            if self._lists(kind, provider_id, ref):
                return provider_id, ref
        raise BadRequest(f"no provider lists the model {ref!r}; name it as PROVIDER/MODEL",
                         "model")  # fmt: skip

    def _lists(self, kind: Kind, provider_id: str, model_id: str) -> bool:
        ctx, _ = self._caller(provider_id)
        if kind == "speech":
            catalog = self.host.registry.speech(provider_id).speech_models(ctx)
        else:
            catalog = self.host.registry.transcription(provider_id).transcription_models(ctx)
        return catalog.find(model_id) is not None

    def _caller(self, provider_id: str) -> tuple[ProviderContext, SecretStr]:
        known = self._callers.get(provider_id)
        if known is None:
            provider = self.host.registry.provider(provider_id)
            ctx = self.host.provider_context(provider, warn=self.log or self.host.warn)
            known = self._callers[provider_id] = (ctx, self.host.resolve_key(provider).value)
        return known


def _json_object(raw: bytes) -> Mapping[str, Any]:
    try:
        body = json.loads(raw)
    except ValueError:
        raise BadRequest("the request body is not valid JSON") from None
    if not isinstance(body, Mapping):
        raise BadRequest("the request body must be a JSON object")
    return body


def _text(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequest(f"`{name}` must be a string", name)
    return value


def _form(request: Request) -> tuple[dict[str, str], tuple[str, bytes] | None]:
    """A multipart form's text fields and its ``file`` (name, bytes)."""
    kind = request.headers.get("content-type", "")
    if not kind.lower().startswith("multipart/form-data"):
        raise BadRequest("send the audio as multipart/form-data with a `file` field")
    head = f"Content-Type: {kind}\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=HTTP).parsebytes(head + request.body)
    if not message.is_multipart():
        raise BadRequest("the multipart form could not be read")
    fields: dict[str, str] = {}
    upload: tuple[str, bytes] | None = None
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if name == "file":
            upload = (part.get_filename() or "audio", data)
        elif isinstance(name, str):
            fields[name] = data.decode("utf-8", "replace")
    return fields, upload


async def _read(spool: IO[bytes]) -> AsyncIterator[bytes]:
    try:
        while piece := spool.read(PIECE):
            yield piece
    finally:
        spool.close()


def _transcript_reply(transcript: Transcript, shape: str) -> Reply:
    if shape == "text":
        return Reply(200, transcript.text.encode(), content_type="text/plain; charset=utf-8")
    if shape in ("srt", "vtt"):
        return Reply(200, _subtitles(transcript, shape).encode(),
                     content_type="text/plain; charset=utf-8")  # fmt: skip
    payload: dict[str, Any] = {"text": transcript.text}
    if shape == "verbose_json":
        payload.update({
            "task": "transcribe",
            "language": None,
            "duration": transcript.duration,
            "words": [{"word": w.text, "start": w.start, "end": w.end} for w in transcript.words],
            "segments": [
                {"id": i, "start": s.start, "end": s.end, "text": s.text}
                for i, s in enumerate(transcript.segments)
            ],
        })  # fmt: skip
    return Reply(200, json.dumps(payload).encode())


def _subtitles(transcript: Transcript, shape: str) -> str:
    from ..commands.transcribe import srt, vtt

    return srt(transcript) if shape == "srt" else vtt(transcript)


def _error(status: int, message: str, kind: str, param: str | None = None) -> Reply:
    return Reply(status, answer.error_json(message, kind, param))
