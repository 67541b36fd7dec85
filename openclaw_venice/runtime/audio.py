"""Speech and transcription: requests, results, and the audio facts every provider shares.

Records of the ``speech`` and ``transcription`` capabilities (:mod:`.capabilities`); loaded
only by the commands, the gateway and the clients that use them. Nothing here knows any
provider: the containers below are the ones OpenAI-shaped speech APIs name
(``response_format``), told apart by their first bytes, never by a file name.
"""

# no `from __future__ import annotations`: a named tuple's string annotations are each
# compiled when the class is made (typing.ForwardRef); a class's own name is quoted instead
from collections.abc import Mapping
from typing import Any, Literal, NamedTuple, Protocol

from .catalog import NOTHING

AudioFormat = Literal["mp3", "opus", "aac", "flac", "wav", "pcm"]
FORMATS: tuple[AudioFormat, ...] = ("mp3", "opus", "aac", "flac", "wav", "pcm")
MIME_TYPES: dict[str, str] = {
    "mp3": "audio/mpeg",
    "opus": "audio/opus",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
}
#: file name endings and the format they mean (``-o speech.ogg`` is Ogg Opus)
EXTENSIONS: dict[str, AudioFormat] = {
    ".mp3": "mp3",
    ".opus": "opus",
    ".ogg": "opus",
    ".aac": "aac",
    ".flac": "flac",
    ".wav": "wav",
    ".pcm": "pcm",
}


class AudioSink(Protocol):
    """Where speech goes, piece by piece: a file opened ``wb``, ``sys.stdout.buffer``, a
    ``BytesIO``. A sink that is ``seekable()`` lets a provider fix a header once the whole
    answer is known (a WAV joined from several parts)."""

    def write(self, data: bytes, /) -> object: ...


# -- speech -------------------------------------------------------------------------------------
class SpeechRequest(NamedTuple):
    """What the ``speak`` command asks for; None leaves the choice to the provider/model.
    ``text`` of any length: a provider splits what its model cannot take at once."""

    text: str
    model: str | None = None
    voice: str | None = None
    format: AudioFormat | None = None
    speed: float | None = None
    language: str | None = None
    instructions: str | None = None  # a style prompt ("calm and slow"), where the model takes one


class SpeechResult(NamedTuple):
    """What was written to the sink: ``bytes`` of ``format`` audio in ``parts`` requests.
    ``price``: what the provider said it costs, in ``currency`` (None: it did not say)."""

    model: str
    voice: str | None
    format: AudioFormat
    bytes: int
    parts: int
    privacy: str | None = None
    request_ids: tuple[str, ...] = ()
    price: float | None = None
    currency: str | None = None
    meta: Mapping[str, Any] = NOTHING

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.format]

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "voice": self.voice,
            "format": self.format,
            "mimeType": self.mime_type,
            "bytes": self.bytes,
            "parts": self.parts,
            "privacy": self.privacy,
            "requestIds": list(self.request_ids),
            "price": self.price,
            "currency": self.currency,
        }


class SpeechQuote(NamedTuple):
    """The price of a speech request before it is sent (None: the provider lists none)."""

    model: str
    characters: int
    parts: int
    price: float | None
    currency: str | None = None
    rate: str | None = None  # how the provider prices it, e.g. "$3.50 per million characters"


# -- transcription ------------------------------------------------------------------------------
#: the most a provider is sent at once (OpenAI's and Venice's upload limit: 25 MB)
MAX_AUDIO_BYTES = 25 * 1024 * 1024


class TranscriptionRequest(NamedTuple):
    """An audio file's bytes (checked by :func:`audio_type` before anything is sent)."""

    data: bytes
    filename: str
    mime_type: str
    model: str | None = None
    language: str | None = None
    timestamps: bool = False

    def __repr__(self) -> str:
        return f"TranscriptionRequest({self.filename!r}, {self.mime_type}, {len(self.data)} bytes)"


class TranscriptionQuote(NamedTuple):
    """The price of a transcription before it is sent: ``seconds`` of audio when the file
    says (WAV, FLAC: see :func:`audio_seconds`), ``price`` when that and a rate are known,
    ``rate`` how the provider prices it (e.g. "$0.0001 per second of audio")."""

    model: str
    seconds: float | None
    price: float | None
    currency: str | None = None
    rate: str | None = None


class TimedText(NamedTuple):
    """A word or segment of a transcript and where it is in the audio (seconds)."""

    text: str
    start: float
    end: float

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


class Transcript(NamedTuple):
    text: str
    model: str
    duration: float | None = None  # seconds of audio, when the provider says
    words: tuple[TimedText, ...] = ()
    segments: tuple[TimedText, ...] = ()
    privacy: str | None = None
    request_id: str | None = None
    price: float | None = None
    currency: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "model": self.model,
            "duration": self.duration,
            "words": [w.to_json() for w in self.words],
            "segments": [s.to_json() for s in self.segments],
            "privacy": self.privacy,
            "requestId": self.request_id,
            "price": self.price,
            "currency": self.currency,
        }


# -- audio by its first bytes ---------------------------------------------------------------------
def audio_type(head: bytes) -> str | None:
    """The MIME type of ``head`` (the first 16 bytes or more) when it starts an audio or
    video container a speech-to-text API takes (WAV, FLAC, MP3, AAC, Ogg, WebM, MP4/M4A),
    else None. The content decides, not the file name."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "audio/webm"
    if head[4:8] == b"ftyp":
        return "audio/mp4"  # M4A, MP4 (AAC inside)
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return "audio/aac"  # an ADTS frame (MPEG-4 or -2 AAC, layer 0)
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06:
        return "audio/mpeg"  # an MPEG audio frame (layer I-III) without an ID3 tag
    return None


def audio_seconds(data: bytes) -> float | None:
    """How long the audio in ``data`` plays, when its header says without decoding it: a PCM
    WAV (its ``data`` length over its byte rate) or a FLAC (STREAMINFO's total samples over
    its sample rate); None for other containers or a header that says nothing usable."""
    import struct

    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        at, rate = 12, 0
        while at + 8 <= len(data):
            chunk, size = data[at : at + 4], struct.unpack("<I", data[at + 4 : at + 8])[0]
            if chunk == b"fmt " and size >= 16 and len(data) >= at + 20:
                rate = struct.unpack("<I", data[at + 16 : at + 20])[0]  # bytes a second
            if chunk == b"data":
                whole = min(size, len(data) - at - 8)  # a streamed WAV says 0xFFFFFFFF
                return whole / rate if rate else None
            at += 8 + size + (size & 1)
        return None
    if data[:4] == b"fLaC" and len(data) >= 8 + 18 and data[4] & 0x7F == 0:  # STREAMINFO first
        info = int.from_bytes(data[8 + 10 : 8 + 18], "big")
        sample_rate = info >> 44
        total = info & ((1 << 36) - 1)
        return total / sample_rate if sample_rate and total else None
    return None


def video_type(head: bytes) -> str | None:
    """The MIME type of an MP4/MOV, WebM/MKV or AVI video by its first bytes, else None."""
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return "video/quicktime" if brand == b"qt  " else "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video/x-msvideo"
    return None
