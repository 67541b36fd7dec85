"""Video and audio job requests, checked against Venice's spec, as the bodies of
``/video/quote``, ``/video/queue``, ``/audio/quote`` and ``/audio/queue``. Pure.

Checked before anything is sent (a quote is free, but a wrong value should not even need
one): the prompt (1 to 20,000 characters for video, the spec's ``maxLength``), the duration
(1 to 30 seconds for video, the spec's ``"Ns"`` values; a positive whole number for audio),
the aspect ratio and resolution against the spec's lists, the first-frame image by its bytes
(PNG, JPEG or WebP, at most :data:`MAX_IMAGE_BYTES`). Which of these a model takes varies by
model; Venice's quote refuses what the model does not take, before anything is paid.
"""

from __future__ import annotations

import base64
from typing import Any

from ..errors import UsageError
from ..runtime.plugins import MediaInput, MusicRequest, VideoRequest

# the default of Venice's video list (data/media_models.json) and the spec's own example
DEFAULT_VIDEO_MODEL = "seedance-2-0-text-to-video-basic"
# when a first frame is given: not Seedance, whose image input may ask for a consent flow
DEFAULT_IMAGE_VIDEO_MODEL = "wan-2.6-image-to-video"
DEFAULT_MUSIC_MODEL = "elevenlabs-music"
DEFAULT_SOUND_MODEL = "elevenlabs-sound-effects-v2"
MAX_VIDEO_PROMPT = 20_000
MAX_VIDEO_SECONDS = 30
DEFAULT_VIDEO_DURATION = "5s"  # the spec requires one; 5 s is every model's shortest choice
ASPECT_RATIOS = (
    "1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "9:21", "16:9", "21:9", "auto",
)  # fmt: skip
RESOLUTIONS = (
    "256p", "360p", "480p", "540p", "580p", "720p", "1080p", "1440p", "2160p", "4k", "2K",
    "768P", "true_1080p",
)  # fmt: skip
IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp")
MAX_IMAGE_BYTES = 25 * 1024 * 1024  # Venice's limit for an image it is given


def video_model(request: VideoRequest) -> str:
    if request.model:
        return request.model
    return DEFAULT_IMAGE_VIDEO_MODEL if request.image is not None else DEFAULT_VIDEO_MODEL


def check_video(request: VideoRequest) -> None:
    if not request.prompt.strip():
        raise UsageError("the video prompt is empty; say what should happen in it")
    for name, text in (("prompt", request.prompt), ("negative prompt", request.negative_prompt)):
        if text is not None and len(text) > MAX_VIDEO_PROMPT:
            raise UsageError(
                f"the {name} is {len(text):,} characters; Venice takes at most {MAX_VIDEO_PROMPT:,}"
            )
    if request.duration is not None and not 1 <= request.duration <= MAX_VIDEO_SECONDS:
        raise UsageError(f"the video duration must be 1 to {MAX_VIDEO_SECONDS} seconds")
    _choice("aspect ratio", request.aspect_ratio, ASPECT_RATIOS)
    _choice("resolution", request.resolution, RESOLUTIONS)
    if request.image is not None:
        check_image(request.image)


def check_image(image: MediaInput) -> None:
    if image.mime_type not in IMAGE_TYPES:
        raise UsageError(f"{image.name or 'the image'} is not a PNG, JPEG or WebP image")
    if len(image.data) > MAX_IMAGE_BYTES:
        raise UsageError(
            f"{image.name or 'the image'} is {len(image.data) / 2**20:.1f} MB; Venice takes "
            f"images up to {MAX_IMAGE_BYTES // 2**20} MB"
        )


def _choice(name: str, value: str | None, choices: tuple[str, ...]) -> None:
    if value is not None and value not in choices:
        raise UsageError(f"video {name} {value!r}: use one of {', '.join(choices)}")


def _duration(request: VideoRequest) -> str:
    return DEFAULT_VIDEO_DURATION if request.duration is None else f"{request.duration}s"


def video_quote_body(request: VideoRequest) -> dict[str, Any]:
    check_video(request)
    body: dict[str, Any] = {"model": video_model(request), "duration": _duration(request)}
    optional = {
        "aspect_ratio": request.aspect_ratio,
        "resolution": request.resolution,
        "audio": request.audio,
    }
    body.update({k: v for k, v in optional.items() if v is not None})
    return body


def video_queue_body(request: VideoRequest) -> dict[str, Any]:
    body = video_quote_body(request)
    body["prompt"] = request.prompt
    if request.negative_prompt is not None:
        body["negative_prompt"] = request.negative_prompt
    if request.image is not None:
        body["image_url"] = data_url(request.image)
    return body


def data_url(media: MediaInput) -> str:
    return f"data:{media.mime_type};base64,{base64.b64encode(media.data).decode('ascii')}"


# -- music and sound effects --------------------------------------------------------------------
def music_model(request: MusicRequest) -> str:
    if request.model:
        return request.model
    return DEFAULT_SOUND_MODEL if request.sound else DEFAULT_MUSIC_MODEL


def check_music(request: MusicRequest) -> None:
    if not request.prompt.strip():
        raise UsageError("the prompt is empty; describe the sound or music to make")
    if request.duration is not None and request.duration < 1:
        raise UsageError("the duration must be a whole number of seconds, at least 1")
    if request.lyrics is not None and request.instrumental:
        raise UsageError("lyrics and --instrumental contradict each other; drop one")


def music_quote_body(request: MusicRequest) -> dict[str, Any]:
    check_music(request)
    body: dict[str, Any] = {"model": music_model(request)}
    if request.duration is not None:
        body["duration_seconds"] = request.duration
    return body


def music_queue_body(request: MusicRequest) -> dict[str, Any]:
    body = music_quote_body(request)
    body["prompt"] = request.prompt
    optional = {
        "lyrics_prompt": request.lyrics,
        "force_instrumental": request.instrumental,
        "voice": request.voice,
        "language_code": request.language,
        "loop": request.loop,
    }
    body.update({k: v for k, v in optional.items() if v is not None})
    return body
