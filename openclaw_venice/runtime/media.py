"""Media models (image, embedding, speech, ...), image requests and results, embedding results.

Records of the ``images`` and ``embeddings`` capabilities (:mod:`.capabilities`); loaded only
by the commands and clients that use them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

#: the kinds of models beside chat models a provider may list (``openclaw models list --type``)
ModelKind = Literal["image", "embedding", "tts", "asr", "video", "music", "upscale", "inpaint"]
MODEL_KINDS: tuple[ModelKind, ...] = (
    "image", "embedding", "tts", "asr", "video", "music", "upscale", "inpaint",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class MediaModel:
    """A model that is not a chat model (image, embedding, speech, ...: see
    :data:`MODEL_KINDS`). ``limits``: what the provider says the model takes
    (e.g. ``aspectRatios``, ``promptCharacterLimit``, a speech model's ``voices``), as it
    says it; ``pricing``: what the provider says it costs, as it says it (e.g.
    ``{"generation": {"usd": 0.01}}``); both empty when it said nothing."""

    id: str
    name: str
    provider: str
    kind: ModelKind
    privacy: str | None = None
    limits: Mapping[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    pricing: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.provider}/{self.id}"

    def to_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "id": self.id,
            "name": self.name,
            "provider": self.provider,
            "type": self.kind,
            "privacy": self.privacy,
            "limits": dict(self.limits),
            "pricing": dict(self.pricing),
            "tags": list(self.tags),
        }


@dataclass(frozen=True, slots=True)
class MediaCatalog:
    provider: str
    source: Literal["live", "cache", "bundled"]
    models: tuple[MediaModel, ...]
    default: str | None = None

    def find(self, model_id: str) -> MediaModel | None:
        return next((m for m in self.models if m.id == model_id), None)


# -- images -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ImageRequest:
    """What the ``image`` command asks for; None leaves the choice to the provider/model."""

    prompt: str
    model: str | None = None
    count: int = 1
    width: int | None = None
    height: int | None = None
    aspect_ratio: str | None = None
    resolution: str | None = None
    seed: int | None = None
    negative_prompt: str | None = None
    style: str | None = None
    safe_mode: bool | None = None
    format: str | None = None  # png, jpeg, webp
    quality: str | None = None


@dataclass(frozen=True, slots=True)
class GeneratedImage:
    data: bytes
    mime_type: str

    @property
    def extension(self) -> str:
        return {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(
            self.mime_type, "bin"
        )

    def __repr__(self) -> str:
        return f"GeneratedImage({self.mime_type}, {len(self.data)} bytes)"


@dataclass(frozen=True, slots=True)
class ImageResult:
    """The images and what the provider said about them. ``blurred``/``content_violation``:
    the provider's content-safety verdict (None when it said nothing)."""

    images: tuple[GeneratedImage, ...]
    model: str
    privacy: str | None = None
    request_id: str | None = None
    blurred: bool | None = None
    content_violation: bool | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "privacy": self.privacy,
            "requestId": self.request_id,
            "blurred": self.blurred,
            "contentViolation": self.content_violation,
            "images": [{"mimeType": i.mime_type, "bytes": len(i.data)} for i in self.images],
            "meta": dict(self.meta),
        }


# -- embeddings ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class EmbeddingResult:
    vectors: tuple[tuple[float, ...], ...]  # one per input text, in input order
    model: str
    prompt_tokens: int = 0
    total_tokens: int = 0
    request_ids: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "data": [{"index": i, "embedding": list(v)} for i, v in enumerate(self.vectors)],
            "usage": {"promptTokens": self.prompt_tokens, "totalTokens": self.total_tokens},
        }
