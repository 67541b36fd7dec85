"""``VeniceImages``: ``provider.images`` for Python callers and the ``images`` capability the
host's ``openclaw image`` uses. Both check the request against the model, send one
``POST /image/generate`` through ``api_call`` and return the decoded images with what Venice
said about them (privacy of the model, request id, blurred, content violation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..api_call import Limits, call_json
from ..media_catalog import find_model, unshown
from ..runtime.plugins import ImageRequest, ImageResult, MediaCatalog
from ..wire.limits import ANSWER
from .answer import parse_images
from .request import image_body

if TYPE_CHECKING:
    from ..chat.client import VeniceChat
    from ..runtime.plugins import ProviderContext, SecretStr

# Four 4K images as base64 are ~100 MB; anything past this is not an image answer. Its JSON
# is a few fields around those strings (128 MB of `[{},...]` would be 3 GB of dicts).
IMAGE_JSON = ANSWER._replace(containers=256, values=4096)
IMAGE_LIMITS = Limits(timeout=180.0, max_bytes=128 * 1024 * 1024, max_retries=2, json=IMAGE_JSON)


async def generate_with(
    chat: VeniceChat, request: ImageRequest, catalog: MediaCatalog
) -> ImageResult:
    model = find_model(catalog, request.model)
    body = image_body(request, model)
    answer = await call_json(chat, "POST", "/image/generate", limits=IMAGE_LIMITS, body=body)
    result = parse_images(answer.payload, answer.headers, model, answer.request_id)
    warning = result.meta.get("deprecationWarning")
    if warning:
        chat.warn_once(f"{model.ref}: {warning}")
    return result


class VeniceImages:
    """Image generation. ``await provider.images.generate("a lighthouse at dusk")``."""

    def __init__(self, chat: Callable[[], VeniceChat]) -> None:
        self._chat = chat

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
        return await generate_with(self._chat(), request, load_media_bundle("image"))

    def generate_sync(self, prompt: str, **options: Any) -> ImageResult:
        """:meth:`generate` for scripts without an event loop (same keyword options)."""
        loop = self._chat()._loop()  # the loop (and pool) of the client's sync wrappers
        return loop.run_until_complete(self.generate(prompt, **options))


# -- the host's ``images`` capability ----------------------------------------------------------
def image_models(ctx: ProviderContext) -> MediaCatalog:
    from ..identity import resolve_base_url
    from ..media_catalog import media_catalog

    return media_catalog(ctx, "image", resolve_base_url(ctx.config, ctx.env))


async def generate_for_host(
    ctx: ProviderContext, api_key: SecretStr, request: ImageRequest
) -> ImageResult:
    from ..capability_client import chat_for

    async with chat_for(ctx, api_key) as chat:  # refuses a key bound off https first
        return await generate_with(chat, request, image_models(unshown(ctx)))
