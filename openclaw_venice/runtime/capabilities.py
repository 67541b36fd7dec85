"""Capabilities beyond chat that a provider plugin may register with the host.

A plugin's ``register(api)`` may call ``api.register_capability(provider_id, kind, impl)``
for any of :data:`KINDS`; the ``usage``, ``image`` and ``embed`` commands and the balance in
``models status`` then work for that provider. Nothing here knows any provider: the records
below are what every provider reports in, and the protocols are what the host calls.

Every method is ``async`` and gets the provider's :class:`ProviderContext` and the API key the
host resolved; it raises errors of the one tree (``ProviderError`` subclasses) on failure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .context import ProviderContext
    from .secret import SecretStr

Kind = Literal["balance", "usage", "images", "embeddings", "attestation"]


# -- balance and usage ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Amount:
    """One balance, e.g. ``Amount("USD", 25.0)``."""

    unit: str
    value: float


@dataclass(frozen=True, slots=True)
class Allocation:
    """A budget that renews each ``period`` (e.g. Venice's DIEM epoch): ``remaining`` of
    ``total``."""

    unit: str
    remaining: float
    total: float
    period: str

    @property
    def used_percent(self) -> float:
        if self.total <= 0:
            return 0.0
        return min(100.0, max(0.0, (self.total - self.remaining) / self.total * 100))


@dataclass(frozen=True, slots=True)
class Balance:
    amounts: tuple[Amount, ...]
    allocation: Allocation | None = None
    can_consume: bool | None = None
    currency: str | None = None  # what the next request is paid in

    def summary(self) -> str:
        """``USD 25.00, DIEM 90.50 (of 100 per epoch, 9% used); paying in DIEM``."""
        parts = []
        for amount in self.amounts:
            text = f"{amount.unit} {amount.value:,.2f}"
            a = self.allocation
            if a is not None and a.unit == amount.unit:
                text += f" (of {a.total:,.4g} per {a.period}, {a.used_percent:.0f}% used)"
            parts.append(text)
        line = ", ".join(parts) or "no balance reported"
        if self.currency:
            line += f"; paying in {self.currency}"
        if self.can_consume is False:
            line += "; requests cannot be paid for now"
        return line

    def to_json(self) -> dict[str, Any]:
        a = self.allocation
        return {
            "amounts": {x.unit: x.value for x in self.amounts},
            "allocation": None
            if a is None
            else {
                "unit": a.unit,
                "remaining": a.remaining,
                "total": a.total,
                "period": a.period,
                "usedPercent": round(a.used_percent, 2),
            },
            "canConsume": self.can_consume,
            "currency": self.currency,
        }


@dataclass(frozen=True, slots=True)
class UsageRow:
    """What one model cost over the window: ``spend`` by currency, ``units`` of ``unit``."""

    model: str
    kind: str | None
    units: float
    unit: str
    spend: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class UsageReport:
    window: str  # e.g. "7d"
    rows: tuple[UsageRow, ...]

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for row in self.rows for c in row.spend))

    def totals(self) -> dict[str, float]:
        return {c: sum(row.spend.get(c, 0.0) for row in self.rows) for c in self.currencies}

    def to_json(self) -> dict[str, Any]:
        return {
            "window": self.window,
            "models": [
                {
                    "model": r.model,
                    "type": r.kind,
                    "units": r.units,
                    "unit": r.unit,
                    "spend": dict(r.spend),
                }
                for r in self.rows
            ],
            "totals": self.totals(),
        }


# -- image and embedding models -----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class MediaModel:
    """An image or embedding model. ``limits``: what the provider says the model takes
    (e.g. ``aspectRatios``, ``promptCharacterLimit``), as it says it."""

    id: str
    name: str
    provider: str
    kind: Literal["image", "embedding"]
    privacy: str | None = None
    limits: Mapping[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()

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


# -- attestation ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Attestation:
    """What a provider found verifying the enclave a model runs in: ``lines`` for people,
    ``data`` for ``--json``, ``summary`` one line (the first failure, or that it verified)."""

    passed: bool
    summary: str
    lines: Sequence[str]
    data: Mapping[str, Any]


@runtime_checkable
class AttestationCapability(Protocol):
    async def attest(self, ctx: ProviderContext, api_key: SecretStr, model: str) -> Attestation:
        """Fetch a fresh attestation of ``model``'s enclave (an id of the provider's catalog)
        and verify it; a failed check is in the result, not raised."""
        ...


KINDS: dict[Kind, type] = {
    "balance": BalanceCapability,
    "usage": UsageCapability,
    "images": ImageCapability,
    "embeddings": EmbeddingCapability,
    "attestation": AttestationCapability,
}
DESCRIPTIONS: dict[Kind, str] = {
    "balance": "an account balance",
    "usage": "usage analytics",
    "images": "image generation",
    "embeddings": "embeddings",
    "attestation": "enclave attestation",
}
