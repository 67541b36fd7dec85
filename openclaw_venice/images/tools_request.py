"""Image edit, multi-edit, upscale and background removal requests checked against Venice's
spec, as the JSON bodies of ``/image/edit``, ``/image/multi-edit``, ``/image/upscale`` and
``/image/background-remove``. Pure.

Checked before sending, so a wrong input costs nothing: every image is a PNG, JPEG or WebP
by its bytes, under 25 MB, with a readable size; an image to edit has 65,536 to 33,177,600
pixels; an image to upscale at least 65,536, and twice its size (the smallest scale) at most
16,777,216 (Venice lowers a scale of 4 itself for large images); the scale is 2 or 4, the
creativity 0 to 0.02; the edit prompt 1 to 32,768 characters; the aspect ratio, output format
and quality from the spec's lists. Images travel base64 in JSON (the spec's JSON form).
``safe_mode`` is always sent, off unless asked, as for generation (see ``images.request``).
"""

from __future__ import annotations

import base64
from typing import Any

from ..errors import UsageError
from ..runtime.plugins import ImageEditRequest, MediaInput, UpscaleRequest
from .inspect import image_size

DEFAULT_EDIT_MODEL = "firered-image-edit"  # the spec's default
MAX_BYTES = 25 * 1024 * 1024  # "File size must be less than 25MB"
MIN_PIXELS = 65_536
MAX_EDIT_PIXELS = 33_177_600
MAX_UPSCALED_PIXELS = 16_777_216
MAX_PROMPT = 32_768
SCALES = (2, 4)
CREATIVITY = (0.0, 0.02)
EDIT_ASPECT_RATIOS = ("auto", "1:1", "3:2", "16:9", "21:9", "9:16", "2:3", "3:4", "4:5")
FORMATS = ("jpeg", "png", "webp")
QUALITIES = ("low", "medium", "high")
TYPES = ("image/png", "image/jpeg", "image/webp")


def check_image(image: MediaInput, what: str) -> tuple[int, int]:
    """(width, height) of an input image, or a one-line :class:`UsageError`."""
    name = image.name or "the image"
    if image.mime_type not in TYPES:
        raise UsageError(f"{name} is not a PNG, JPEG or WebP image")
    if len(image.data) >= MAX_BYTES:
        raise UsageError(
            f"{name} is {len(image.data) / 2**20:.1f} MB; Venice takes images under "
            f"{MAX_BYTES // 2**20} MB to {what}"
        )
    size = image_size(image.data)
    if size is None:
        raise UsageError(f"{name}: its width and height cannot be read; is the file whole?")
    return size


def _pixels(image: MediaInput, size: tuple[int, int], most: int, what: str) -> None:
    width, height = size
    name = image.name or "the image"
    if width * height < MIN_PIXELS:
        raise UsageError(
            f"{name} is {width}x{height}; Venice needs at least {MIN_PIXELS:,} pixels to "
            f"{what} (e.g. 256x256)"
        )
    if width * height > most:
        raise UsageError(
            f"{name} is {width}x{height}; Venice takes at most {most:,} pixels to {what}"
        )


def _b64(image: MediaInput) -> str:
    return base64.b64encode(image.data).decode("ascii")


def edit_body(request: ImageEditRequest) -> tuple[str, dict[str, Any]]:
    """(path, body): ``/image/edit`` for one image, ``/image/multi-edit`` for several."""
    if not request.images:
        raise UsageError("give an image to edit")
    if not request.prompt.strip():
        raise UsageError("the edit prompt is empty; say what to change")
    if len(request.prompt) > MAX_PROMPT:
        raise UsageError(
            f"the edit prompt is {len(request.prompt):,} characters; Venice takes at most "
            f"{MAX_PROMPT:,}"
        )
    for image in request.images:
        _pixels(image, check_image(image, "edit"), MAX_EDIT_PIXELS, "edit")
    _choice("aspect ratio", request.aspect_ratio, EDIT_ASPECT_RATIOS)
    _choice("format", request.format, FORMATS)
    _choice("quality", request.quality, QUALITIES)
    if request.resolution is not None and not 1 <= len(request.resolution) <= 10:
        raise UsageError(f"resolution {request.resolution!r}: use a tier such as 1K, 2K, 4K")
    model = request.model or DEFAULT_EDIT_MODEL
    body: dict[str, Any] = {
        "prompt": request.prompt,
        "safe_mode": bool(request.safe_mode),
    }
    optional = {
        "aspect_ratio": request.aspect_ratio,
        "resolution": request.resolution,
        "output_format": request.format,
    }
    body.update({k: v for k, v in optional.items() if v is not None})
    if len(request.images) == 1:
        if request.quality is not None:
            raise UsageError("quality applies to editing several images at once; leave it out")
        return "/image/edit", {"model": model, "image": _b64(request.images[0]), **body}
    if request.quality is not None:
        body["quality"] = request.quality
    return "/image/multi-edit", {
        "modelId": model,
        "images": [_b64(image) for image in request.images],
        **body,
    }


def upscale_body(request: UpscaleRequest) -> dict[str, Any]:
    size = check_image(request.image, "upscale")
    width, height = size
    if request.scale not in SCALES:
        raise UsageError(f"the scale must be 2 or 4 (got {request.scale})")
    name = request.image.name or "the image"
    if width * height < MIN_PIXELS:
        raise UsageError(
            f"{name} is {width}x{height}; Venice needs at least {MIN_PIXELS:,} pixels to "
            "upscale (e.g. 256x256)"
        )
    if width * height * 4 > MAX_UPSCALED_PIXELS:
        raise UsageError(
            f"{name} is {width}x{height}; upscaled twice it would pass Venice's "
            f"{MAX_UPSCALED_PIXELS:,} pixels; it is large enough already"
        )
    body: dict[str, Any] = {"image": _b64(request.image), "scale": request.scale}
    if request.creativity is not None:
        low, high = CREATIVITY
        if not low <= request.creativity <= high:
            raise UsageError(f"creativity must be {low:g} to {high:g} (got {request.creativity:g})")
        body["creativity"] = request.creativity
    return body


def background_body(image: MediaInput) -> dict[str, Any]:
    check_image(image, "remove its background")
    return {"image": _b64(image)}


def _choice(name: str, value: str | None, choices: tuple[str, ...]) -> None:
    if value is not None and value not in choices:
        raise UsageError(f"{name} {value!r}: use one of {', '.join(choices)}")
