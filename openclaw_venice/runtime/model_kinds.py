"""The kinds of models beside chat models that a provider may list (``openclaw models list
--type KIND``), as Venice's ``GET /models?type=`` names them. Its own module: the ``models``
command builds its parser from it without loading the media records."""

from typing import Literal

ModelKind = Literal["image", "embedding", "tts", "asr", "video", "music", "upscale", "inpaint"]
MODEL_KINDS: tuple[ModelKind, ...] = (
    "image", "embedding", "tts", "asr", "video", "music", "upscale", "inpaint",
)  # fmt: skip
