"""Venice's image tools through the wire: edit and multi-edit, upscale, background removal
(each answers the image itself, read under a cap and checked by its first bytes), and the
style presets (``GET /image/styles``). ``provider.images.edit(...)`` and friends for Python
callers (methods of :class:`~.client.VeniceImages`), and the host's capabilities."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import StreamFormatError, UsageError
from ..runtime.plugins import (
    GeneratedImage,
    ImageEditRequest,
    ImageResult,
    MediaInput,
    UpscaleRequest,
)
from ..wire.client import CallLimits, malformed
from ..wire.http import response_meta
from .answer import sniff
from .tools_request import MAX_BYTES, background_body, edit_body, upscale_body

if TYPE_CHECKING:
    from ..runtime.plugins import ProviderContext, SecretStr
    from ..wire.client import Response, Wire

TOOL_TIMEOUT = 180.0  # an edit may think for ~30 s first; an upscale of a large image longer
MAX_IMAGE_BYTES = 128 * 1024 * 1024  # a 16-megapixel PNG is ~50 MB
STYLES_LIMITS = CallLimits(timeout=30.0, max_bytes=256 * 1024, max_retries=2)
PRIVACY = {"upscale": "private", "background": "private"}  # Venice's own tools


async def _image_call(wire: Wire, path: str, body: Mapping[str, Any], model: str) -> ImageResult:
    """``POST path`` with a JSON body; the image Venice answers (a 2xx), as an ImageResult."""
    from ..wire.body import read_capped
    from ..wire.retry import CHAT

    failures = wire.failures(TOOL_TIMEOUT)

    async def read(response: Response) -> ImageResult:
        request_id = response.headers.get("cf-ray") or None
        data = await read_capped(
            response, MAX_IMAGE_BYTES, timed_out=failures.timeout_text,
            undecodable="Venice's answer could not be decompressed; try again",
            request_id=request_id,
        )  # fmt: skip
        mime = sniff(data)
        if mime is None:
            raise StreamFormatError(
                "Venice's image answer is not a PNG, JPEG or WebP image; try again",
                request_id=request_id,
            )
        headers = response.headers
        return ImageResult(
            (GeneratedImage(data, mime),),
            headers.get("x-venice-model-id") or model,
            None,
            request_id,
            _flag(headers, "x-venice-is-blurred"),
            _flag(headers, "x-venice-is-content-violation"),
            response_meta(headers),
        )

    content = json.dumps(body).encode()
    return await wire.request(  # type: ignore[no-any-return]
        "POST", path, read,
        content=content, headers=wire.headers("image/*", body=True), timeout=TOOL_TIMEOUT,
        policy=CHAT, failures=failures,
    )  # fmt: skip


def _flag(headers: Mapping[str, str], name: str) -> bool | None:
    value = (headers.get(name) or "").strip().lower()
    return {"true": True, "false": False}.get(value)


async def edit_with(wire: Wire, request: ImageEditRequest) -> ImageResult:
    path, body = edit_body(request)
    model = str(body.get("model") or body.get("modelId"))
    return await _image_call(wire, path, body, model)


async def upscale_with(wire: Wire, request: UpscaleRequest) -> ImageResult:
    result = await _image_call(wire, "/image/upscale", upscale_body(request), "upscaler")
    return result._replace(privacy=result.privacy or PRIVACY["upscale"])


async def remove_background_with(wire: Wire, image: MediaInput) -> ImageResult:
    body = background_body(image)
    result = await _image_call(wire, "/image/background-remove", body, "background-remove")
    return result._replace(privacy=result.privacy or PRIVACY["background"])


async def styles_with(wire: Wire) -> tuple[str, ...]:
    answer = await wire.json("GET", "/image/styles", limits=STYLES_LIMITS)
    data = answer.payload.get("data") if isinstance(answer.payload, Mapping) else None
    if not isinstance(data, list) or not all(isinstance(s, str) for s in data):
        raise malformed("image styles", answer.request_id)
    return tuple(data)


def read_image(path: str | os.PathLike[str]) -> MediaInput:
    """An image file as an input, checked by its bytes (PNG, JPEG or WebP) and size."""
    where = Path(path)
    try:
        size = where.stat().st_size
        if size > MAX_BYTES:
            raise UsageError(
                f"{where} is {size / 2**20:.1f} MB; Venice takes images up to "
                f"{MAX_BYTES // 2**20} MB"
            )
        data = where.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {where}: {exc.strerror or exc}") from None
    mime = sniff(data)
    if mime is None:
        raise UsageError(f"{where} is not a PNG, JPEG or WebP image (by its content)")
    return MediaInput(data, mime, str(where))


# -- the host's capabilities ---------------------------------------------------------------------
class HostImageTools:
    """``image_edit``, ``image_upscale``, ``background_removal`` and ``image_styles``: each
    call on a wire of its own (the host's key and settings), closed when the call ends."""

    def __repr__(self) -> str:
        return "HostImageTools()"

    async def edit_image(
        self, ctx: ProviderContext, api_key: SecretStr, request: ImageEditRequest
    ) -> ImageResult:
        from ..media_catalog import find_model, media_catalog_async, unshown
        from ..wire.config import wire_for

        edit_body(request)  # refused before a connection is made
        async with wire_for(ctx, api_key) as wire:
            if request.model is not None:  # an id Venice does not list: the nearest ones
                models = await media_catalog_async(unshown(ctx), "inpaint", wire)
                find_model(models, request.model, "inpaint")
            return await edit_with(wire, request)

    async def upscale_image(
        self, ctx: ProviderContext, api_key: SecretStr, request: UpscaleRequest
    ) -> ImageResult:
        from ..wire.config import wire_for

        upscale_body(request)
        async with wire_for(ctx, api_key) as wire:
            return await upscale_with(wire, request)

    async def remove_background(
        self, ctx: ProviderContext, api_key: SecretStr, image: MediaInput
    ) -> ImageResult:
        from ..wire.config import wire_for

        background_body(image)
        async with wire_for(ctx, api_key) as wire:
            return await remove_background_with(wire, image)

    async def image_styles(self, ctx: ProviderContext, api_key: SecretStr) -> tuple[str, ...]:
        from ..wire.config import wire_for

        async with wire_for(ctx, api_key) as wire:
            return await styles_with(wire)
