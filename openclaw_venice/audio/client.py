"""``VeniceAudio``: ``provider.audio`` for Python callers, and the ``speech`` and
``transcription`` capabilities the host's ``openclaw speak`` and ``openclaw transcribe`` use.
Every request goes through the wire: speech answers are streamed to the caller's sink under a
byte cap (never whole in memory), one ``POST /audio/speech`` per part of a long text."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..media_catalog import find_model, unshown
from ..runtime.plugins import (
    AudioSink,
    MediaCatalog,
    SpeechQuote,
    SpeechRequest,
    SpeechResult,
    Transcript,
    TranscriptionQuote,
    TranscriptionRequest,
)
from ..wire.http import response_meta
from .speech import MIME_TYPES, PART_SECONDS, SPEECH_LIMITS, CheckedSink, plan_speech, speech_result
from .transcription import (
    TRANSCRIPT_LIMITS,
    check_audio,
    parse_transcript,
    quote_transcription,
    transcription_form,
)

if TYPE_CHECKING:
    from ..runtime.plugins import ProviderContext, SecretStr
    from ..wire.client import Wire
    from ..wire.sync import LoopRunner

#: the spec's defaults (CreateSpeechRequestSchema, CreateTranscriptionRequestSchema ``model``),
#: when a model list names none
SPEECH_MODEL = "tts-kokoro"
TRANSCRIPTION_MODEL = "nvidia/parakeet-tdt-0.6b-v3"


async def speak_with(
    wire: Wire, request: SpeechRequest, catalog: MediaCatalog, sink: AudioSink
) -> SpeechResult:
    """The speech of ``request`` written to ``sink``: checked and planned first (nothing sent
    for a wrong value), then each part's answer checked by its first bytes and joined."""
    model = find_model(catalog, request.model or catalog.default or SPEECH_MODEL, "tts")
    plan = plan_speech(request, model)
    checked = CheckedSink(sink, plan)
    request_ids: list[str] = []
    meta: dict[str, Any] = {}
    for body in plan.bodies():
        checked.start()
        done = await wire.download(
            "POST", "/audio/speech", checked.write,
            limits=SPEECH_LIMITS, body=body, accept=MIME_TYPES[plan.format], total=PART_SECONDS,
        )  # fmt: skip
        checked.end(done.request_id)
        if done.request_id:
            request_ids.append(done.request_id)
        meta = response_meta(done.headers)
    checked.finish()
    return speech_result(plan, checked.joiner.written, request_ids, meta)


async def transcribe_with(
    wire: Wire, request: TranscriptionRequest, catalog: MediaCatalog
) -> Transcript:
    model = find_model(catalog, request.model or catalog.default or TRANSCRIPTION_MODEL, "asr")
    upload = transcription_form(request, model)
    answer = await wire.json(
        "POST", "/audio/transcriptions", limits=TRANSCRIPT_LIMITS, upload=upload
    )
    return parse_transcript(answer.payload, model, answer.request_id)


class VeniceAudio:
    """Speech and transcription. ``await provider.audio.speak("Hello", "hello.mp3")``,
    ``await provider.audio.transcribe("memo.m4a")``. ``wire``: the wire of the provider's key
    (made on first use); ``runner``: the loops of the sync forms."""

    def __init__(self, wire: Callable[[], Wire], runner: LoopRunner) -> None:
        self._wire, self._runner = wire, runner

    def __repr__(self) -> str:
        return "VeniceAudio()"

    async def speak(
        self,
        text: str,
        output: str | Path | AudioSink | None = None,
        *,
        model: str | None = None,
        voice: str | None = None,
        format: str | None = None,
        speed: float | None = None,
        language: str | None = None,
        instructions: str | None = None,
        overwrite: bool = False,
    ) -> SpeechResult | bytes:
        """Speak ``text`` (any length: longer than the model takes is split at sentences and
        joined). ``output``: a path (written whole or not at all; an existing file only with
        ``overwrite``), a binary file object to write to, or None for the audio as bytes
        (short texts: the bytes are held in memory). Checked against the model (bundled
        list: its voices are known only live) before anything is sent."""
        from ..media_catalog import load_media_bundle

        request = SpeechRequest(
            text, model, voice, _format(format, output), speed, language, instructions
        )
        catalog = load_media_bundle("tts")
        if output is None:
            buffer = io.BytesIO()
            await speak_with(self._wire(), request, catalog, buffer)
            return buffer.getvalue()
        if isinstance(output, str | Path):
            return await _speak_to_path(self._wire(), request, catalog, Path(output), overwrite)
        return await speak_with(self._wire(), request, catalog, output)

    def quote_speech(self, text: str, **options: Any) -> SpeechQuote:
        """What :meth:`speak` would send and cost (nothing is sent)."""
        from ..media_catalog import load_media_bundle

        request = SpeechRequest(text, **options)
        catalog = load_media_bundle("tts")
        model = find_model(catalog, request.model or catalog.default or SPEECH_MODEL, "tts")
        return plan_speech(request, model).quote()

    async def transcribe(
        self,
        audio: str | Path | bytes,
        *,
        model: str | None = None,
        language: str | None = None,
        timestamps: bool = False,
        filename: str = "audio",
    ) -> Transcript:
        """The text of an audio file (a path, or its bytes), checked by its content and size
        before it is sent; words and segments with their times when ``timestamps``."""
        from ..media_catalog import load_media_bundle

        request = read_audio(audio, filename, model, language, timestamps)
        return await transcribe_with(self._wire(), request, load_media_bundle("asr"))

    def quote_transcription(
        self, audio: str | Path | bytes, *, model: str | None = None, filename: str = "audio"
    ) -> TranscriptionQuote:
        """What :meth:`transcribe` would cost, where the file says its length (WAV, FLAC);
        nothing is sent."""
        from ..media_catalog import load_media_bundle

        request = read_audio(audio, filename, model)
        catalog = load_media_bundle("asr")
        found = find_model(catalog, model or catalog.default or TRANSCRIPTION_MODEL, "asr")
        return quote_transcription(request, found)

    def speak_sync(self, text: str, output: Any = None, **options: Any) -> SpeechResult | bytes:
        """:meth:`speak` for scripts without an event loop; inside one it refuses with
        ``UsageError`` (the one sync rule)."""
        return self._runner.run(
            lambda: self.speak(text, output, **options),
            "audio.speak_sync", "await provider.audio.speak(...)",
        )  # fmt: skip

    def transcribe_sync(self, audio: str | Path | bytes, **options: Any) -> Transcript:
        """:meth:`transcribe` for scripts without an event loop."""
        return self._runner.run(
            lambda: self.transcribe(audio, **options),
            "audio.transcribe_sync", "await provider.audio.transcribe(...)",
        )  # fmt: skip


