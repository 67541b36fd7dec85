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
from collections.abc import Callable
from typing import Any

from ..errors import StreamFormatError
from ..wire.limits import JsonRefused, loads
from ..wire.text import may_hold_surrogates, safe_json

__all__ = ["DONE", "SSEDecoder", "load_chunk"]

DONE = "[DONE]"  # Venice's last event; not JSON
CHECKED_FROM = 64 * 1024  # an event this long is counted before it is parsed (wire.limits)
_BOM = b"\xef\xbb\xbf"
# the scanner json.loads runs, with the same settings (typeshed does not declare it)
_Scan = Callable[[str, int], tuple[Any, int]]
_scan_once: _Scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


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
        if self._skip_lf or not self._started:
            chunk = self._head(chunk)
        if (
            chunk[:6] == b"data: "
            and chunk[-2:] == b"\n\n"
            and not self._partial
            and not self._data
            and chunk.count(b"\n") == 2
            and b"\r" not in chunk
        ):  # one whole one-line event, as Venice sends them (one per token): no splitting
            return [chunk[6:-2].decode("utf-8", "replace")]
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

    def _head(self, chunk: bytes) -> bytes:
        """A chunk after a CR (its leading LF completes a CRLF) or at the very start."""
        if self._skip_lf and chunk:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        if not self._started:
            chunk = self._strip_bom(chunk)
        return chunk

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
    """The JSON value of one event's data, its strings without lone surrogates. Not JSON (or
    nested past the parser's depth, which raises RecursionError, not ValueError) is a
    :class:`StreamFormatError`, and so is an event past :data:`~..wire.limits.ANSWER`'s
    limits (checked from :data:`CHECKED_FROM` bytes: a smaller one cannot grow far).

    The usual event, one JSON value and nothing around it, goes straight to the scanner
    that ``json.loads`` ends up in (about half its time per chunk goes on the way there);
    anything else is left to ``json.loads`` itself."""
    if len(data) >= CHECKED_FROM:
        try:
            return loads(data)
        except JsonRefused as exc:
            raise StreamFormatError(f"Venice sent a stream event that {exc}; try again") from None
        except (ValueError, RecursionError):
            raise _not_json() from None
    try:
        value, end = _scan_once(data, 0)
        if end != len(data):
            value = json.loads(data)
    except StopIteration:  # no value at the very start (leading whitespace, or not JSON)
        value = _loads(data)
    except (ValueError, RecursionError):
        raise _not_json() from None
    return safe_json(value) if "\\u" in data and may_hold_surrogates(data) else value


def _loads(data: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        raise _not_json() from None


def _not_json() -> StreamFormatError:
    return StreamFormatError(
        "Venice sent a stream event that is not JSON; try again, and report it if it repeats"
    )
