"""Capabilities beyond chat that a provider plugin may register with the host.

A plugin's ``register(api)`` may call ``api.register_capability(provider_id, kind, impl)``
for any of :data:`KINDS`; the ``usage``, ``image``, ``embed``, ``speak`` and ``transcribe``
commands and the balance in ``models status`` then work for that provider. Nothing here knows
any provider: the protocols below are what the host calls; the records every provider reports
in live in :mod:`.account` (balance, usage), :mod:`.media` (image and embedding models,
images, vectors), :mod:`.audio` (speech, transcripts) and :mod:`.attestation`, each loaded
only by what uses it.

Every method is ``async`` and gets the provider's :class:`ProviderContext` and the API key the
host resolved; it raises errors of the one tree (``ProviderError`` subclasses) on failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, BinaryIO, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .account import Balance, RateLimitLog, RateLimits, UsageReport
    from .attestation import Attestation
    from .audio import (
        AudioSink,
        SpeechQuote,
        SpeechRequest,
        SpeechResult,
        Transcript,
        TranscriptionQuote,
        TranscriptionRequest,
    )
    from .catalog import ModelKind
    from .characters import Character, CharacterQuery, CharacterReviews
    from .context import ProviderContext
    from .image_tools import ImageEditRequest, UpscaleRequest
    from .media import (
        EmbeddingResult,
        ImageRequest,
        ImageResult,
        MediaCatalog,
    )
    from .media_jobs import Job, JobProgress, MediaInput, MusicRequest, Quote, VideoRequest
    from .secret import SecretStr

Kind = Literal[
    "balance", "usage", "images", "embeddings", "attestation", "media_models", "video", "music",
    "rate_limits", "characters", "speech", "transcription", "image_edit", "image_upscale",
    "background_removal", "image_styles",
]  # fmt: skip


# -- what a plugin registers ---------------------------------------------------------------------
@runtime_checkable
class BalanceCapability(Protocol):
    async def balance(self, ctx: ProviderContext, api_key: SecretStr) -> Balance: ...


@runtime_checkable
class UsageCapability(Protocol):
    async def usage(self, ctx: ProviderContext, api_key: SecretStr, days: int) -> UsageReport:
        """Spend by model over the last ``days`` days."""
        ...


@runtime_checkable
class RateLimitCapability(Protocol):
    async def rate_limits(self, ctx: ProviderContext, api_key: SecretStr) -> RateLimits:
        """The key's limits by model, its tier, expiry and access."""
        ...

    async def rate_limit_log(self, ctx: ProviderContext, api_key: SecretStr) -> RateLimitLog:
        """The most recent times the account went over a limit."""
        ...


@runtime_checkable
class CharacterCapability(Protocol):
    async def characters(
        self, ctx: ProviderContext, api_key: SecretStr, query: CharacterQuery
    ) -> tuple[Character, ...]:
        """The characters ``query`` finds, in the provider's order."""
        ...

    async def character(self, ctx: ProviderContext, api_key: SecretStr, slug: str) -> Character:
        """The character ``slug``; :class:`~.errors.UnknownCharacterError` when there is none
        (the host checks ``chat --character`` with it before any chat request)."""
        ...

    async def character_reviews(
        self, ctx: ProviderContext, api_key: SecretStr, slug: str, page: int = 1
    ) -> CharacterReviews:
        """One page of ``slug``'s reviews, newest first."""
        ...


@runtime_checkable
class ImageCapability(Protocol):
    def image_models(self, ctx: ProviderContext) -> MediaCatalog:
        """Live when reachable, else cached or bundled; never raises for network trouble."""
        ...

    async def generate_images(
        self, ctx: ProviderContext, api_key: SecretStr, request: ImageRequest
    ) -> ImageResult:
        """Refuses values the model does not take before sending anything."""
        ...


@runtime_checkable
class EmbeddingCapability(Protocol):
    def embedding_models(self, ctx: ProviderContext) -> MediaCatalog: ...

    async def embed(
        self,
        ctx: ProviderContext,
        api_key: SecretStr,
        texts: Sequence[str],
        model: str | None = None,
        dimensions: int | None = None,
    ) -> EmbeddingResult: ...


@runtime_checkable
class MediaModelsCapability(Protocol):
    def media_models(self, ctx: ProviderContext, kind: ModelKind) -> MediaCatalog:
        """The provider's models of ``kind`` (one of :data:`.media.MODEL_KINDS`), with their limits
        and prices: live when reachable, else cached or bundled; never raises for network
        trouble; an empty catalog for a kind it has none of."""
        ...


@runtime_checkable
class AttestationCapability(Protocol):
    async def attest(self, ctx: ProviderContext, api_key: SecretStr, model: str) -> Attestation:
        """Fetch a fresh attestation of ``model``'s enclave (an id of the provider's catalog)
        and verify it; a failed check is in the result, not raised. A provider whose enclave
        signs receipts may take ``receipt=ID`` too (the host passes it only when asked):
        verify the enclave's signed receipt of the answer ``ID`` against the attested key."""
        ...


