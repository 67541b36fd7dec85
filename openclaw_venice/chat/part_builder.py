"""A content part of a streamed turn while its deltas arrive. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..runtime.ai import TextPart, ThinkingPart, ToolCallPart
from .chunk_fields import parse_arguments
from .tool_arguments import decode_html_arguments

__all__ = ["BLOCK", "Kind", "Part", "PartBuilder"]

Kind = Literal["text", "thinking", "toolCall"]
Part = TextPart | ThinkingPart | ToolCallPart
BLOCK = 256  # deltas joined into one string at a time


@dataclass(slots=True, eq=False)
class PartBuilder:
    """A content part while it streams. Its deltas are joined every :data:`BLOCK`, so
    memory grows with the text, not with the deltas' count (a str object per token)."""

    kind: Kind
    index: int
    chunks: list[str] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)
    encrypted: bool = False
    id: str = ""
    id_given: bool = False  # Venice sent the id (ours is made up until then)
    name: str = ""
    signature: str | None = None  # a tool call's thought_signature
    html_entities: bool = False  # the model may HTML-encode its tool-call arguments
    built: Part | None = None  # set when the part ends

    def add(self, delta: str) -> None:
        chunks = self.chunks
        chunks.append(delta)
        if len(chunks) == BLOCK:
            self.blocks.append("".join(chunks))
            chunks.clear()

    def close(self) -> Part:
        """The part, for good: :attr:`built` holds it, the pieces are let go."""
        self.built = built = self.build()
        self.chunks, self.blocks = [], []
        return built

    def build(self) -> Part:
        text = "".join(self.blocks + self.chunks)
        if self.kind == "text":
            return TextPart(text)
        if self.kind == "thinking":
            return ThinkingPart(text, self.encrypted)
        arguments = decode_html_arguments(text) if self.html_entities else parse_arguments(text)
        return ToolCallPart(self.id, self.name, arguments, text, thought_signature=self.signature)
