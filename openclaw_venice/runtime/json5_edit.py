"""Surgical edits to JSON5 text: set one value, keep every other byte (comments included).

The editor walks only the objects on the edited path; every other value is skipped by a
bracket count over strings and comments (no tree is built), so an edit to a 5 MB file costs
one quick scan. An edit replaces one value's span, or inserts a new member into the nearest
existing object, and says which object now holds the change, so the caller can check just
that object parses to what it should (see ``config_edit``): a case this does not handle
cannot corrupt a file, it falls back to a full rewrite.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
# JSON5 identifiers beyond ASCII (ECMAScript 5.1 IdentifierName, as the json5 reader takes
# them): a letter starts one; letters, marks, digits, connectors and ZWNJ/ZWJ continue it
_ID_START = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nl"})
_ID_PART = _ID_START | {"Mn", "Mc", "Nd", "Pc"}
_SCALAR_END = re.compile(r"[\s,\]}/]")
_SPACE = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/)*", re.DOTALL)
_STRING = re.compile(r""""[^"\\\n]*(?:\\.[^"\\\n]*)*"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'""", re.DOTALL)
_NESTED = re.compile(
    r""""[^"\\\n]*(?:\\.[^"\\\n]*)*"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'|//[^\n]*|/\*.*?\*/|[\[\]{}]""",
    re.DOTALL,
)


class EditError(ValueError):
    """The text is not something this editor can edit safely."""


@dataclass
class Node:
    start: int
    end: int


@dataclass
class Member:
    key: str
    key_start: int
    value: Node


@dataclass
class ObjectNode(Node):
    members: list[Member] = field(default_factory=list)

    def find(self, key: str) -> Member | None:
        found = None
        for member in self.members:  # the last duplicate wins, as in JSON parsers
            if member.key == key:
                found = member
        return found


@dataclass(frozen=True, slots=True)
class Edited:
    """The new text, and the object (by key path, and its span in the new text) that holds
    the change: everything outside that span is byte for byte as before."""

    text: str
    path: tuple[str, ...]
    start: int
    end: int


def skip_space(text: str, pos: int) -> int:
    match = _SPACE.match(text, pos)
    pos = match.end() if match else pos
    if text.startswith("/*", pos):
        raise EditError("unclosed comment")
    return pos


def value_end(text: str, pos: int) -> int:
    """Where the value starting at ``pos`` ends (objects and arrays are bracket-counted)."""
    if pos >= len(text):
        raise EditError("unexpected end")
    char = text[pos]
    if char in "{[":
        depth = 0
        for match in _NESTED.finditer(text, pos):
            token = match.group()
            if token in ("{", "["):
                depth += 1
            elif token in ("}", "]"):
                depth -= 1
                if depth == 0:
                    return match.end()
        raise EditError("unclosed object or array")
    if char in "\"'":
        string = _STRING.match(text, pos)
        if not string:
            raise EditError("unclosed string")
        return string.end()
    found = _SCALAR_END.search(text, pos)
    end = found.start() if found else len(text)
    if end == pos:
        raise EditError(f"unexpected {char!r}")
    return end


def _key(text: str, pos: int) -> tuple[str, int]:
    if text.startswith(("'", '"'), pos):
        match = _STRING.match(text, pos)
        if not match:
            raise EditError("unclosed string")
        return _decode(match.group()), match.end()
    match = _IDENT.match(text, pos)
    end = match.end() if match else _identifier_end(text, pos, start=True)
    if end < len(text) and not text[end].isascii():
        end = _identifier_end(text, end, start=False)
    if end == pos:
        raise EditError("bad key")
    return text[pos:end], end


def _identifier_end(text: str, pos: int, *, start: bool) -> int:
    """Where an identifier's non-ASCII run from ``pos`` ends (``pos`` when none starts)."""
    from unicodedata import category

    allowed = _ID_START if start else _ID_PART
    while pos < len(text) and (
        text[pos] in "$_"
        or (allowed is _ID_PART and text[pos] in "\u200c\u200d")
        or category(text[pos]) in allowed
    ):
        pos += 1
        allowed = _ID_PART
    return pos


def _decode(literal: str) -> str:
    if literal[0] == '"':  # the usual case: JSON's rules, and ~100x faster than json5's
        try:
            decoded: str = json.loads(literal)
            return decoded
        except ValueError:
            pass  # a JSON5-only escape (\x41, a line continuation...)
    import json5

    decoded = json5.loads(literal)
    return decoded


def object_at(text: str, pos: int) -> ObjectNode:
    """The object starting at ``pos``: its members' keys and value spans."""
    if not text.startswith("{", pos):
        raise EditError("expected an object")
    node = ObjectNode(pos, pos)
    pos += 1
    while True:
        pos = skip_space(text, pos)
        if text.startswith("}", pos):
            break
        key_start = pos
        key, pos = _key(text, pos)
        pos = skip_space(text, pos)
        if not text.startswith(":", pos):
            raise EditError("expected ':'")
        start = skip_space(text, pos + 1)
        pos = value_end(text, start)
        node.members.append(Member(key, key_start, Node(start, pos)))
        pos = skip_space(text, pos)
        if not text.startswith(",", pos):
            break
        pos += 1
    pos = skip_space(text, pos)
    if not text.startswith("}", pos):
        raise EditError("expected '}'")
    node.end = pos + 1
    return node


def parse_spans(text: str) -> ObjectNode:
    root = object_at(text, skip_space(text, 0))
    if skip_space(text, root.end) != len(text):
        raise EditError("top level is not one object")
    return root


def set_value(text: str, keys: Sequence[str], value: Any) -> Edited:
    """``text`` with ``keys`` (a path of object keys) set to ``value``."""
    if not keys:
        raise EditError("empty key path")
    node = parse_spans(text)
    for depth, key in enumerate(keys):
        member = node.find(key)
        rest = keys[depth + 1 :]
        path = tuple(keys[:depth])
        if member is None:
            new = _insert(text, node, key, _nest(rest, value))
            return Edited(new, path, node.start, node.end + len(new) - len(text))
        if not rest or not text.startswith("{", member.value.start):
            indent = _indent_at(text, member.key_start)
            rendered = _render(_nest(rest, value), indent)
            new = text[: member.value.start] + rendered + text[member.value.end :]
            return Edited(new, path, node.start, node.end + len(new) - len(text))
        node = object_at(text, member.value.start)
    raise EditError("unreachable")  # pragma: no cover


def remove_member(text: str, keys: Sequence[str]) -> str:
    """``text`` without the member at ``keys`` (a path of object keys) and the comma that
    separated it; a member on lines of its own takes those lines with it. Everything else
    stays byte for byte."""
    if not keys:
        raise EditError("empty key path")
    node = parse_spans(text)
    for key in keys[:-1]:
        member = node.find(key)
        if member is None or not text.startswith("{", member.value.start):
            raise EditError(f"no object at {key!r}")
        node = object_at(text, member.value.start)
    index = max((i for i, m in enumerate(node.members) if m.key == keys[-1]), default=-1)
    if index < 0:
        raise EditError(f"no member {keys[-1]!r}")
    start, end = node.members[index].key_start, node.members[index].value.end
    after = _skip_inline_space(text, end)
    comma = None
    if text.startswith(",", after):
        end = after + 1  # its own comma goes with it
    elif index > 0:  # the last member: the comma before it goes
        comma = skip_space(text, node.members[index - 1].value.end)
    line_start = text.rfind("\n", 0, start) + 1
    rest = _skip_inline_space(text, end)
    if not text[line_start:start].strip() and text.startswith("\n", rest):
        start, end = line_start, rest + 1
    if comma is not None and text.startswith(",", comma):
        return text[:comma] + text[comma + 1 : start] + text[end:]
    return text[:start] + text[end:]


def has_comments(text: str) -> bool:
    """Whether ``text`` holds a ``//`` or ``/* */`` comment (one inside a string is none)."""
    from .json5_fast import has_comments as scan

    return scan(text)


def _nest(keys: Sequence[str], value: Any) -> Any:
    for key in reversed(keys):
        value = {key: value}
    return value


def _insert(text: str, obj: ObjectNode, key: str, value: Any) -> str:
    if not obj.members:
        outer = _indent_at(text, obj.start)
        indent = outer + "  "
        entry = f"{_quoted(key, unquoted=False)}: {_render(value, indent)}"
        return f"{text[: obj.start + 1]}\n{indent}{entry}\n{outer}{text[obj.start + 1 :]}"
    last = obj.members[-1]
    indent = _indent_at(text, last.key_start)
    unquoted = not text.startswith(("'", '"'), last.key_start)
    entry = f"{_quoted(key, unquoted)}: {_render(value, indent)}"
    value_end_at = last.value.end
    pos = _skip_inline_space(text, value_end_at)
    had_comma = text.startswith(",", pos)
    if had_comma:
        pos += 1
    pos = _end_of_line_comments(text, pos)
    comma = "" if had_comma else ","
    head = text[:value_end_at] + comma + text[value_end_at:pos]
    return f"{head}\n{indent}{entry}{',' if had_comma else ''}{text[pos:]}"


def _end_of_line_comments(text: str, pos: int) -> int:
    """Past the spaces and comments that end this line, so they stay with their member."""
    while True:
        pos = _skip_inline_space(text, pos)
        if text.startswith("//", pos):
            newline = text.find("\n", pos)
            return len(text) if newline < 0 else newline
        close = text.find("*/", pos)
        if text.startswith("/*", pos) and close >= 0 and "\n" not in text[pos:close]:
            pos = close + 2
            continue
        return pos


def _skip_inline_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def _quoted(key: str, unquoted: bool) -> str:
    return key if unquoted and _IDENT.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def _indent_at(text: str, pos: int) -> str:
    line_start = text.rfind("\n", 0, pos) + 1
    line = text[line_start:pos]
    return line[: len(line) - len(line.lstrip())]


def _render(value: Any, indent: str) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + indent)
