"""Opaque reasoning state a model returns with its turn, read from Venice's answers. Pure.

Gemini (through Venice) returns ``reasoning_details`` (a list of objects) and a
``thought_signature`` on the message, and a ``thought_signature`` on each tool call
(``choices[0].message.tool_calls[i].thought_signature``, Venice's spec; Google's own
OpenAI-compatible endpoint nests it in ``extra_content.google``). They must go back exactly
as received on the next turns to the same model, or Venice answers 400 after a tool call
(OpenClaw issue 119591). Replaying them is :mod:`.gemini_replay`'s job.

A stream sends them in deltas: ``reasoning_details`` items with the same ``index`` and
``type`` are pieces of one item (their ``text``/``data``/``summary`` strings are joined, the
other keys kept from the first piece that has them); a JSON answer sends each item whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import StreamFormatError
from .chunk_fields import kind_of

__all__ = ["ReasoningState", "call_signature"]

_JOINED = ("text", "data", "summary")


def call_signature(piece: Mapping[str, Any]) -> str | None:
    """The ``thought_signature`` of one tool-call piece (a stream delta or a whole call)."""
    signature = piece.get("thought_signature")
    if signature is None:
        extra = piece.get("extra_content")
        google = extra.get("google") if isinstance(extra, Mapping) else None
        signature = google.get("thought_signature") if isinstance(google, Mapping) else None
    if signature is None or signature == "":
        return None
    if not isinstance(signature, str):
        raise StreamFormatError(f"a tool call's thought_signature was {kind_of(signature)}")
    return signature


class ReasoningState:
    """The message-level ``reasoning_details`` and ``thought_signature`` of one turn."""

    __slots__ = ("details", "signature")

    def __init__(self) -> None:
        self.details: list[dict[str, Any]] = []
        self.signature: str | None = None

    def feed(self, delta: Mapping[str, Any]) -> None:
        """Note what one delta (or a whole non-streamed message) carries."""
        details = delta.get("reasoning_details")
        if details is not None:
            if not isinstance(details, list | tuple):
                raise StreamFormatError(f"`reasoning_details` was {kind_of(details)}, not a list")
            for item in details:
                if isinstance(item, Mapping):
                    self._add(item)
        signature = delta.get("thought_signature")
        if signature is not None and signature != "":
            if not isinstance(signature, str):
                raise StreamFormatError(f"`thought_signature` was {kind_of(signature)}")
            self.signature = signature

    def _add(self, item: Mapping[str, Any]) -> None:
        last = self.details[-1] if self.details else None
        index = item.get("index")
        if (
            last is None
            or index is None
            or last.get("index") != index
            or last.get("type") != item.get("type")
        ):
            self.details.append(dict(item))
            return
        for key, value in item.items():
            if key in _JOINED and isinstance(value, str) and isinstance(last.get(key), str):
                last[key] += value
            elif last.get(key) is None:
                last[key] = value
