"""A non-Venice plugin that registers every capability beyond chat, installed for the tests
through a real entry point: the host's ``image``, ``embed``, ``usage``, ``video``, ``music``,
``sound``, ``speak``, ``transcribe`` and balance work for it without knowing it. Its answers
are made locally (real PNG bytes, vectors from the text, a WAV of the text's bytes, a
transcript of the audio's size)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from typing import Any, ClassVar

from openclaw_venice.runtime.plugins import (  # the contract, as any plugin imports it
    Amount,
    AssistantMessage,
    AudioSink,
    AuthMethod,
    Balance,
    Catalog,
    Character,
    CharacterQuery,
    CharacterReview,
    CharacterReviews,
    ChatSettings,
    Context,
    EmbeddingResult,
    GeneratedImage,
    ImageRequest,
    ImageResult,
    Job,
    JobProgress,
    MediaCatalog,
    MediaModel,
    PluginApi,
    ProviderContext,
    Quote,
    RateLimit,
    RateLimitEvent,
    RateLimitLog,
    RateLimits,
    SpeechQuote,
    SpeechRequest,
    SpeechResult,
    StreamEvent,
    TextPart,
    TimedText,
    Transcript,
    TranscriptionQuote,
    TranscriptionRequest,
    UnknownCharacterError,
    UsageReport,
    UsageRow,
    UserMessage,
)
from tests.support.pngs import png

CHARACTERS = (
    Character("ada", "Ada", "studio", "A patient teacher.", "tutor", ("maths",), rating=4.5),
)
IMAGE_MODELS = (MediaModel("sketch", "Sketch", "studio", "image", "private"),)
EMBED_MODELS = (MediaModel("words", "Words", "studio", "embedding", "anonymized"),)
#: what it lists beside those: a speech model with its voices and price
LISTED = {
    "tts": (
        MediaModel(
            "narrator", "Narrator", "studio", "tts", "private", {"voices": ["Ada", "Lin"]}, (),
            {"perCharacter": {"credits": 0.001}},
        ),
    ),
}  # fmt: skip
SPEECH_MODELS = (
    MediaModel("narrator", "Narrator", "studio", "tts", "private", {"voices": ["calm", "bright"]}),
)
HEARING_MODELS = (MediaModel("ear", "Ear", "studio", "asr", "anonymized"),)


class StudioProvider:
    id = "studio"
    label = "Studio"
    env_vars = ("STUDIO_API_KEY",)
    default_base_url = "http://127.0.0.1:9"
    api = "openai-completions"
    auth_methods = (
        AuthMethod(
            "api-key", "studio-api-key", "Studio key", "--studio-api-key", "STUDIO_API_KEY",
            "studio:default",
        ),
    )  # fmt: skip
    default_model = None

    def base_url(self, ctx: ProviderContext) -> str:
        return self.default_base_url

    def onboarding_config(
        self, existing: Any, catalog: Catalog, api_key_ref: str
    ) -> dict[str, Any]:
        return {"apiKey": api_key_ref}

    def bundled_catalog(self) -> Catalog:
        return Catalog("studio", "bundled", ())

    def catalog(self, ctx: ProviderContext) -> Catalog:
        return self.bundled_catalog()

    chat_flags = ()

    def chat(self, ctx: ProviderContext, api_key: Any, catalog: Catalog | None = None) -> Any:
        return StudioSession()


class StudioSession:
    """Answers locally: the last user text, said by the character the turn names."""

    async def stream(
        self, model: Any, context: Context, settings: ChatSettings
    ) -> AsyncGenerator[StreamEvent, None]:
        last = next(m for m in reversed(context.messages) if isinstance(m, UserMessage))
        said = last.content if isinstance(last.content, str) else "…"
        text = f"{settings.character or 'nobody'} on {model}: {said}"
        yield StreamEvent("start")
        yield StreamEvent("text_delta", delta=text)
        message = AssistantMessage([TextPart(text)], model=str(model), provider="studio")
        yield StreamEvent("done", message=message)

    async def aclose(self) -> None:
        pass


class StudioExtras:
    async def balance(self, ctx: ProviderContext, api_key: Any) -> Balance:
        return Balance((Amount("credits", 7.0),))

    async def usage(self, ctx: ProviderContext, api_key: Any, days: int) -> UsageReport:
        return UsageReport(
            f"{days} days", (UsageRow("Sketch", "IMAGE", 2, "images", {"credits": 1.5}),)
        )

    async def characters(
        self, ctx: ProviderContext, api_key: Any, query: CharacterQuery
    ) -> tuple[Character, ...]:
        return tuple(c for c in CHARACTERS if not query.search or query.search in c.name)

    async def character(self, ctx: ProviderContext, api_key: Any, slug: str) -> Character:
        found = next((c for c in CHARACTERS if c.slug == slug), None)
        if found is None:
            raise UnknownCharacterError("studio", slug, tuple(c.slug for c in CHARACTERS))
        return found

    async def character_reviews(
        self, ctx: ProviderContext, api_key: Any, slug: str, page: int = 1
    ) -> CharacterReviews:
        character = await self.character(ctx, api_key, slug)
        return CharacterReviews(character.slug, (CharacterReview(5, "Clear.", "sam"),), page, 1, 1)

    async def rate_limits(self, ctx: ProviderContext, api_key: Any) -> RateLimits:
        return RateLimits((RateLimit("sketch", "images per hour", 12),), tier="hobby")

    async def rate_limit_log(self, ctx: ProviderContext, api_key: Any) -> RateLimitLog:
        return RateLimitLog((RateLimitEvent("yesterday", "sketch", "images per hour"),))

    def image_models(self, ctx: ProviderContext) -> MediaCatalog:
        return MediaCatalog("studio", "bundled", IMAGE_MODELS, "sketch")

    async def generate_images(
        self, ctx: ProviderContext, api_key: Any, request: ImageRequest
    ) -> ImageResult:
        side = request.width or 2
        images = tuple(GeneratedImage(png(side, side), "image/png") for _ in range(request.count))
        return ImageResult(images, request.model or "sketch", "private")

    def embedding_models(self, ctx: ProviderContext) -> MediaCatalog:
        return MediaCatalog("studio", "bundled", EMBED_MODELS, "words")

    def media_models(self, ctx: ProviderContext, kind: str) -> MediaCatalog:
        models = {"image": IMAGE_MODELS, "embedding": EMBED_MODELS, **LISTED}.get(kind, ())
        return MediaCatalog("studio", "bundled", models, models[0].id if models else None)

    async def embed(
        self,
        ctx: ProviderContext,
        api_key: Any,
        texts: Sequence[str],
        model: str | None = None,
        dimensions: int | None = None,
    ) -> EmbeddingResult:
        return EmbeddingResult(tuple((float(len(t)),) for t in texts), model or "words")

    def speech_models(self, ctx: ProviderContext) -> MediaCatalog:
        return MediaCatalog("studio", "bundled", SPEECH_MODELS, "narrator")

    async def quote_speech(
        self, ctx: ProviderContext, api_key: Any, request: SpeechRequest
    ) -> SpeechQuote:
        credits = len(request.text) / 100
        return SpeechQuote("narrator", len(request.text), 1, credits, "credits", "1 per 100")

    async def speak(
        self, ctx: ProviderContext, api_key: Any, request: SpeechRequest, sink: AudioSink
    ) -> SpeechResult:
        from tests.support.venice_audio import wav

        audio = wav(request.text.encode())
        for at in range(0, len(audio), 16):  # in pieces, as a provider streams it
            sink.write(audio[at : at + 16])
        voice = request.voice or "calm"
        return SpeechResult("narrator", voice, "wav", len(audio), 1, "private")

    def transcription_models(self, ctx: ProviderContext) -> MediaCatalog:
        return MediaCatalog("studio", "bundled", HEARING_MODELS, "ear")

    async def quote_transcription(
        self, ctx: ProviderContext, api_key: Any, request: TranscriptionRequest
    ) -> TranscriptionQuote:
        return TranscriptionQuote("ear", 1.5, 0.03, "credits", "2 per 100 seconds")

    async def transcribe(
        self, ctx: ProviderContext, api_key: Any, request: TranscriptionRequest
    ) -> Transcript:
        text = f"{len(request.data)} bytes of {request.mime_type}"
        segments = (TimedText(text, 0.0, 1.5),) if request.timestamps else ()
        return Transcript(text, "ear", 1.5, (), segments, "anonymized")

    # image tools: the answer is a PNG the size of the input's (bigger by ``scale``)
    async def edit_image(self, ctx: ProviderContext, api_key: Any, request: Any) -> ImageResult:
        return ImageResult((GeneratedImage(png(3, 3), "image/png"),), request.model or "brush")

    async def upscale_image(self, ctx: ProviderContext, api_key: Any, request: Any) -> ImageResult:
        side = 2 * request.scale
        return ImageResult((GeneratedImage(png(side, side), "image/png"),), "enlarger", "private")

    async def remove_background(
        self, ctx: ProviderContext, api_key: Any, image: Any
    ) -> ImageResult:
        return ImageResult((GeneratedImage(png(1, 1), "image/png"),), "scissors", "private")

    async def image_styles(self, ctx: ProviderContext, api_key: Any) -> tuple[str, ...]:
        return ("Charcoal", "Ink")


class StudioJobs:
    """Video and music as queued jobs, made locally: each job is done at its second look
    (in this process), its file a few bytes of a real container."""

    FILES: ClassVar[dict[str, tuple[bytes, str]]] = {
        "video": (b"\x00\x00\x00\x18ftypisom" + b"studio-reel" * 8, "video/mp4"),
        "music": (b"ID3\x04\x00" + b"studio-tune" * 8, "audio/mpeg"),
    }

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.looks: dict[str, int] = {}

    async def quote(self, ctx: ProviderContext, api_key: Any, request: Any) -> Quote:
        return Quote(request.model or f"{self.kind}-1", 0.1, "credits")

    async def queue(self, ctx: ProviderContext, api_key: Any, request: Any) -> Job:
        return Job("studio", self.kind, request.model or f"{self.kind}-1", f"{self.kind}-job-7")

    async def retrieve(
        self, ctx: ProviderContext, api_key: Any, job: Job, sink: Any, max_bytes: int
    ) -> JobProgress:
        seen = self.looks[job.id] = self.looks.get(job.id, 0) + 1
        if seen == 1:
            return JobProgress(False, 0.5, 1.0)
        data, mime = self.FILES[self.kind]
        sink.write(data)
        return JobProgress(True, size=len(data), mime_type=mime)

    async def complete(self, ctx: ProviderContext, api_key: Any, job: Job) -> bool:
        return True


class StudioPlugin:
    id = "studio"
    name = "Studio"
    description = "a test provider with capabilities beyond chat"
    config_schema: ClassVar[dict[str, Any]] = {"type": "object"}

    def register(self, api: PluginApi) -> None:
        api.register_provider(StudioProvider())
        extras = StudioExtras()
        for kind in (
            "balance", "usage", "rate_limits", "characters", "images", "embeddings", "media_models",
            "speech", "transcription", "image_edit", "image_upscale", "background_removal",
            "image_styles",
        ):
            api.register_capability("studio", kind, extras)  # type: ignore[arg-type]
        api.register_capability("studio", "video", StudioJobs("video"))
        api.register_capability("studio", "music", StudioJobs("music"))


plugin = StudioPlugin()


class StrayPlugin:
    """Registers a capability for a provider it does not register (Venice's)."""

    id = "stray"
    name = "Stray"
    description = "claims another plugin's provider"
    config_schema: ClassVar[dict[str, Any]] = {"type": "object"}

    def register(self, api: PluginApi) -> None:
        api.register_capability("venice", "images", StudioExtras())


stray = StrayPlugin()
