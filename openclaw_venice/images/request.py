"""An :class:`ImageRequest` checked against the model, then as Venice's ``/image/generate``
body. Pure.

Checked before sending, so a wrong value costs nothing: the prompt and negative prompt against
the model's ``promptCharacterLimit`` (else the spec's 7500), the count (1-4 ``variants``), the
size (1-1280 per edge, divisible by the model's ``widthHeightDivisor``), the aspect ratio,
resolution and quality against the values the model lists, the seed against the spec's range.
A model known only from the bundle has no list to check against: the spec's bounds apply.

``safe_mode`` is always sent, so Venice's own default (true: blur adult content) never decides
silently. We send ``false`` unless asked, as the TypeScript plugin does: the Venice plugin
exists for uncensored models, and a blurred image is reported to the user either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import RequestRefused, UsageError
from ..runtime.plugins import ImageRequest, MediaModel

MAX_PROMPT = 7500  # the spec's maxLength for prompt and negative_prompt
MAX_EDGE = 1280
MAX_COUNT = 4
SEED_RANGE = (-999_999_999, 999_999_999)
FORMATS = ("png", "jpeg", "webp")
QUALITIES = ("low", "medium", "high")  # the spec's enum, whatever the model lists
DEFAULT_FORMAT = "png"
DEFAULT_SAFE_MODE = False


def image_body(request: ImageRequest, model: MediaModel) -> dict[str, Any]:
    """The request body, or :class:`RequestRefused` / :class:`UsageError` saying what to fix."""
    check_request(request, model)
    body: dict[str, Any] = {
        "model": model.id,
        "prompt": request.prompt,
        "format": request.format or DEFAULT_FORMAT,
        "return_binary": False,
        "safe_mode": DEFAULT_SAFE_MODE if request.safe_mode is None else request.safe_mode,
        "variants": request.count,
    }
    optional = {
        "width": request.width,
        "height": request.height,
        "aspect_ratio": request.aspect_ratio,
        "resolution": request.resolution,
        "quality": request.quality,
        "seed": request.seed,
        "negative_prompt": request.negative_prompt,
        "style_preset": request.style,
    }
    body.update({key: value for key, value in optional.items() if value is not None})
    return body


def check_request(request: ImageRequest, model: MediaModel) -> None:
    limits = model.limits
    limit = _positive_int(limits.get("promptCharacterLimit")) or MAX_PROMPT
    limit = min(limit, MAX_PROMPT)
    if not request.prompt.strip():
        raise UsageError("the image prompt is empty; say what to draw")
    for name, text in (("prompt", request.prompt), ("negative prompt", request.negative_prompt)):
        if text is not None and len(text) > limit:
            raise RequestRefused(
                f"the {name} is {len(text)} characters; {model.ref} takes at most {limit}"
            )
    if not 1 <= request.count <= MAX_COUNT:
        raise UsageError(f"the image count must be 1 to {MAX_COUNT} (Venice makes at most 4)")
    if request.format is not None and request.format not in FORMATS:
        raise UsageError(f"image format {request.format!r}: use one of {', '.join(FORMATS)}")
    if request.quality is not None and request.quality not in QUALITIES:
        raise UsageError(f"image quality {request.quality!r}: use one of {', '.join(QUALITIES)}")
    if request.seed is not None and not SEED_RANGE[0] <= request.seed <= SEED_RANGE[1]:
        raise UsageError(f"the seed must be between {SEED_RANGE[0]} and {SEED_RANGE[1]}")
    if request.style is not None and not request.style.strip():
        raise UsageError("the style preset is empty; name one (Venice lists them at /image/styles)")
    _check_geometry(request, model)
    described = "promptCharacterLimit" in limits  # Venice listed this model's constraints
    for name, value, key in (
        ("aspect ratio", request.aspect_ratio, "aspectRatios"),
        ("resolution", request.resolution, "resolutions"),
        ("quality", request.quality, "qualities"),
    ):
        _check_choice(model, name, value, limits.get(key), described)


def _check_geometry(request: ImageRequest, model: MediaModel) -> None:
    sized = request.width is not None or request.height is not None
    if sized and (request.width is None or request.height is None):
        raise UsageError("give both width and height (--size WIDTHxHEIGHT)")
    if sized and request.aspect_ratio is not None:
        raise UsageError("give a size or an aspect ratio, not both")
    if request.width is None or request.height is None:
        return
    for edge in (request.width, request.height):
        if not 1 <= edge <= MAX_EDGE:
            raise RequestRefused(f"image edges must be 1 to {MAX_EDGE} pixels (got {edge})")
    divisor = _positive_int(model.limits.get("widthHeightDivisor"))
    if divisor and (request.width % divisor or request.height % divisor):
        raise RequestRefused(
            f"{model.ref} needs a width and height divisible by {divisor} "
            f"(got {request.width}x{request.height})"
        )


def _check_choice(
    model: MediaModel, name: str, value: str | None, offered: Any, described: bool
) -> None:
    if value is None:
        return
    choices = [str(c) for c in offered] if isinstance(offered, Sequence) else []
    if choices and value not in choices:
        raise RequestRefused(
            f"{model.ref} has no {name} {value!r}; use one of {', '.join(choices)}"
        )
    if not choices and described:
        raise RequestRefused(f"{model.ref} takes no {name}; leave it out")


def _positive_int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 1:
        return None
    return int(value)
