"""The runtime's conversation types, in the style of OpenClaw's AI layer (provider-neutral).

A turn is a :class:`Context` (system prompt, messages, tools) sent to a model; the provider
streams :class:`StreamEvent`s back and ends with ``done`` (the final
:class:`AssistantMessage`) or ``error``.
"""

# no `from __future__ import annotations`: a named tuple's string annotations are each
# compiled when the class is made (typing.ForwardRef); a class's own name is quoted instead
import base64
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, NamedTuple

from .catalog import NOTHING

ReasoningLevel = Literal["off", "minimal", "low", "medium", "high", "xhigh"]
StopReason = Literal["stop", "length", "toolUse", "error", "aborted"]
EventType = Literal[
    "start",
    "text_start", "text_delta", "text_end",
    "thinking_start", "thinking_delta", "thinking_end",
    "toolcall_start", "toolcall_delta", "toolcall_end",
    "done", "error",
]  # fmt: skip


MAX_IMAGE_BYTES = 20 * 1024 * 1024  # one image file, before base64 (which adds a third)


class TextPart(NamedTuple):
    """Text of a message."""

    text: str
    type: Literal["text"] = "text"


class ImagePart(NamedTuple):
    """An image as base64 ``data`` with its MIME type."""

    data: str
    mime_type: str = "image/png"
    type: Literal["image"] = "image"

    @classmethod
    def from_file(cls, path: str | Path) -> "ImagePart":
        """The image file at ``path`` (a ``UsageError`` above 20 MB)."""
        import mimetypes

        mime = mimetypes.guess_type(str(path))[0] or "application/octet-stream"
        with Path(path).open("rb") as file:
            data = file.read(MAX_IMAGE_BYTES + 1)  # never more than the cap, whatever it is
        if len(data) > MAX_IMAGE_BYTES:
            from .errors import UsageError

            raise UsageError(
                f"image {path} is larger than {MAX_IMAGE_BYTES // 2**20} MB; "
                "send a smaller or more compressed image"
            )
        return cls(base64.b64encode(data).decode("ascii"), mime)


class AudioPart(NamedTuple):
    """Audio as base64 ``data`` in ``format`` (wav, mp3, aac, ogg, flac, m4a: the names
    OpenAI-shaped ``input_audio`` parts use), for models that take audio input."""

    data: str
    format: str = "wav"
    type: Literal["audio"] = "audio"

    @classmethod
    def from_file(cls, path: "str | Path") -> "AudioPart":
        """The audio at ``path`` (WAV, MP3, AAC, Ogg, FLAC or M4A, told by its content);
        :class:`UsageError` for another file or one over :data:`MAX_MEDIA_BYTES`."""
        from .audio import audio_type
        from .errors import UsageError

        data = _read_media(path, "audio")
        audio_format = _AUDIO_FORMATS.get(audio_type(data[:16]) or "")
        if audio_format is None:
            raise UsageError(
                f"{path} is not WAV, MP3, AAC, Ogg, FLAC or M4A audio; convert it to one of those"
            )
        return cls(base64.b64encode(data).decode("ascii"), audio_format)


class VideoPart(NamedTuple):
    """A video for models that take video input: ``url`` is an https URL the provider
    fetches, or a ``data:video/...;base64,`` URL holding the file."""

    url: str
    type: Literal["video"] = "video"

    @classmethod
    def from_file(cls, path: "str | Path") -> "VideoPart":
        """The MP4, MOV or WebM video at ``path`` (told by its content) as a data URL;
        :class:`UsageError` for another file or one over :data:`MAX_MEDIA_BYTES`."""
        from .audio import video_type
        from .errors import UsageError

        data = _read_media(path, "video")
        mime = video_type(data[:16])
        if mime not in _VIDEO_TYPES:
            raise UsageError(f"{path} is not an MP4, MOV or WebM video; convert it, or pass a URL")
        return cls(f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}")


