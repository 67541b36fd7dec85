"""Audio answers of several requests as one stream of their format.

MP3, AAC (ADTS), Ogg Opus and raw PCM play back to back when their bytes are joined (MP3 and
ADTS are streams of frames; Ogg allows chained streams; PCM has no header). A WAV file has one
header that states its length: the parts after the first lose their header here, and the first
header's two lengths are set once the whole is written, when the sink can seek back (a file);
a sink that cannot (a pipe) gets the lengths as 0xFFFFFFFF, which WAV readers take as
"unknown, read to the end" (as ``ffmpeg`` and ``sox`` write a WAV to a pipe). FLAC states its
length in its one header too and has no such convention: FLAC that would need more than one
request is refused before anything is sent (:data:`JOINABLE`).
"""

from __future__ import annotations

import struct
from typing import Any

#: formats whose parts can be joined into one playable stream
JOINABLE = frozenset({"mp3", "aac", "opus", "pcm", "wav"})
#: a WAV header longer than this (its chunks before ``data``) is not one we understand
MAX_WAV_HEADER = 64 * 1024
UNKNOWN_LENGTH = 0xFFFFFFFF


class NotWav(ValueError):
    """A part said to be WAV that is not RIFF/WAVE with a ``data`` chunk."""


class AudioJoiner:
    """Writes the pieces of ``parts`` answers of ``format`` to ``sink`` as one stream: call
    :meth:`start` before each part's pieces, :meth:`write` for each, :meth:`finish` once."""

    def __init__(self, sink: Any, audio_format: str, parts: int) -> None:
        self.sink, self.format, self.parts = sink, audio_format, parts
        self.part = -1
        self.written = 0
        self._head = b""  # a WAV part's bytes before its data, until the header is read
        self._in_data = True
        self._lengths_at: int | None = None  # where the first WAV header's data length is
        self._data_start = 0

    def start(self) -> None:
        self.part += 1
        self._head, self._in_data = b"", self.format != "wav" or self.parts == 1

    def write(self, piece: bytes) -> None:
        if self._in_data:
            self._emit(piece)
            return
        self._head += piece
        if len(self._head) > MAX_WAV_HEADER:
            raise NotWav("the WAV header is larger than 64 KB")
        found = _data_chunk(self._head)
        if found is None:
            return
        header_end, size_at = found
        head, rest = self._head[:header_end], self._head[header_end:]
        self._head, self._in_data = b"", True
        if self.part == 0:  # the one header kept: its lengths say "unknown" until finish
            kept = bytearray(head)
            kept[4:8] = struct.pack("<I", UNKNOWN_LENGTH)
            kept[size_at : size_at + 4] = struct.pack("<I", UNKNOWN_LENGTH)
            self._lengths_at, self._data_start = size_at, header_end
            self._emit(bytes(kept))
        self._emit(rest)

    def finish(self) -> None:
        """Check the last part was whole, then fix a joined WAV's lengths where the sink
        can seek (see the module)."""
        if not self._in_data:
            raise NotWav("an answer ended inside its WAV header")
        if self._lengths_at is None or not _seekable(self.sink):
            return
        data = self.written - self._data_start
        if self.written - 8 > UNKNOWN_LENGTH or data > UNKNOWN_LENGTH:
            return  # past what 32 bits can say: "unknown" is the truth
        end = self.sink.tell()
        self.sink.seek(end - self.written + 4)
        self.sink.write(struct.pack("<I", self.written - 8))
        self.sink.seek(end - self.written + self._lengths_at)
        self.sink.write(struct.pack("<I", data))
        self.sink.seek(end)

    def _emit(self, data: bytes) -> None:
        if data:
            self.sink.write(data)
            self.written += len(data)


def _data_chunk(head: bytes) -> tuple[int, int] | None:
    """(where the audio starts, where the ``data`` chunk's length is) in a WAV header, or
    None while more bytes are needed; :class:`NotWav` when it is no WAV."""
    if len(head) < 12:
        return None
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise NotWav("the answer is not a WAV file")
    at = 12
    while len(head) >= at + 8:
        chunk, size = head[at : at + 4], struct.unpack("<I", head[at + 4 : at + 8])[0]
        if chunk == b"data":
            return at + 8, at + 4
        at += 8 + size + (size & 1)  # chunks are padded to an even length
    return None


def _seekable(sink: Any) -> bool:
    try:
        return bool(sink.seekable())
    except (AttributeError, OSError, ValueError):
        return False
