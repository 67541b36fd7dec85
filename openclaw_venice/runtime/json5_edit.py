"""Surgical edits to JSON5 text: set one value, keep every other byte (comments included).

A small parser records where each value sits in the text; an edit replaces one value's span,
or inserts a new member into the nearest existing object. Callers verify the result parses
to the intended data (see ``config_edit``), so a case this does not handle cannot corrupt a
file: it falls back to a full rewrite.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_SCALAR_END = re.compile(r"[\s,\]}/]")


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


class _Parser:
    def __init__(self, text: str) -> None:
        self.text, self.pos = text, 0

    def skip(self) -> None:
        text = self.text
        while self.pos < len(text):
            if text[self.pos].isspace():
                self.pos += 1
            elif text.startswith("//", self.pos):
                newline = text.find("\n", self.pos)
                self.pos = len(text) if newline < 0 else newline + 1
            elif text.startswith("/*", self.pos):
                close = text.find("*/", self.pos + 2)
                if close < 0:
                    raise EditError("unclosed comment")
                self.pos = close + 2
            else:
                return

    def value(self) -> Node:
        self.skip()
        if self.pos >= len(self.text):
            raise EditError("unexpected end")
        char = self.text[self.pos]
        if char == "{":
            return self.object()
        if char == "[":
            return self.array()
        start = self.pos
        if char in "\"'":
            self.string()
        else:
            match = _SCALAR_END.search(self.text, self.pos)
            self.pos = match.start() if match else len(self.text)
            if self.pos == start:
                raise EditError(f"unexpected {char!r}")
        return Node(start, self.pos)

    def string(self) -> str:
        quote, start = self.text[self.pos], self.pos
        self.pos += 1
        while self.pos < len(self.text) and self.text[self.pos] != quote:
            self.pos += 2 if self.text[self.pos] == "\\" else 1
        if self.pos >= len(self.text):
            raise EditError("unclosed string")
        self.pos += 1
        literal = self.text[start : self.pos]
        if quote == '"':  # the usual case: JSON's rules, and ~100x faster than json5's parser
            try:
                decoded: str = json.loads(literal)
                return decoded
            except ValueError:
                pass  # a JSON5-only escape (\x41, a line continuation...)
        import json5

        decoded = json5.loads(literal)
        return decoded

    def key(self) -> str:
        if self.text[self.pos] in "\"'":
            return self.string()
        match = _IDENT.match(self.text, self.pos)
        if not match:
            raise EditError("bad key")
        self.pos = match.end()
        return match.group()

    def object(self) -> ObjectNode:
        node = ObjectNode(self.pos, self.pos)
        self.pos += 1
        while True:
            self.skip()
            if self.text.startswith("}", self.pos):
                break
            key_start = self.pos
            key = self.key()
            self.skip()
            self.expect(":")
            node.members.append(Member(key, key_start, self.value()))
            if not self.separator("}"):
                break
        self.expect("}")
        node.end = self.pos
        return node

    def array(self) -> Node:
        start = self.pos
        self.pos += 1
        while True:
            self.skip()
            if self.text.startswith("]", self.pos):
                break
            self.value()
            if not self.separator("]"):
                break
        self.expect("]")
        return Node(start, self.pos)

    def separator(self, closing: str) -> bool:
        self.skip()
        if self.text.startswith(",", self.pos):
            self.pos += 1
            return True
        return False

    def expect(self, char: str) -> None:
        self.skip()
        if not self.text.startswith(char, self.pos):
            raise EditError(f"expected {char!r}")
        self.pos += 1


def parse_spans(text: str) -> ObjectNode:
    parser = _Parser(text)
    root = parser.value()
    parser.skip()
    if not isinstance(root, ObjectNode) or parser.pos != len(text):
        raise EditError("top level is not one object")
    return root


def set_value(text: str, keys: Sequence[str], value: Any) -> str:
    """``text`` with ``keys`` (a path of object keys) set to ``value``."""
    node = parse_spans(text)
    for depth, key in enumerate(keys):
        member = node.find(key)
        rest = keys[depth + 1 :]
        if member is None:
            return _insert(text, node, key, _nest(rest, value))
        if not rest or not isinstance(member.value, ObjectNode):
            indent = _indent_at(text, member.key_start)
            rendered = _render(_nest(rest, value), indent)
            return text[: member.value.start] + rendered + text[member.value.end :]
        node = member.value
    raise EditError("empty key path")


def _nest(keys: Sequence[str], value: Any) -> Any:
    for key in reversed(keys):
        value = {key: value}
    return value


def _insert(text: str, obj: ObjectNode, key: str, value: Any) -> str:
    if not obj.members:
        outer = _indent_at(text, obj.start)
        indent = outer + "  "
        entry = f"{_key(key, unquoted=False)}: {_render(value, indent)}"
        return f"{text[: obj.start + 1]}\n{indent}{entry}\n{outer}{text[obj.start + 1 :]}"
    last = obj.members[-1]
    indent = _indent_at(text, last.key_start)
    unquoted = not text.startswith(("'", '"'), last.key_start)
    entry = f"{_key(key, unquoted)}: {_render(value, indent)}"
    value_end = last.value.end
    pos = _skip_inline_space(text, value_end)
    had_comma = text.startswith(",", pos)
    if had_comma:
        pos += 1
    pos = _end_of_line_comments(text, pos)
    comma = "" if had_comma else ","
    head = text[:value_end] + comma + text[value_end:pos]
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


def _key(key: str, unquoted: bool) -> str:
    return key if unquoted and _IDENT.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def _indent_at(text: str, pos: int) -> str:
    line_start = text.rfind("\n", 0, pos) + 1
    line = text[line_start:pos]
    return line[: len(line) - len(line.lstrip())]


def _render(value: Any, indent: str) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + indent)
