"""Venice's ``/image/generate`` answer as an :class:`ImageResult`. Pure.

The body holds base64 images; each must decode strictly and be a PNG, JPEG or WebP (by its
first bytes: what is written to disk is what the file name says). The content-safety headers
``x-venice-is-blurred`` and ``x-venice-is-content-violation`` become ``blurred`` and
``content_violation``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from ..runtime.plugins import GeneratedImage, ImageResult, MediaModel
from ..wire.client import malformed
from ..wire.http import response_meta


def sniff(data: bytes) -> str | None:
    """The image type of ``data`` by its magic bytes; None when it is none we know."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _flag(headers: Mapping[str, str], name: str) -> bool | None:
    value = (headers.get(name) or "").strip().lower()
    return {"true": True, "false": False}.get(value)


def parse_images(
    payload: Any, headers: Mapping[str, str], model: MediaModel, request_id: str | None
) -> ImageResult:
    images = payload.get("images") if isinstance(payload, Mapping) else None
    if not isinstance(images, list):
        raise malformed("image", request_id)
    decoded = []
    for entry in images:
        if not isinstance(entry, str) or not entry:
            raise malformed("image", request_id)
        try:
            data = base64.b64decode(entry.split(",", 1)[-1], validate=True)
        except (binascii.Error, ValueError):
            raise malformed("image", request_id) from None
        mime = sniff(data)
        if mime is None:
            raise malformed("image (not a PNG, JPEG or WebP)", request_id)
        decoded.append(GeneratedImage(data, mime))
    meta = response_meta(headers)
    timing = payload.get("timing")
    if isinstance(timing, Mapping):
        meta["timing"] = dict(timing)
    if isinstance(payload.get("id"), str):
        meta["id"] = payload["id"]
    return ImageResult(
        tuple(decoded),
        model.id,
        model.privacy,
        request_id,
        _flag(headers, "x-venice-is-blurred"),
        _flag(headers, "x-venice-is-content-violation"),
        meta,
    )
