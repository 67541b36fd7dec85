"""What ``openclaw chat`` is given, checked before anything is sent: the prompt (argument,
piped stdin, or both), attached images, audio and videos (each told by its content, not its
name, and within the size an upload may have), numeric options."""

from __future__ import annotations

import argparse
import base64
from pathlib import Path
from typing import TextIO

from ..ai import AudioPart, ImagePart, TextPart, UserMessage, UserPart, VideoPart
from ..errors import UsageError

#: image types by their first bytes (the content decides, not the file name)
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
#: per image, before base64 (which adds a third): the request stays under the 25 MB that
#: Venice's API takes for an upload (openapi.yaml: "File size must be less than 25MB")
MAX_IMAGE_BYTES = 15 * 1024 * 1024


def image_type(head: bytes) -> str | None:
    """The MIME type of PNG, JPEG, GIF or WebP content, else None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return next((mime for magic, mime in _SIGNATURES if head.startswith(magic)), None)


def load_image(path: str) -> ImagePart:
    """The image at ``path``, or a one-line :class:`UsageError` naming the file."""
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > MAX_IMAGE_BYTES:
            raise UsageError(
                f"image {path} is {size / 2**20:.1f} MB, over the "
                f"{MAX_IMAGE_BYTES // 2**20} MB limit; scale it down and try again"
            )
        data = file.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read image {path}: {exc.strerror or exc}") from None
    mime = image_type(data[:16])
    if mime is None:
        raise UsageError(f"{path} is not a PNG, JPEG, GIF or WebP image; attach one of those")
    return ImagePart(base64.b64encode(data).decode("ascii"), mime)


def load_audio(path: str) -> AudioPart:
    """The audio at ``path`` as an ``input_audio`` part, or a one-line :class:`UsageError`."""
    return AudioPart.from_file(path)


def load_video(where: str) -> VideoPart:
    """An https URL as it is (the provider fetches it), or the MP4, MOV or WebM file at
    ``where`` as a base64 data URL; else a one-line :class:`UsageError`."""
    if where.startswith("https://"):
        return VideoPart(where)
    if where.startswith("http://"):
        raise UsageError(f"{where}: a video URL must be https (the provider fetches it)")
    return VideoPart.from_file(where)


def positive_int(text: str) -> int:
    """argparse ``type`` for counts such as ``--max-tokens``."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


#: piped text read at most: 16 Mi characters, more than the largest context window takes
#: (2M tokens); a larger pipe (a log file, /dev/zero) is refused, not held in memory
MAX_STDIN_CHARS = 16 * 2**20


def read_stdin(stdin: TextIO) -> str:
    """Piped text, or a one-line error when it is not UTF-8 text or is too long to be a
    prompt (read no further than :data:`MAX_STDIN_CHARS`)."""
    try:
        text = stdin.read(MAX_STDIN_CHARS + 1)
        if len(text) > MAX_STDIN_CHARS:
            raise UsageError(
                f"stdin holds more than {MAX_STDIN_CHARS >> 20} Mi characters, more than any "
                "model reads; pass a shorter text"
            )
        return utf8_text(text)
    except UnicodeError:
        raise UsageError(
            "stdin is not valid UTF-8 text; convert it first (e.g. iconv -t UTF-8)"
        ) from None


def utf8_text(text: str) -> str:
    """``text`` when it came from valid UTF-8; undecodable bytes, which a C locale lets through
    as lone surrogates, raise :class:`UnicodeEncodeError` here rather than at sending time."""
    text.encode("utf-8")
    return text


def combine(argument: str, piped: str | None) -> str:
    """The prompt: the argument, the piped text, or both as llm does (the piped text first,
    then the argument on a line of its own), without the piped text's trailing newline."""
    text = (piped or "").rstrip("\r\n")
    if argument and text:
        return f"{text}\n\n{argument}"
    return argument or text


def user_message(text: str, images: list[UserPart]) -> UserMessage:
    """The user's turn: the text, and the images, audio and videos after it when there are
    any."""
    if not images:
        return UserMessage(text)
    return UserMessage([TextPart(text), *images])
