"""Files a user gives a media command (``--image``, ``--edit``, ``--upscale``): read whole
(a regular file, at most :data:`MAX_INPUT_BYTES`) and checked by their content, not their
name, before any provider is asked for anything. The provider checks its own limits on top
(dimensions, smaller caps)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageError

if TYPE_CHECKING:
    from ..media_jobs import MediaInput

MAX_INPUT_BYTES = 64 * 1024 * 1024  # beyond any provider's limit for one input image


def image_type(data: bytes) -> str | None:
    """PNG, JPEG or WebP by the file's first bytes; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def read_image(path: str, option: str) -> MediaInput:
    """The image file at ``path`` (given as ``option``), or a one-line :class:`UsageError`."""
    from ..config_file import RefusedFile, read_regular
    from ..media_jobs import MediaInput

    try:
        data = read_regular(Path(path), MAX_INPUT_BYTES)
    except RefusedFile as exc:
        raise UsageError(f"{option}: {exc}; give an image file") from None
    except OSError as exc:
        raise UsageError(f"{option} {path}: {exc.strerror or exc}") from None
    mime = image_type(data)
    if mime is None:
        raise UsageError(f"{option} {path}: not a PNG, JPEG or WebP image (by its content)")
    return MediaInput(data, mime, path)
