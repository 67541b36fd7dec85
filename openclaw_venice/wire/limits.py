"""JSON answers parsed under limits on depth, item count and number size. Pure.

A byte cap does not bound memory: ``json.loads`` makes a 64-byte dict of the 3 bytes ``{},``
(119 KB of gzipped ``[{},...]`` became 3.2 GB), and an integer of 401 digits parses, then
fails as ``OverflowError`` wherever it meets a float. So before parsing, the text's structure
is counted (strings taken out, at C speed) against :class:`JsonLimits`: objects and arrays,
values (counted by their separators), nesting depth, and the integer part of every number
(a float too large is ``inf``, which readers already treat as no number; an integer too
large for a float is the ``OverflowError``). What parses has its lone surrogates made safe
(:mod:`.text`).

The refusal, :class:`JsonRefused`, is a ``ValueError`` whose message is a clause ("nests
deeper than 32 levels"), so callers that turn ``ValueError`` into "not JSON" stay correct and
callers that say more can: ``f"Venice's answer {exc}"``.
"""

from __future__ import annotations

import functools
import itertools
import json
import operator
import re
from typing import Any, NamedTuple

from .text import may_hold_surrogates, safe_json

__all__ = ["ANSWER", "JsonLimits", "JsonRefused", "loads", "problem"]


class JsonLimits(NamedTuple):
    """``depth``: levels of nesting; ``containers``: objects and arrays; ``values``: items of
    all of them (separators counted); ``digits``: the longest integer part of a number."""

    depth: int = 32
    containers: int = 100_000
    values: int = 1_000_000
    digits: int = 40


ANSWER = JsonLimits()  # a Venice answer: /models has ~2,000 containers, a chat answer a few


class JsonRefused(ValueError):
    """A JSON text past its limits; the message is a clause about "the answer"."""


_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = b"[]{}"
_OPEN_AS_ONE = bytes.maketrans(_BRACKETS, b"\x01\x00\x01\x00")
_NOT_BRACKET = bytes(b for b in range(256) if b not in _BRACKETS)
_DIGITS_AS_ZERO = bytes.maketrans(b"0123456789", b"0000000000")


def problem(text: bytes | str, limits: JsonLimits = ANSWER) -> str | None:
    """What is past ``limits`` in the UTF-8 JSON ``text`` (a clause), or None. Counts over
    the raw text bound the real ones from above, so most answers pass on those alone; the
    exact ones are counted with the strings taken out."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    opens = data.count(b"{") + data.count(b"[")
    values = opens + data.count(b",")
    few = opens <= limits.depth and values <= limits.values
    suspect = _number_suspect(data, limits.digits)
    if few and not suspect:
        return None
    # what is left without the strings: structure, numbers, true/false/null
    bare = _STRING.sub(b'""', data) if b'"' in data else data
    opens = bare.count(b"{") + bare.count(b"[")
    if opens > limits.containers:
        return f"holds more than {limits.containers:,} objects and arrays"
    if opens + bare.count(b",") > limits.values:
        return f"holds more than {limits.values:,} values"
    if suspect and _big_number(bare, limits.digits):
        return f"holds a number too large to be one Venice sends (over {limits.digits} digits)"
    if opens > limits.depth and _depth(bare) > limits.depth:
        return f"nests deeper than {limits.depth} levels"
    return None


def _number_suspect(data: bytes, digits: int) -> bool:
    """Whether ``data`` may hold a number of more than ``digits`` digits: a run of more
    digits anywhere (one translation and one bytes search)."""
    return b"0" * (digits + 1) in data.translate(_DIGITS_AS_ZERO)


def _big_number(bare: bytes, digits: int) -> bool:
    """Whether the JSON text ``bare`` (strings taken out) holds a number whose integer part
    has more than ``digits`` digits."""
    return _long_integer(digits).search(bare) is not None


@functools.cache
def _long_integer(digits: int) -> re.Pattern[bytes]:
    # tried at every byte, failing at once inside a run of digits: linear
    return re.compile(rb"(?:^|[^0-9.])[0-9]{%d}" % (digits + 1))



def _depth(bare: bytes) -> int:
    """The deepest nesting of a JSON text without strings: after the i-th bracket (from 1)
    the depth is twice the openings so far, less i."""
    brackets = bare.translate(_OPEN_AS_ONE, _NOT_BRACKET)
    twice_opened = map(operator.mul, itertools.accumulate(brackets), itertools.repeat(2))
    depths = map(operator.sub, twice_opened, itertools.count(1))
    return max(depths, default=0)


_DECODER = json.JSONDecoder()  # NaN and Infinity read as Python reads them: no number


def loads(raw: bytes | str, limits: JsonLimits = ANSWER) -> Any:
    """``raw`` parsed, or :class:`JsonRefused` (past ``limits``) / ``ValueError`` (not
    JSON). Strings come back without lone surrogates. UTF-8 bytes are checked as they are,
    before any ``str`` is made of them."""
    if isinstance(raw, bytes | bytearray):
        encoding = json.detect_encoding(raw)
        if encoding.startswith("utf-8"):
            _refuse(problem(raw, limits))
        try:
            text = raw.decode(encoding, "surrogatepass")
        except UnicodeDecodeError as exc:
            raise ValueError(f"not text ({exc.reason})") from None
        if not encoding.startswith("utf-8"):
            _refuse(problem(text, limits))
    else:
        text = raw
        _refuse(problem(text, limits))
    try:
        value = _DECODER.decode(text)
    except RecursionError:  # cannot happen under the depth limit; kept typed if it does
        raise JsonRefused(f"nests deeper than {limits.depth} levels") from None
    return safe_json(value) if may_hold_surrogates(text) else value


def _refuse(found: str | None) -> None:
    if found is not None:
        raise JsonRefused(found)