def read_audio(
    audio: str | Path | bytes,
    filename: str = "audio",
    model: str | None = None,
    language: str | None = None,
    timestamps: bool = False,
) -> TranscriptionRequest:
    """A transcription request of a path or bytes, the file checked (size first, then its
    first bytes) before more than the limit is read."""
    from ..errors import UsageError
    from ..runtime.plugins import MAX_AUDIO_BYTES

    if isinstance(audio, bytes):
        data, name = audio, filename
    else:
        path = Path(audio)
        name = path.name
        try:
            with path.open("rb") as file:
                data = file.read(MAX_AUDIO_BYTES + 1)
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    mime = check_audio(data, name)
    return TranscriptionRequest(data, name, mime, model, language, timestamps)


async def _speak_to_path(
    wire: Wire, request: SpeechRequest, catalog: MediaCatalog, path: Path, overwrite: bool
) -> SpeechResult:
    import os
    import tempfile

    from ..errors import UsageError

    if path.exists() and not overwrite:
        raise UsageError(f"{path} already exists; pass overwrite=True or pick another path")
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(fd, "w+b") as handle:
            result = await speak_with(wire, request, catalog, handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return result


def _format(chosen: str | None, output: Any) -> Any:
    if chosen is not None or not isinstance(output, str | Path):
        return chosen
    from .speech import EXTENSIONS

    return EXTENSIONS.get(Path(output).suffix.lower())


# -- the host's capabilities --------------------------------------------------------------------
def speech_models(ctx: ProviderContext) -> MediaCatalog:
    from ..identity import resolve_base_url
    from ..media_catalog import media_catalog

    return media_catalog(ctx, "tts", resolve_base_url(ctx.config, ctx.env))


def transcription_models(ctx: ProviderContext) -> MediaCatalog:
    from ..identity import resolve_base_url
    from ..media_catalog import media_catalog

    return media_catalog(ctx, "asr", resolve_base_url(ctx.config, ctx.env))


async def quote_for_host(
    ctx: ProviderContext, api_key: SecretStr, request: SpeechRequest
) -> SpeechQuote:
    from ..media_catalog import media_catalog_async
    from ..wire.config import wire_for

    async with wire_for(ctx, api_key) as wire:
        models = await media_catalog_async(unshown(ctx), "tts", wire)
    model = find_model(models, request.model or models.default or SPEECH_MODEL, "tts")
    return plan_speech(request, model).quote()


async def speak_for_host(
    ctx: ProviderContext, api_key: SecretStr, request: SpeechRequest, sink: AudioSink
) -> SpeechResult:
    from ..media_catalog import media_catalog_async
    from ..wire.config import wire_for

    async with wire_for(ctx, api_key) as wire:  # refuses a key bound off https first
        models = await media_catalog_async(unshown(ctx), "tts", wire)
        return await speak_with(wire, request, models, sink)


async def transcribe_for_host(
    ctx: ProviderContext, api_key: SecretStr, request: TranscriptionRequest
) -> Transcript:
    from ..media_catalog import media_catalog_async
    from ..wire.config import wire_for

    check_audio(request.data, request.filename)
    async with wire_for(ctx, api_key) as wire:
        models = await media_catalog_async(unshown(ctx), "asr", wire)
        return await transcribe_with(wire, request, models)


async def quote_transcription_for_host(
    ctx: ProviderContext, api_key: SecretStr, request: TranscriptionRequest
) -> TranscriptionQuote:
    from ..media_catalog import media_catalog_async
    from ..wire.config import wire_for

    check_audio(request.data, request.filename)
    async with wire_for(ctx, api_key) as wire:
        models = await media_catalog_async(unshown(ctx), "asr", wire)
    model = find_model(models, request.model or models.default or TRANSCRIPTION_MODEL, "asr")
    return quote_transcription(request, model)