#: the ``input_audio`` format names of the containers told apart by their first bytes (the
#: spec's enum: wav, mp3, aiff, aac, ogg, flac, m4a, pcm16, pcm24; WebM is not among them)
_AUDIO_FORMATS = {
    "audio/wav": "wav", "audio/mpeg": "mp3", "audio/aac": "aac", "audio/ogg": "ogg",
    "audio/flac": "flac", "audio/mp4": "m4a",
}  # fmt: skip
#: the video containers a ``video_url`` data URL may hold (the spec: mp4, mpeg, mov, webm)
_VIDEO_TYPES = {"video/mp4", "video/quicktime", "video/webm"}
#: one audio or video file, before base64 (which adds a third): a request stays under the
#: 25 MB Venice takes
MAX_MEDIA_BYTES = 15 * 1024 * 1024


def _read_media(path: "str | Path", what: str) -> bytes:
    """The bytes of ``path``, refused (one line, naming it) past :data:`MAX_MEDIA_BYTES`
    before more than that is read."""
    from .errors import UsageError

    limit = MAX_MEDIA_BYTES
    try:
        file = Path(path)
        size = file.stat().st_size
        if size > limit:
            raise UsageError(
                f"{what} {path} is {size / 2**20:.1f} MB, over the {limit // 2**20} MB "
                "limit; shorten or compress it and try again"
            )
        with file.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise UsageError(f"{what} {path} grew past {limit // 2**20} MB while it was read")
    return data


#: what a user's turn may hold beside text
UserPart = TextPart | ImagePart | AudioPart | VideoPart


class ThinkingPart(NamedTuple):
    """Model reasoning. ``encrypted``: opaque text that must go back verbatim."""

    thinking: str
    encrypted: bool = False
    type: Literal["thinking"] = "thinking"


class ToolCallPart(NamedTuple):
    """A tool call. ``arguments`` is None when ``raw_arguments`` was not valid JSON.
    ``thought_signature``: opaque, as the model sent it with the call (Gemini's); it goes
    back unchanged on later turns to the same model."""

    id: str
    name: str
    arguments: Mapping[str, Any] | None
    raw_arguments: str = ""
    type: Literal["toolCall"] = "toolCall"
    thought_signature: str | None = None


class UserMessage(NamedTuple):
    """What the user says: text, or text and image, audio and video parts."""

    content: str | Sequence[UserPart]
    role: Literal["user"] = "user"


class Usage(NamedTuple):
    """Tokens of one turn (``input`` excludes cache reads) and its cost in USD."""

    input: int = 0
    output: int = 0
    cache_read: int = 0
    cache_write: int = 0
    total_tokens: int = 0
    cost: float = 0.0  # USD

    def to_json(self) -> dict[str, Any]:
        """OpenClaw's ``usage`` object (camelCase keys)."""
        return {
            "input": self.input,
            "output": self.output,
            "cacheRead": self.cache_read,
            "cacheWrite": self.cache_write,
            "totalTokens": self.total_tokens,
            "cost": self.cost,
        }


class AssistantMessage(NamedTuple):
    """The model's turn: text, thinking and tool-call parts, why it stopped, usage, and
    ``meta`` (request id, balance, rate limits, citations, deprecation, error text).

    ``reasoning_details`` and ``thought_signature``: opaque reasoning state some models
    (Gemini) return with a turn, kept as received; the provider sends them back on later
    turns to the same ``provider`` and ``model`` (and to no other model)."""

    content: Sequence[TextPart | ThinkingPart | ToolCallPart]
    stop_reason: StopReason = "stop"
    usage: Usage = Usage()
    model: str = ""
    provider: str = ""
    meta: Mapping[str, Any] = NOTHING  # request id, balance, limits...
    role: Literal["assistant"] = "assistant"
    reasoning_details: Sequence[Mapping[str, Any]] = ()
    thought_signature: str | None = None

    @property
    def text(self) -> str:
        """The text parts, joined."""
        return "".join(p.text for p in self.content if isinstance(p, TextPart))

    @property
    def thinking(self) -> str:
        """The thinking parts, joined."""
        return "".join(p.thinking for p in self.content if isinstance(p, ThinkingPart))

    @property
    def tool_calls(self) -> list[ToolCallPart]:
        """The tool-call parts, in order."""
        return [p for p in self.content if isinstance(p, ToolCallPart)]


