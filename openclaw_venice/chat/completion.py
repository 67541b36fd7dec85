"""A non-streamed answer -> the final :class:`AssistantMessage`, through the same assembler
as a stream, so both paths share every rule. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import StreamFormatError
from ..runtime.ai import AssistantMessage
from ..runtime.catalog import ModelInfo
from .assemble import TurnAssembler
from .chunk_fields import as_mapping, first_choice, kind_of

__all__ = ["assemble_completion", "completion_chunk"]


def assemble_completion(
    body: Mapping[str, Any],
    model: ModelInfo,
    provider: str = "venice",
    meta: Mapping[str, Any] | None = None,
    *,
    thinking_opened: bool = False,
) -> AssistantMessage:
    """The final message of a non-streamed answer: its ``message`` is fed as one delta, so
    both paths share every rule (``<think>`` tags, tool-call parsing, usage, cost)."""
    assembler = TurnAssembler(
        model,
        provider,
        request_id=(meta or {}).get("requestId"),
        thinking_opened=thinking_opened,
    )
    assembler.feed(completion_chunk(body))
    message = assembler.finish(True, meta)[-1].message
    assert message is not None
    return message


def completion_chunk(body: Any) -> dict[str, Any]:
    """A non-streamed answer as one stream chunk: its ``message`` is the delta (tool calls
    indexed by position), the rest (usage, cost, ids, search results) kept as it is."""
    if not isinstance(body, Mapping):
        raise StreamFormatError(f"the answer was {kind_of(body)}, not a JSON object")
    chunk = dict(body)
    choice = first_choice(body)
    if choice is not None:
        message = choice.get("message")
        delta = dict(as_mapping(message, "a message")) if message is not None else {}
        calls = delta.get("tool_calls")
        if isinstance(calls, list | tuple):  # whole calls, one per item: index by position
            delta["tool_calls"] = [
                {**c, "index": i} if isinstance(c, Mapping) else c for i, c in enumerate(calls)
            ]
        chunk["choices"] = [{"delta": delta, "finish_reason": choice.get("finish_reason")}]
    return chunk
