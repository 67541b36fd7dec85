"""Queued media jobs: video, music and sound effects. Records of the ``video`` and ``music``
capabilities (:mod:`.capabilities`); loaded only by the commands and clients that use them.

A job is priced (:class:`Quote`), queued (:class:`Job`: the provider's id for it, enough to
come back to it from another process), asked about until done (:class:`JobProgress`; the
finished file is written to the caller's sink by the same call) and then completed (the
provider may delete its copy). Immutable records (``rec._replace(...)`` makes a changed copy).
"""

from collections.abc import Mapping
from typing import Any, NamedTuple

from .catalog import NOTHING


class MediaInput(NamedTuple):
    """A file given to a job or an image tool: its bytes (checked by the host against what
    they claim to be), MIME type and the name the user gave it (for messages)."""

    data: bytes
    mime_type: str
    name: str = ""

    def __repr__(self) -> str:
        return f"MediaInput({self.name!r}, {self.mime_type}, {len(self.data)} bytes)"


class VideoRequest(NamedTuple):
    """What ``openclaw video`` asks for; None leaves the choice to the provider/model.
    ``duration``: seconds; ``image``: the first frame of an image-to-video model."""

    prompt: str
    model: str | None = None
    duration: int | None = None
    aspect_ratio: str | None = None
    resolution: str | None = None
    audio: bool | None = None
    negative_prompt: str | None = None
    image: MediaInput | None = None


class MusicRequest(NamedTuple):
    """Music or a sound effect (``openclaw music`` / ``openclaw sound``). ``duration``:
    seconds; ``lyrics``: for models that sing them; ``instrumental``: no vocals; ``sound``:
    a sound effect (without ``model``, the provider's default model for those)."""

    prompt: str
    model: str | None = None
    duration: int | None = None
    lyrics: str | None = None
    instrumental: bool | None = None
    voice: str | None = None
    language: str | None = None
    loop: bool | None = None
    sound: bool = False


class Quote(NamedTuple):
    """The price of a job before it is queued; ``price`` None: the provider quotes none."""

    model: str
    price: float | None
    currency: str = "USD"
    request_id: str | None = None

    def describe(self) -> str:
        if self.price is None:
            return "no price quoted"
        return (
            f"{self.currency} {self.price:.2f}"
            if self.price >= 0.01
            else (f"{self.currency} {self.price:.4f}")
        )


class Job(NamedTuple):
    """A queued job: ``id`` is the provider's (``openclaw video --resume ID`` takes it).
    ``meta``: what else the provider said when queueing it, as it said it."""

    provider: str
    kind: str  # "video" or "music"
    model: str
    id: str
    request_id: str | None = None
    meta: Mapping[str, Any] = NOTHING

    @property
    def ref(self) -> str:
        return f"{self.provider}/{self.model}"


class JobProgress(NamedTuple):
    """One look at a job. ``done``: the file was written to the sink (``size`` bytes of
    ``mime_type``); else ``elapsed`` and ``expected`` (seconds, when the provider says)."""

    done: bool
    elapsed: float | None = None
    expected: float | None = None
    size: int = 0
    mime_type: str | None = None
    request_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "done": self.done,
            "elapsedSeconds": self.elapsed,
            "expectedSeconds": self.expected,
            "bytes": self.size,
            "mimeType": self.mime_type,
            "requestId": self.request_id,
        }
