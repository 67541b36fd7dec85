"""JSON5 text to data, fast: rewrite the JSON5 into JSON with a few C-level regex passes,
then let the C JSON parser read it (a 5 MB config in a fraction of a second, where the pure
Python ``json5`` parser takes minutes).

Handles what people write in config files: comments, unquoted keys, single-quoted strings,
JSON5 escapes, trailing commas, hex numbers, ``.5`` and ``5.``, a leading ``+``, ``NaN`` and
``Infinity``. Anything else raises :class:`ValueError`, and the caller asks the complete
``json5`` parser (which also says where the text is wrong).
"""

from __future__ import annotations

import json
import re
from typing import Any

_STRING = r"""("[^"\\\n\r]*(?:\\.[^"\\\n\r]*)*"|'[^'\\\n\r]*(?:\\.[^'\\\n\r]*)*')"""
# strings and comments, found together (a quote in a comment starts no string, and a // in
# a string starts no comment); a comment leaves None in the split's captures; a // comment
# ends at any JSON5 line terminator (CR, U+2028 and U+2029 too, not only LF)
_PIECES = re.compile(_STRING + r"|//[^\n\r\u2028\u2029]*|/\*.*?\*/", re.DOTALL)
_GLUED = re.compile(r"\*/[\w.+\-$'\"]")  # 1/**/2 is not 12: let the slow parser say so
_HOLE, _GAP = "\x00", "\x01"  # where a string stood / a comment stood
# (replacements are constant strings or a function: Python 3.11 expands a template with
# \1 in Python, once per match, which costs seconds on a 5 MB file; patterns start with a
# literal where they can, which the regex engine finds fast)
_KEY = re.compile(r"[A-Za-z_$][\w$]*+(?=\s*+:)", re.ASCII)
_TRAILING_COMMA = re.compile(r",(?=\s*[\]}])")
_EMPTY_COMMA = re.compile(r"[\[{,]\s*,")
_PLUS = re.compile(r"(?<![\w.])\+(?=[\d.]|Infinity)")
_LEADING_DOT = re.compile(r"\.(?<!\d\.)(?=\d)")
_TRAILING_DOT = re.compile(r"\.(?<=\d\.)(?!\d)")
_HEX = re.compile(r"(?<![\w.])0[xX]([0-9a-fA-F]+)")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"')
_ESCAPE = re.compile(
    r"\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|(\r\n|[\n\r\u2028\u2029])|(0(?!\d)|[^0-9])|\d)",
    re.DOTALL,
)
_SIMPLE = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "0": "\0"}


class NotSimpleJSON5(ValueError):
    """Text only the complete parser reads (or an error it should report)."""


NAN = float("nan")  # one object for every NaN read, so that data == data holds with NaNs
_CONSTANTS = {"NaN": NAN, "Infinity": float("inf"), "-Infinity": float("-inf")}


def loads(text: str) -> Any:
    """The data of JSON5 ``text``; :class:`ValueError` when this fast path cannot say."""
    return loads_json(to_json(text))


def loads_json(text: str) -> Any:
    """``json.loads`` with the one NaN (a raw control character in a string is refused, as
    JSON does; JSON5 allows tabs there, which the complete parser then reads)."""
    return json.loads(text, parse_constant=_CONSTANTS.__getitem__)


def to_json(text: str) -> str:
    if _HOLE in text or _GAP in text:
        raise NotSimpleJSON5("control character in the text")
    if "*/" in text and _GLUED.search(text):  # (perhaps in a string: the slow parser decides)
        raise NotSimpleJSON5("a comment glued to a token")
    pieces = _PIECES.split(text)
    captures = pieces[1::2]
    between = [_GAP if c is None else _HOLE for c in captures]
    joined: list[str] = [""] * (len(pieces))
    joined[0::2] = pieces[0::2]
    joined[1::2] = between
    code = "".join(joined).replace(_GAP, " ")
    if '"' in code or "'" in code:  # a quote that starts no string token: not for us
        raise NotSimpleJSON5("a string this reader does not take")
    if _EMPTY_COMMA.search(code):
        raise NotSimpleJSON5("comma without a value before it")
    if ":" in code:
        code = _KEY.sub(_quote, code)
    code = _TRAILING_COMMA.sub("", code)
    if "+" in code:
        code = _PLUS.sub("", code)
    if "." in code:
        code = _LEADING_DOT.sub("0.", code)
        code = _TRAILING_DOT.sub(".0", code)
    if "0x" in code or "0X" in code:
        code = _HEX.sub(lambda m: str(int(m.group(1), 16)), code)
    out = code.split(_HOLE)
    literals = [c for c in captures if c is not None]
    if len(out) != len(literals) + 1:
        raise NotSimpleJSON5("string boundaries moved")  # cannot happen; never guess
    merged: list[str] = [""] * (len(out) + len(literals))
    merged[0::2] = out
    merged[1::2] = [p if p[0] == '"' and "\\" not in p else _json_literal(p) for p in literals]
    return "".join(merged)


def _quote(match: re.Match[str]) -> str:
    return '"' + match.group() + '"'


def has_comments(text: str) -> bool:
    """Whether ``text`` holds a ``//`` or ``/* */`` comment (one inside a string is none)."""
    return "/" in text and None in _PIECES.split(text)[1::2]


def _json_literal(piece: str) -> str:
    """A string literal as JSON."""
    if "\\" not in piece:
        if piece[0] == '"':
            return piece
        if '"' not in piece:
            return '"' + piece[1:-1] + '"'
    elif piece[0] == '"' and _JSON_STRING.fullmatch(piece):
        return piece
    return json.dumps(_unescape(piece[1:-1]))


def _unescape(body: str) -> str:
    def escape(match: re.Match[str]) -> str:
        hex4, hex2, newline, char = match.groups()
        if hex4 is not None:
            return chr(int(hex4, 16))
        if hex2 is not None:
            return chr(int(hex2, 16))
        if newline is not None:
            return ""  # a line continuation
        if char is None or char in "ux":  # \1..\9, \0 before a digit, \u or \x not
            raise NotSimpleJSON5("escape JSON5 does not allow")  # followed by hex digits
        return _SIMPLE.get(char, char)

    return _ESCAPE.sub(escape, body) if "\\" in body else body