class ToolResultMessage(NamedTuple):
    """The result of the tool call ``tool_call_id``; ``is_error`` when the tool failed."""

    tool_call_id: str
    tool_name: str
    content: str | Sequence[TextPart | ImagePart]
    is_error: bool = False
    role: Literal["toolResult"] = "toolResult"


Message = UserMessage | AssistantMessage | ToolResultMessage


class Tool(NamedTuple):
    """A tool the model may call; ``parameters`` is a JSON Schema object."""

    name: str
    description: str
    parameters: Mapping[str, Any]  # JSON Schema


class Context:
    """A conversation: system prompt, messages so far, tools on offer. Not a record: the
    one mutable type of the contract (the host appends each turn's messages)."""

    __slots__ = ("messages", "system_prompt", "tools")

    def __init__(
        self,
        system_prompt: str | None = None,
        messages: list[Message] | None = None,
        tools: list[Tool] | None = None,
    ) -> None:
        self.system_prompt = system_prompt
        self.messages: list[Message] = [] if messages is None else messages
        self.tools: list[Tool] = [] if tools is None else tools

    def __repr__(self) -> str:
        return (
            f"Context(system_prompt={self.system_prompt!r}, messages={self.messages!r}, "
            f"tools={self.tools!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Context):
            return NotImplemented
        return (self.system_prompt, self.messages, self.tools) == (
            other.system_prompt, other.messages, other.tools
        )

    __hash__ = None  # type: ignore[assignment]  # mutable


class StreamEvent(NamedTuple):
    """One streamed event; which fields are set depends on ``type``."""

    type: EventType
    #: position of the content part the event belongs to (the field hides tuple.index)
    index: int = 0  # type: ignore[assignment]
    delta: str = ""
    part: TextPart | ThinkingPart | ToolCallPart | None = None
    message: AssistantMessage | None = None
    error: Exception | None = None


class ChatSettings(NamedTuple):
    """What the host knows of a turn's options, provider-neutral. ``provider_options`` holds
    the values of the flags a provider declared (``Provider.chat_flags``), by ``dest``."""

    max_tokens: int | None = None
    temperature: float | None = None
    reasoning: ReasoningLevel | None = None
    session_id: str | None = None
    response_schema: Mapping[str, Any] | None = None
    provider_options: Mapping[str, Any] = NOTHING
    timeout: float | None = None  # seconds for the whole turn (None: no overall limit)
    #: OpenAI chat-completions request fields (``stop``, ``seed``, ``top_p``, ``tool_choice``
    #: ...), named and valued as OpenAI defines them, for a provider that lists the name in
    #: its ``openai_fields`` (see ``ChatProvider``) to carry to the model; the host never
    #: hands over a name the provider did not list
    openai_fields: Mapping[str, Any] = NOTHING
    #: the provider says what it is waiting for (e.g. "retrying in 2 s after HTTP 429")
    status: Callable[[str], None] | None = None
    #: a character the provider hosts, by slug (the ``characters`` capability), whose persona
    #: answers the turn; the host checks it exists before the first turn
    character: str | None = None
    #: how many times the provider may send the turn's request again after a failure it
    #: would retry (a 429, a 5xx, a refused connect) before answering with the error; None:
    #: the provider's own policy. A caller whose own client retries (a gateway) says 0, so
    #: that retries do not multiply (3 of ours x 3 of the client's)
    max_retries: int | None = None