@runtime_checkable
class QueuedJobCapability(Protocol):
    """A job the provider queues and the host asks about until it is done: ``video``
    (:class:`VideoRequest`) and ``music`` (music and sound effects, :class:`MusicRequest`).
    The host quotes, shows the price, queues, polls :meth:`retrieve` (showing progress on a
    terminal), then calls :meth:`complete`; a :class:`Job` outlives the process that queued
    it (``--resume ID`` makes one from the id and model)."""

    async def quote(
        self, ctx: ProviderContext, api_key: SecretStr, request: VideoRequest | MusicRequest
    ) -> Quote:
        """The price, before anything is queued; refuses values the model does not take."""
        ...

    async def queue(
        self, ctx: ProviderContext, api_key: SecretStr, request: VideoRequest | MusicRequest
    ) -> Job:
        """Queue the job (this is what is paid for)."""
        ...

    async def retrieve(
        self, ctx: ProviderContext, api_key: SecretStr, job: Job, sink: BinaryIO, max_bytes: int
    ) -> JobProgress:
        """One look at ``job``; when it is done, its file streamed into ``sink`` (at most
        ``max_bytes``, else a one-line error) before returning ``done=True``."""
        ...

    async def complete(self, ctx: ProviderContext, api_key: SecretStr, job: Job) -> bool:
        """Tell the provider the file was saved (it may delete its copy); False: it did not."""
        ...


@runtime_checkable
class SpeechCapability(Protocol):
    def speech_models(self, ctx: ProviderContext) -> MediaCatalog:
        """Text-to-speech models; each model's ``limits`` may list its ``voices`` (the
        ``speak --voices`` list). Never raises for network trouble."""
        ...

    async def quote_speech(
        self, ctx: ProviderContext, api_key: SecretStr, request: SpeechRequest
    ) -> SpeechQuote:
        """Check ``request`` against the model (voice, format, speed) and price it, sending
        nothing that costs; refuses what the model does not take."""
        ...

    async def speak(
        self, ctx: ProviderContext, api_key: SecretStr, request: SpeechRequest, sink: AudioSink
    ) -> SpeechResult:
        """Write the audio to ``sink`` piece by piece (never whole in memory), text longer
        than the model takes split and the parts joined into one stream of the format."""
        ...


@runtime_checkable
class TranscriptionCapability(Protocol):
    def transcription_models(self, ctx: ProviderContext) -> MediaCatalog: ...

    async def quote_transcription(
        self, ctx: ProviderContext, api_key: SecretStr, request: TranscriptionRequest
    ) -> TranscriptionQuote:
        """Check ``request`` against the model and price it (the audio's length where its
        header says: :func:`.audio.audio_seconds`), sending nothing that costs."""
        ...

    async def transcribe(
        self, ctx: ProviderContext, api_key: SecretStr, request: TranscriptionRequest
    ) -> Transcript:
        """The text of the audio; words and segments with their times when asked
        (``request.timestamps``) and the model offers them."""
        ...


@runtime_checkable
class ImageEditCapability(Protocol):
    async def edit_image(
        self, ctx: ProviderContext, api_key: SecretStr, request: ImageEditRequest
    ) -> ImageResult:
        """``request.images[0]`` edited as the prompt says (further images: layers); input
        limits checked before sending."""
        ...


@runtime_checkable
class ImageUpscaleCapability(Protocol):
    async def upscale_image(
        self, ctx: ProviderContext, api_key: SecretStr, request: UpscaleRequest
    ) -> ImageResult:
        """``request.image`` made ``request.scale`` times larger; input limits checked before
        sending."""
        ...


@runtime_checkable
class BackgroundRemovalCapability(Protocol):
    async def remove_background(
        self, ctx: ProviderContext, api_key: SecretStr, image: MediaInput
    ) -> ImageResult:
        """``image`` with its background made transparent."""
        ...


@runtime_checkable
class ImageStylesCapability(Protocol):
    async def image_styles(self, ctx: ProviderContext, api_key: SecretStr) -> tuple[str, ...]:
        """The style presets image generation takes (``ImageRequest.style``)."""
        ...


KINDS: dict[Kind, type] = {
    "balance": BalanceCapability,
    "usage": UsageCapability,
    "images": ImageCapability,
    "embeddings": EmbeddingCapability,
    "attestation": AttestationCapability,
    "media_models": MediaModelsCapability,
    "rate_limits": RateLimitCapability,
    "characters": CharacterCapability,
    "video": QueuedJobCapability,
    "music": QueuedJobCapability,
    "speech": SpeechCapability,
    "transcription": TranscriptionCapability,
    "image_edit": ImageEditCapability,
    "image_upscale": ImageUpscaleCapability,
    "background_removal": BackgroundRemovalCapability,
    "image_styles": ImageStylesCapability,
}
DESCRIPTIONS: dict[Kind, str] = {
    "balance": "an account balance",
    "usage": "usage analytics",
    "images": "image generation",
    "embeddings": "embeddings",
    "attestation": "enclave attestation",
    "media_models": "lists of media models",
    "rate_limits": "rate limits",
    "characters": "characters",
    "video": "video generation",
    "music": "music and sound effects",
    "speech": "text to speech",
    "transcription": "speech to text",
    "image_edit": "image editing",
    "image_upscale": "image upscaling",
    "background_removal": "background removal",
    "image_styles": "image style presets",
}
