"""What the Venice plugin registers with the host beyond chat: one light object offering
balance, usage, images, embeddings and the lists of media models of every kind, whose modules
load on first use (registering costs a plugin's start-up nothing)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .runtime.plugins import (
        Balance,
        EmbeddingResult,
        ImageRequest,
        ImageResult,
        MediaCatalog,
        ModelKind,
        ProviderContext,
        SecretStr,
        UsageReport,
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
