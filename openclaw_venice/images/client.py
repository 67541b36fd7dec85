"""``VeniceImages``: ``provider.images`` for Python callers and the ``images`` capability the
host's ``openclaw image`` uses. Both check the request against the model, send one
``POST /image/generate`` through the wire and return the decoded images with what Venice
said about them (privacy of the model, request id, blurred, content violation)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..media_catalog import find_model, unshown
from ..runtime.plugins import (
    ImageEditRequest,
    ImageRequest,
    ImageResult,
    MediaCatalog,
    MediaInput,
    UpscaleRequest,
)
from ..wire.client import CallLimits
from ..wire.limits import ANSWER
from .answer import parse_images
from .request import image_body

if TYPE_CHECKING:
    from ..runtime.plugins import ProviderContext, SecretStr
    from ..wire.client import Wire
    from ..wire.sync import LoopRunner

# Four 4K images as base64 are ~100 MB; anything past this is not an image answer. Its JSON
# is a few fields around those strings (128 MB of `[{},...]` would be 3 GB of dicts).
IMAGE_JSON = ANSWER._replace(containers=256, values=4096)
IMAGE_LIMITS = CallLimits(
    timeout=180.0, max_bytes=128 * 1024 * 1024, max_retries=2, json=IMAGE_JSON
)


async def generate_with(
    wire: Wire, request: ImageRequest, catalog: MediaCatalog, warn: Callable[[str], None]
) -> ImageResult:
    model = find_model(catalog, request.model)
    body = image_body(request, model)
    answer = await wire.json("POST", "/image/generate", limits=IMAGE_LIMITS, body=body)
    result = parse_images(answer.payload, answer.headers, model, answer.request_id)
    warning = result.meta.get("deprecationWarning")
    if warning:
        warn(f"{model.ref}: {warning}")
    return result


class VeniceImages:
    """Image generation. ``await provider.images.generate("a lighthouse at dusk")``.
    ``wire``: the wire of the provider's key (made on first use); ``runner``: the loops of
    the sync form; ``warn``: where a deprecation notice goes."""

    def __init__(
        self, wire: Callable[[], Wire], runner: LoopRunner, warn: Callable[[str], None]
    ) -> None:
        self._wire, self._runner, self._warn = wire, runner, warn

    def __repr__(self) -> str:
        return "VeniceImages()"

    async def generate(
        self,
        prompt: str,
        *,
        model: str | None = None,
        count: int = 1,
        size: tuple[int, int] | None = None,
        aspect_ratio: str | None = None,
        resolution: str | None = None,
        seed: int | None = None,
        negative_prompt: str | None = None,
        style: str | None = None,
        safe_mode: bool | None = None,
        format: str | None = None,
        quality: str | None = None,
    ) -> ImageResult:
        """``count`` images (1-4) as bytes with their MIME type, checked against the model
        (bundled list) first. ``safe_mode``: None sends false (see ``images.request``)."""
        from ..media_catalog import load_media_bundle

        width, height = size if size is not None else (None, None)
        request = ImageRequest(
            prompt, model, count, width, height, aspect_ratio, resolution, seed,
            negative_prompt, style, safe_mode, format, quality,
        )  # fmt: skip
        return await generate_with(self._wire(), request, load_media_bundle("image"), self._warn)

    def generate_sync(self, prompt: str, **options: Any) -> ImageResult:
        """:meth:`generate` for scripts without an event loop (same keyword options); inside
        a running loop it refuses with ``UsageError`` (the one sync rule)."""
        return self._runner.run(
            lambda: self.generate(prompt, **options),
            "images.generate_sync", "await provider.images.generate(...)",
        )  # fmt: skip


    # -- the image tools (:mod:`.tools`) -------------------------------------------------------
    async def edit(
        self,
        prompt: str,
        *images: str | os.PathLike[str] | MediaInput,
        model: str | None = None,
        aspect_ratio: str | None = None,
        resolution: str | None = None,
        format: str | None = None,
        quality: str | None = None,
        safe_mode: bool | None = None,
    ) -> ImageResult:
        """The first image edited as ``prompt`` says (more images: layers, a multi-edit);
        each input checked by its content and Venice's limits before sending."""
        from .tools import edit_with

        inputs = tuple(_input(image) for image in images)
        request = ImageEditRequest(
            prompt, inputs, model, aspect_ratio, resolution, format, quality, safe_mode
        )
        return await edit_with(self._wire(), request)

    async def upscale(
        self, image: str | os.PathLike[str] | MediaInput, *, scale: int = 2,
        creativity: float | None = None,
    ) -> ImageResult:  # fmt: skip
        """``image`` ``scale`` (2 or 4) times larger, as a PNG."""
        from .tools import upscale_with

        return await upscale_with(self._wire(), UpscaleRequest(_input(image), scale, creativity))

    async def remove_background(self, image: str | os.PathLike[str] | MediaInput) -> ImageResult:
        """``image`` with a transparent background, as a PNG."""
        from .tools import remove_background_with

        return await remove_background_with(self._wire(), _input(image))

    async def styles(self) -> tuple[str, ...]:
        """The style presets :meth:`generate` takes as ``style``."""
        from .tools import styles_with

        return await styles_with(self._wire())

    def edit_sync(self, prompt: str, *images: Any, **options: Any) -> ImageResult:
        return self._runner.run(lambda: self.edit(prompt, *images, **options),
                                "images.edit_sync", "await provider.images.edit(...)")  # fmt: skip

    def upscale_sync(self, image: Any, **options: Any) -> ImageResult:
        return self._runner.run(
            lambda: self.upscale(image, **options),
            "images.upscale_sync", "await provider.images.upscale(...)",
        )  # fmt: skip

    def remove_background_sync(self, image: Any) -> ImageResult:
        return self._runner.run(
            lambda: self.remove_background(image),
            "images.remove_background_sync", "await provider.images.remove_background(...)",
        )  # fmt: skip

    def styles_sync(self) -> tuple[str, ...]:
        return self._runner.run(self.styles, "images.styles_sync",
                                "await provider.images.styles()")  # fmt: skip


def _input(image: str | os.PathLike[str] | MediaInput) -> MediaInput:
    if isinstance(image, MediaInput):
        return image
    from .tools import read_image

    return read_image(image)


# -- the host's ``images`` capability ----------------------------------------------------------
def image_models(ctx: ProviderContext) -> MediaCatalog:
    from ..identity import resolve_base_url
    from ..media_catalog import media_catalog

    return media_catalog(ctx, "image", resolve_base_url(ctx.config, ctx.env))


async def image_models_async(ctx: ProviderContext, wire: Wire) -> MediaCatalog:
    from ..media_catalog import media_catalog_async

    return await media_catalog_async(ctx, "image", wire)


async def generate_for_host(
    ctx: ProviderContext, api_key: SecretStr, request: ImageRequest
) -> ImageResult:
    from ..wire.config import wire_for

    async with wire_for(ctx, api_key) as wire:  # refuses a key bound off https first
        models = await image_models_async(unshown(ctx), wire)
        return await generate_with(wire, request, models, ctx.warn)
