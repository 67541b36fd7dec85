"""Image tools beyond generation: edit (one image or several layered), upscale, background
removal, and the style presets ``openclaw image --style`` takes. Records of the
``image_edit``, ``image_upscale``, ``background_removal`` and ``image_styles`` capabilities
(:mod:`.capabilities`); the tools answer an :class:`~.media.ImageResult`. Input files are
:class:`~.media_jobs.MediaInput`\\ s, checked by their content before anything is sent.
"""

# no `from __future__ import annotations` (see .catalog: named tuples)
from typing import NamedTuple

from .media_jobs import MediaInput


class ImageEditRequest(NamedTuple):
    """Edit ``images[0]`` as ``prompt`` says; more images are layers (a multi-edit). None
    leaves the choice to the provider/model."""

    prompt: str
    images: tuple[MediaInput, ...]
    model: str | None = None
    aspect_ratio: str | None = None
    resolution: str | None = None
    format: str | None = None  # png, jpeg, webp
    quality: str | None = None
    safe_mode: bool | None = None


class UpscaleRequest(NamedTuple):
    """``image`` made ``scale`` times larger; ``creativity``: how much detail the upscaler
    may add (the provider's range)."""

    image: MediaInput
    scale: int = 2
    creativity: float | None = None
