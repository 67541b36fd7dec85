"""Media models (image, embedding, speech, ...), image requests and results, embedding results.

Records of the ``images`` and ``embeddings`` capabilities (:mod:`.capabilities`); loaded only
by the commands and clients that use them.
"""

# no `from __future__ import annotations`: a named tuple's string annotations are each
# compiled when the class is made (typing.ForwardRef); a class's own name is quoted instead
from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from .catalog import NOTHING, ModelKind


class MediaModel(NamedTuple):
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
    limits: Mapping[str, Any] = NOTHING
    tags: tuple[str, ...] = ()
    pricing: Mapping[str, Any] = NOTHING

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


class MediaCatalog(NamedTuple):
    provider: str
    source: Literal["live", "cache", "bundled"]
    models: tuple[MediaModel, ...]
    default: str | None = None

    def find(self, model_id: str) -> MediaModel | None:
        return next((m for m in self.models if m.id == model_id), None)


# -- images -------------------------------------------------------------------------------------
class ImageRequest(NamedTuple):
    """What the ``image`` command asks for; None leaves the choice to the provider/model."""

    prompt: str
    model: str | None = None
    count: int = 1  # type: ignore[assignment]  # the field hides tuple.count
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


class GeneratedImage(NamedTuple):
    data: bytes
    mime_type: str

    @property
    def extension(self) -> str:
        return {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(
            self.mime_type, "bin"
        )

    def __repr__(self) -> str:
        return f"GeneratedImage({self.mime_type}, {len(self.data)} bytes)"


class ImageResult(NamedTuple):
    """The images and what the provider said about them. ``blurred``/``content_violation``:
    the provider's content-safety verdict (None when it said nothing)."""

    images: tuple[GeneratedImage, ...]
    model: str
    privacy: str | None = None
    request_id: str | None = None
    blurred: bool | None = None
    content_violation: bool | None = None
    meta: Mapping[str, Any] = NOTHING

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
class EmbeddingResult(NamedTuple):
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
