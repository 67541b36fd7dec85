"""What the Venice plugin registers with the host beyond chat: one light object offering
balance, usage, rate limits, characters, images, embeddings, speech, transcription and the
lists of media models of every kind, whose modules load on first use (registering costs a
plugin's start-up nothing)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from .jobs.client import HostJobs
    from .runtime.plugins import (
        AudioSink,
        Balance,
        Character,
        CharacterQuery,
        CharacterReviews,
        EmbeddingResult,
        ImageEditRequest,
        ImageRequest,
        ImageResult,
        Job,
        JobProgress,
        MediaCatalog,
        MediaInput,
        ModelKind,
        MusicRequest,
        ProviderContext,
        Quote,
        RateLimitLog,
        RateLimits,
        SecretStr,
        SpeechQuote,
        SpeechRequest,
        SpeechResult,
        Transcript,
        TranscriptionQuote,
        TranscriptionRequest,
        UpscaleRequest,
        UsageReport,
        VideoRequest,
    )


class VeniceCapabilities:
    def __repr__(self) -> str:
        return "VeniceCapabilities()"

    async def balance(self, ctx: ProviderContext, api_key: SecretStr) -> Balance:
        from .billing import VeniceBilling

        return await VeniceBilling().balance(ctx, api_key)

    async def usage(self, ctx: ProviderContext, api_key: SecretStr, days: int) -> UsageReport:
        from .billing import VeniceBilling

        return await VeniceBilling().usage(ctx, api_key, days)

    async def characters(
        self, ctx: ProviderContext, api_key: SecretStr, query: CharacterQuery
    ) -> tuple[Character, ...]:
        from .characters import VeniceCharacterCapability

        return await VeniceCharacterCapability().characters(ctx, api_key, query)

    async def character(self, ctx: ProviderContext, api_key: SecretStr, slug: str) -> Character:
        from .characters import VeniceCharacterCapability

        return await VeniceCharacterCapability().character(ctx, api_key, slug)

    async def character_reviews(
        self, ctx: ProviderContext, api_key: SecretStr, slug: str, page: int = 1
    ) -> CharacterReviews:
        from .characters import VeniceCharacterCapability

        return await VeniceCharacterCapability().character_reviews(ctx, api_key, slug, page)

    async def rate_limits(self, ctx: ProviderContext, api_key: SecretStr) -> RateLimits:
        from .rate_limits import VeniceRateLimits

        return await VeniceRateLimits().rate_limits(ctx, api_key)

    async def rate_limit_log(self, ctx: ProviderContext, api_key: SecretStr) -> RateLimitLog:
        from .rate_limits import VeniceRateLimits

        return await VeniceRateLimits().rate_limit_log(ctx, api_key)

    def image_models(self, ctx: ProviderContext) -> MediaCatalog:
        from .images.client import image_models

        return image_models(ctx)

    async def generate_images(
        self, ctx: ProviderContext, api_key: SecretStr, request: ImageRequest
    ) -> ImageResult:
        from .images.client import generate_for_host

        return await generate_for_host(ctx, api_key, request)

    def media_models(self, ctx: ProviderContext, kind: ModelKind) -> MediaCatalog:
        from .identity import resolve_base_url
        from .media_catalog import media_catalog

        return media_catalog(ctx, kind, resolve_base_url(ctx.config, ctx.env))

    async def edit_image(
        self, ctx: ProviderContext, api_key: SecretStr, request: ImageEditRequest
    ) -> ImageResult:
        from .images.tools import HostImageTools

        return await HostImageTools().edit_image(ctx, api_key, request)

    async def upscale_image(
        self, ctx: ProviderContext, api_key: SecretStr, request: UpscaleRequest
    ) -> ImageResult:
        from .images.tools import HostImageTools

        return await HostImageTools().upscale_image(ctx, api_key, request)

    async def remove_background(
        self, ctx: ProviderContext, api_key: SecretStr, image: MediaInput
    ) -> ImageResult:
        from .images.tools import HostImageTools

        return await HostImageTools().remove_background(ctx, api_key, image)

    async def image_styles(self, ctx: ProviderContext, api_key: SecretStr) -> tuple[str, ...]:
        from .images.tools import HostImageTools

        return await HostImageTools().image_styles(ctx, api_key)

    def embedding_models(self, ctx: ProviderContext) -> MediaCatalog:
        from .embeddings import embedding_models

        return embedding_models(ctx)

    async def embed(
        self,
        ctx: ProviderContext,
        api_key: SecretStr,
        texts: Sequence[str],
        model: str | None = None,
        dimensions: int | None = None,
    ) -> EmbeddingResult:
        from .embeddings import embed_for_host

        return await embed_for_host(ctx, api_key, texts, model, dimensions)

    def speech_models(self, ctx: ProviderContext) -> MediaCatalog:
        from .audio.client import speech_models

        return speech_models(ctx)

    async def quote_speech(
        self, ctx: ProviderContext, api_key: SecretStr, request: SpeechRequest
    ) -> SpeechQuote:
        from .audio.client import quote_for_host

        return await quote_for_host(ctx, api_key, request)

    async def speak(
        self, ctx: ProviderContext, api_key: SecretStr, request: SpeechRequest, sink: AudioSink
    ) -> SpeechResult:
        from .audio.client import speak_for_host

        return await speak_for_host(ctx, api_key, request, sink)

    def transcription_models(self, ctx: ProviderContext) -> MediaCatalog:
        from .audio.client import transcription_models

        return transcription_models(ctx)

    async def quote_transcription(
        self, ctx: ProviderContext, api_key: SecretStr, request: TranscriptionRequest
    ) -> TranscriptionQuote:
        from .audio.client import quote_transcription_for_host

        return await quote_transcription_for_host(ctx, api_key, request)

    async def transcribe(
        self, ctx: ProviderContext, api_key: SecretStr, request: TranscriptionRequest
    ) -> Transcript:
        from .audio.client import transcribe_for_host

        return await transcribe_for_host(ctx, api_key, request)


class VeniceQueuedJobs:
    """The ``video`` or ``music`` capability (Venice's ``/video/*`` or ``/audio/*`` queue);
    :mod:`.jobs.client` loads on the first call."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._host: HostJobs | None = None

    def __repr__(self) -> str:
        return f"VeniceQueuedJobs({self.kind!r})"

    def _jobs(self) -> HostJobs:
        if self._host is None:
            from .jobs.client import MUSIC, VIDEO, HostJobs

            self._host = HostJobs(VIDEO if self.kind == "video" else MUSIC)
        return self._host

    async def quote(
        self, ctx: ProviderContext, api_key: SecretStr, request: VideoRequest | MusicRequest
    ) -> Quote:
        return await self._jobs().quote(ctx, api_key, request)

    async def queue(
        self, ctx: ProviderContext, api_key: SecretStr, request: VideoRequest | MusicRequest
    ) -> Job:
        return await self._jobs().queue(ctx, api_key, request)

    async def retrieve(
        self, ctx: ProviderContext, api_key: SecretStr, job: Job, sink: BinaryIO, max_bytes: int
    ) -> JobProgress:
        return await self._jobs().retrieve(ctx, api_key, job, sink, max_bytes)

    async def complete(self, ctx: ProviderContext, api_key: SecretStr, job: Job) -> bool:
        return await self._jobs().complete(ctx, api_key, job)
