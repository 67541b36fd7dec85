"""Reasoning inside a turn's content (``<think>…</think>``): split into thinking and answer
text. Pure.

Open models on Venice that the server does not parse put their reasoning in ``content``:

* ``<think>`` opens reasoning only at the very start of the content (after whitespace); an
  answer that mentions ``<think>`` later keeps it as text. After ``</think>`` the rest is
  the answer (its leading blank lines dropped), whatever tags it mentions.
* Some chat templates open the reasoning themselves (the generation prompt ends in
  ``<think>``; llama.cpp calls it "thinking forced open"): the model's output starts inside
  its reasoning and only a lone ``</think>`` ends it. For those models (``opened=True``)
  content is held until a ``</think>`` shows it was reasoning, or the content ends and shows
  it was the answer.
* Once ``reasoning_content`` was seen in the turn, the server is parsing the reasoning: the
  content is all answer (:meth:`ThinkTags.reasoning_seen`).

A tag split over deltas (``"<thi" + "nk>"``) is held back until the next delta, or the end,
decides, so a plain ``"<"`` is delayed, never swallowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..profiles import profiled
from ..runtime.catalog import ModelInfo

__all__ = ["ThinkTags", "thinking_forced_open"]

OPEN, CLOSE = "<think>", "</think>"
_START, _OPENED, _INSIDE, _PLAIN = 0, 1, 2, 3

Piece = tuple[bool, str]  # (is thinking, text)


def thinking_forced_open(model: ModelInfo, body: Mapping[str, Any]) -> bool:
    """Whether this turn's content may begin inside reasoning the template opened: a
    reasoning model of such a family, asked without ``disable_thinking``."""
    if profiled(model).profile.think_tags != "opened":
        return False
    params = body.get("venice_parameters")
    return not (isinstance(params, Mapping) and params.get("disable_thinking") is True)


class ThinkTags:
    __slots__ = ("_held", "_opened", "_size", "_state", "_strip", "_tail")

    def __init__(self, opened: bool = False) -> None:
        self._state, self._opened, self._strip = _START, opened, False
        self._held: list[str] = []
        self._size, self._tail = 0, ""  # characters held; the last few of them

    def plain(self) -> bool:
        """True when the next content is all answer text as it is (the usual case)."""
        return self._state == _PLAIN and not self._strip

    def feed(self, text: str) -> list[Piece]:
        """The (is thinking, text) pieces of one content delta."""
        state = self._state
        if state == _PLAIN:
            return self._answer(text)
        if state == _INSIDE:
            return self._inside(text)
        if state == _OPENED:
            return self._forced(text)
        return self._start(text)

    def reasoning_seen(self) -> list[Piece]:
        """A ``reasoning_content`` delta came: what was held, and from now on plain text."""
        out = self.flush()
        self._state = _PLAIN
        return out

    def pending(self) -> Piece | None:
        """What is held, as :meth:`flush` would give it, without ending anything."""
        if not self._held:
            return None
        held = "".join(self._held)
        if self._state == _INSIDE:
            return (True, held)
        return (False, held.lstrip()) if self._strip else (False, held)

    def flush(self) -> list[Piece]:
        """What is held, as it stands (before another part, or at the end). Content that
        had not yet shown whether it opens reasoning is answer text, and so is the rest."""
        if not self._held:  # the usual case: a tool call or reasoning delta, nothing held
            if self._state != _INSIDE:
                self._state = _PLAIN
            return []
        held = "".join(self._held)
        self._held, self._size, self._tail = [], 0, ""
        if self._state != _INSIDE:
            self._state = _PLAIN
            return self._answer(held)
        return [(True, held)] if held else []

    # states

    def _start(self, text: str) -> list[Piece]:
        text = self._take(text)
        head = text.lstrip()
        if head.startswith(OPEN):
            self._state = _INSIDE
            return self._inside(head[len(OPEN) :])
        if not head or OPEN.startswith(head):  # blank so far, or "<thi": not decided yet
            self._hold(text)
            return []
        if self._opened:
            self._state = _OPENED
            return self._forced(text)
        self._state = _PLAIN
        return self._answer(text)

    def _inside(self, text: str) -> list[Piece]:
        text = self._take(text)
        at = text.find(CLOSE)
        if at < 0:
            keep = _partial_tag(text, CLOSE)
            if keep:
                self._hold(text[-keep:])
                text = text[:-keep]
            return [(True, text)] if text else []
        self._state, self._strip = _PLAIN, True
        head = [(True, text[:at])] if at else []
        return head + self._answer(text[at + len(CLOSE) :])

    def _forced(self, text: str) -> list[Piece]:
        window = self._tail + text  # "</think>" may straddle two deltas
        if CLOSE not in window:
            self._hold(text)
            self._tail = window[1 - len(CLOSE) :]
            return []
        whole = "".join(self._held) + text
        at = whole.find(CLOSE, max(0, self._size - len(CLOSE) + 1))
        self._held, self._size, self._tail = [], 0, ""
        self._state, self._strip = _PLAIN, True
        head = [(True, whole[:at])] if at else []
        return head + self._answer(whole[at + len(CLOSE) :])

    def _answer(self, text: str) -> list[Piece]:
        if self._strip:
            text = text.lstrip()
            self._strip = not text
        return [(False, text)] if text else []

    # the held text

    def _hold(self, text: str) -> None:
        self._held.append(text)
        self._size += len(text)

    def _take(self, text: str) -> str:
        if not self._held:
            return text
        text, self._held, self._size = "".join(self._held) + text, [], 0
        return text


def _partial_tag(text: str, tag: str) -> int:
    """Length of the longest end of ``text`` that begins ``tag`` (0 if none)."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if tag.startswith(text[-size:]):
            return size
    return 0
