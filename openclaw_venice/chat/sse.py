"""Incremental Server-Sent-Events decoding over bytes. Pure.

Venice streams ``data: {chunk}`` events separated by blank lines and ends with
``data: [DONE]``; proxies in between may re-chunk the bytes anywhere, switch line endings
(LF, CRLF, CR) or prepend a UTF-8 BOM. Only ``data`` matters to a chat client, so
``event``/``id``/``retry`` fields and ``:`` comments (keep-alives) are dropped.

Speed matters (one event per token): lines are cut with ``bytes.split``, never byte by
byte, and each event is decoded once. Line terminators are ASCII, so a UTF-8 character
split across chunks is always whole again by the time its line is complete.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import StreamFormatError

__all__ = ["DONE", "SSEDecoder", "load_chunk"]

DONE = "[DONE]"  # Venice's last event; not JSON
_BOM = b"\xef\xbb\xbf"


class SSEDecoder:
    """Feed bytes as they arrive; get the ``data`` payload of every completed event."""

    __slots__ = ("_data", "_partial", "_skip_lf", "_started")

    def __init__(self) -> None:
        self._partial: list[bytes] = []  # an unterminated line, in pieces (no quadratic +=)
        self._data: list[bytes] = []  # data lines of the event being read
        self._skip_lf = False  # the last chunk ended in CR: a leading LF completes a CRLF
        self._started = False  # the BOM check is done

    def feed(self, chunk: bytes) -> list[str]:
        """The payloads of the events this chunk completes (often none, sometimes many)."""
        if self._skip_lf and chunk:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        if not self._started:
            chunk = self._strip_bom(chunk)
        if not chunk:
            return []
        if b"\n" not in chunk and b"\r" not in chunk:
            self._partial.append(chunk)
            return []
        if self._partial:
            self._partial.append(chunk)
            chunk = b"".join(self._partial)
            self._partial = []
        if b"\r" in chunk:
            self._skip_lf = chunk.endswith(b"\r")
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = chunk.split(b"\n")
        tail = lines.pop()
        if tail:
            self._partial.append(tail)
        return self._lines(lines)

    def close(self) -> list[str]:
        """End of stream: a last line without its terminator, and a last event without its
        blank line, still count (some servers close right after ``data: [DONE]``)."""
        lines = [b"".join(self._partial)] if self._partial else []
        lines.append(b"")
        self._partial = []
        self._started = self._skip_lf = False
        return self._lines(lines)

    def _strip_bom(self, chunk: bytes) -> bytes:
        """Drop a BOM at the very start, even when it arrives split over chunks."""
        head = b"".join(self._partial) + chunk
        if len(head) < len(_BOM) and _BOM.startswith(head):
            self._partial = [head] if head else []
            return b""
        self._partial = []
        self._started = True
        return head[len(_BOM) :] if head.startswith(_BOM) else head

    def _lines(self, lines: list[bytes]) -> list[str]:
        events: list[str] = []
        data = self._data
        for line in lines:
            if not line:
                if data:
                    events.append(b"\n".join(data).decode("utf-8", "replace"))
                    data = []
            elif line[:6] == b"data: ":  # what Venice sends
                data.append(line[6:])
            elif line.startswith(b"data"):
                value = _data_value(line)
                if value is not None:
                    data.append(value)
        self._data = data
        return events


def _data_value(line: bytes) -> bytes | None:
    """The value of a ``data`` field line (one space after the colon is not part of it), or
    None for another field that merely starts with "data" (``dataset: x``)."""
    if len(line) == 4:
        return b""  # "data" alone: a field with an empty value
    if line[4:5] != b":":
        return None
    return line[6:] if line[5:6] == b" " else line[5:]


def load_chunk(data: str) -> Any:
    """The JSON value of one event's data. Not JSON (or nested past the parser's depth,
    which raises RecursionError, not ValueError) is a :class:`StreamFormatError`."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        raise StreamFormatError(
            "Venice sent a stream event that is not JSON; try again, and report it if it repeats"
        ) from None
