"""Venice chat-completion chunks -> the runtime's :class:`StreamEvent`s. Pure.

Venice streams OpenAI-shaped chunks: text in ``choices[0].delta.content``, thinking in
``delta.reasoning_content`` (opaque and replayed verbatim when ``reasoning_encrypted``), or
inside content for some open models (see :mod:`.think_tags`); tool calls in pieces keyed by
``index``, which may resume after text or thinking; a usage chunk whose ``choices`` is
``[]`` or missing; search results in the first chunk; and ``{"error": …}`` chunks inside a
200 stream.

Shapes we depend on (choices, delta, tool calls, usage) are checked and a bad one raises
:class:`StreamFormatError`; metadata we only record (citations, ids) is skipped when odd.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InBandError, StreamFormatError
from ..profiles import profiled
from ..runtime.ai import (
    AssistantMessage,
    EventType,
    StopReason,
    StreamEvent,
    TextPart,
    ThinkingPart,
    ToolCallPart,
)
from ..runtime.catalog import ModelInfo
from ..wire.error_text import error_text
from .chunk_fields import (
    arguments_text,
    as_mapping,
    as_string,
    content_text,
    first_choice,
    kind_of,
)
from .part_builder import Kind, Part, PartBuilder
from .signatures import ReasoningState, call_signature
from .think_tags import ThinkTags
from .usage import usage_from

__all__ = ["MAX_PARTS", "MAX_TOOL_CALLS", "TurnAssembler"]

# One answer's parts are bounded in number, not only in bytes: 300,000 tool calls fit in 37 MB
# of stream and took 602 MB of memory. Real answers have a few parts and a few parallel calls;
# 128 is the most tools a request may offer OpenAI-style APIs.
MAX_PARTS = 1024  # text, thinking and tool-call parts of one answer
MAX_TOOL_CALLS = 128

_EVENTS: dict[Kind, tuple[EventType, EventType, EventType]] = {
    "text": ("text_start", "text_delta", "text_end"),
    "thinking": ("thinking_start", "thinking_delta", "thinking_end"),
    "toolCall": ("toolcall_start", "toolcall_delta", "toolcall_end"),
}
_STOP_REASONS: dict[str, StopReason] = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "toolUse",
    "function_call": "toolUse",
    "content_filter": "stop",
}


class TurnAssembler:
    """One streamed turn: ``start()``, ``feed(chunk)`` per decoded chunk, ``finish()``.

    A text or thinking part ends when another kind of part (or a new tool call) starts;
    tool calls stay open until the turn ends: Venice may interleave their pieces with each
    other and with text or thinking, and a piece continues its call by ``index``.
    Whitespace-only text while tool calls are open is held back, and dropped if nothing
    else follows (some models send "\\n\\n" after their calls). ``thinking_opened``: the
    model's template opens its reasoning (:func:`.think_tags.thinking_forced_open`).
    """

    def __init__(
        self,
        model: ModelInfo,
        provider: str = "venice",
        *,
        request_id: str | None = None,
        thinking_opened: bool = False,
    ) -> None:
        model = profiled(model)  # a record made by hand: the profile its id implies
        self.model, self.provider, self.request_id = model, provider, request_id
        self._parts: list[PartBuilder] = []
        self._current: PartBuilder | None = None  # the open text or thinking part
        self._tools: dict[int | str, PartBuilder] = {}  # by Venice's index, and by id
        self._open_tools: list[PartBuilder] = []
        self._last_key: int | str = 0
        self._held_space = ""
        self._tags = ThinkTags(thinking_opened)
        self._finish_reason: str | None = None
        self._usage: dict[str, Any] = {}
        self._cost: Any = None
        self._meta: dict[str, Any] = {}
        self._reasoning = ReasoningState()  # Gemini's reasoning_details, thought_signature
        self._html_arguments = model.profile.tool_arguments == "html-entities"

    def start(self) -> StreamEvent:
        empty = AssistantMessage([], model=self.model.id, provider=self.provider)
        return StreamEvent("start", message=empty)

    def feed(self, chunk: Mapping[str, Any]) -> list[StreamEvent]:
        """Events for one chunk. Raises :class:`InBandError` for an ``error`` chunk."""
        # one chunk per token: the common shapes take the short paths (`type(...) is dict`)
        if type(chunk) is not dict:
            chunk = as_mapping(chunk, "a stream chunk")
        if chunk.get("error") is not None:
            raise InBandError(
                error_text(chunk["error"]) or "unknown error", request_id=self.request_id
            )
        if chunk.get("usage") is not None or chunk.get("cost") is not None:
            self._note_usage(chunk)
        if not self._parts:  # ids and search results come before any content
            self._note_meta(chunk)
        choices = chunk.get("choices")
        choice: Mapping[str, Any] | None
        if type(choices) is list and choices and type(choices[0]) is dict:
            choice = choices[0]
        elif (choice := first_choice(chunk)) is None:
            return []
        out: list[StreamEvent] = []
        delta = choice.get("delta")
        if delta is not None:
            self._delta(delta if type(delta) is dict else as_mapping(delta, "a delta"), out)
        reason = choice.get("finish_reason")
        if reason is not None and as_string(reason, "finish_reason"):
            self._finish_reason = reason
        return out

    def finish(self, done_seen: bool, meta: Mapping[str, Any] | None = None) -> list[StreamEvent]:
        """End the turn: ``*_end`` events for open parts, then ``done``. A stream cut before
        any ``finish_reason`` and without ``[DONE]`` is incomplete; one with a
        ``finish_reason`` but no ``[DONE]`` lost only the trailer, and is accepted."""
        if not done_seen and self._finish_reason is None:
            raise StreamFormatError(
                "the stream ended before it was complete (no finish reason, no [DONE]); try again"
            )
        out: list[StreamEvent] = []
        self._content(self._tags.flush(), out)
        open_parts = self._open_tools + ([self._current] if self._current else [])
        for part in sorted(open_parts, key=lambda p: p.index):
            self._close(part, out)
        self._current, self._open_tools = None, []
        out.append(StreamEvent("done", message=self._message(meta or {})))
        return out

    def partial(
        self, stop_reason: StopReason = "error", meta: Mapping[str, Any] | None = None
    ) -> AssistantMessage:
        """The message so far, parts still open and content still held included, for an
        ``error`` event."""
        content = [p.built or p.build() for p in self._parts]
        held = self._tags.pending()
        if held and held[1]:
            thinking, text = held
            last = self._current.build() if self._current else None
            if isinstance(last, ThinkingPart) and thinking:
                content[-1] = ThinkingPart(last.thinking + text, last.encrypted)
            elif isinstance(last, TextPart) and not thinking:
                content[-1] = TextPart(last.text + text)
            else:
                content.append(ThinkingPart(text) if thinking else TextPart(text))
        return self._assemble(content, stop_reason, meta or {})

    # chunk contents

    def _note_usage(self, chunk: Mapping[str, Any]) -> None:
        usage = chunk.get("usage")
        if usage is not None:
            self._usage = dict(as_mapping(usage, "usage"))
        if chunk.get("cost") is not None:
            self._cost = chunk["cost"]

    def _note_meta(self, chunk: Mapping[str, Any]) -> None:
        if "citations" not in self._meta:
            params = chunk.get("venice_parameters")
            found = chunk.get("venice_search_results") or (
                params.get("web_search_citations") if isinstance(params, Mapping) else None
            )
            if isinstance(found, list) and found:
                self._meta["citations"] = found
        if "responseId" not in self._meta and isinstance(chunk.get("id"), str):
            self._meta["responseId"] = chunk["id"]
            served = chunk.get("model")
            if isinstance(served, str) and served and served != self.model.id:
                self._meta["servedModel"] = served

    def _delta(self, delta: Mapping[str, Any], out: list[StreamEvent]) -> None:
        if "reasoning_details" in delta or "thought_signature" in delta:
            self._reasoning.feed(delta)
        encrypted = delta.get("reasoning_encrypted") is True
        reasoning = delta.get("reasoning_content")
        if reasoning is not None and as_string(reasoning, "reasoning_content"):
            self._content(self._tags.reasoning_seen(), out)  # held text comes before it
            self._thinking(reasoning, encrypted, out)
        elif encrypted and self._current is not None and self._current.kind == "thinking":
            self._current.encrypted = True
        content = delta.get("content")
        if content is not None:
            if type(content) is str and self._tags.plain():
                if content:
                    self._text(content, out)
            else:
                self._content(self._tags.feed(content_text(content)), out)
        calls = delta.get("tool_calls")
        if calls is not None:
            if not isinstance(calls, list | tuple):
                raise StreamFormatError(f"`tool_calls` was {kind_of(calls)}, not a list")
            self._content(self._tags.flush(), out)
            for piece in calls:
                if piece is not None:
                    self._tool_piece(as_mapping(piece, "a tool call"), out)

    def _content(self, pieces: list[tuple[bool, str]], out: list[StreamEvent]) -> None:
        for thinking, text in pieces:
            if thinking:
                self._thinking(text, False, out)
            else:
                self._text(text, out)

    def _text(self, text: str, out: list[StreamEvent]) -> None:
        if self._open_tools or self._held_space:
            if self._open_tools and text.isspace():
                self._held_space += text
                return
            text, self._held_space = self._held_space + text, ""
        part = self._current
        if part is None or part.kind != "text":
            part = self._open("text", out)
        part.add(text)
        out.append(StreamEvent("text_delta", part.index, text))

    def _thinking(self, text: str, encrypted: bool, out: list[StreamEvent]) -> None:
        part = self._open("thinking", out)
        part.encrypted = part.encrypted or encrypted
        part.add(text)
        out.append(StreamEvent("thinking_delta", part.index, text))

    def _tool_piece(self, piece: Mapping[str, Any], out: list[StreamEvent]) -> None:
        function = piece.get("function")
        function = {} if function is None else as_mapping(function, "a tool call's function")
        call_id = as_string(piece.get("id") or "", "a tool call id")
        name = as_string(function.get("name") or "", "a tool name")
        part = self._tool_for(piece.get("index"), call_id, name, out)
        signature = call_signature(piece)
        if signature is not None:
            part.signature = signature
        arguments = arguments_text(function.get("arguments"))
        if arguments:
            part.add(arguments)
            out.append(StreamEvent("toolcall_delta", part.index, arguments))

    def _tool_for(self, index: Any, call_id: str, name: str, out: list[StreamEvent]) -> PartBuilder:
        """The call a piece belongs to: by ``index``, else by ``id``, else the last one, even
        after text or thinking came between its pieces. A new ``id`` on a known index is a
        new call (some providers send every call as 0)."""
        if index is not None and (not isinstance(index, int) or isinstance(index, bool)):
            raise StreamFormatError(f"a tool call index was {kind_of(index)}, not an integer")
        key = index if index is not None else call_id or self._last_key
        self._last_key = key
        part = self._tools.get(key)
        if part is not None and not (call_id and part.id_given and call_id != part.id):
            if call_id and not part.id_given:
                part.id, part.id_given = call_id, True
                self._tools[call_id] = part
            part.name = part.name or name
            return part
        if len(self._open_tools) >= MAX_TOOL_CALLS:  # calls stay open until the turn ends
            raise StreamFormatError(
                f"Venice's answer holds more than {MAX_TOOL_CALLS} tool calls; refusing it "
                "(try again)"
            )
        self._close_current(out)
        part = self._new("toolCall")
        part.html_entities = self._html_arguments
        part.id, part.id_given, part.name = call_id or f"call_{part.index}", bool(call_id), name
        self._tools[key] = part
        if call_id:
            self._tools[call_id] = part  # a later piece may name the call by id alone
        self._open_tools.append(part)
        start = ToolCallPart(part.id, part.name, None)
        out.append(StreamEvent("toolcall_start", part.index, part=start))
        return part

    # parts

    def _open(self, kind: Kind, out: list[StreamEvent]) -> PartBuilder:
        current = self._current
        if current is not None and current.kind == kind:
            return current
        self._close_current(out)
        self._current = part = self._new(kind)
        out.append(StreamEvent(_EVENTS[kind][0], part.index))
        return part

    def _new(self, kind: Kind) -> PartBuilder:
        if len(self._parts) >= MAX_PARTS:
            raise StreamFormatError(
                f"Venice's answer has more than {MAX_PARTS} parts (text, thinking, tool "
                "calls); refusing it (try again)"
            )
        part = PartBuilder(kind, len(self._parts))
        self._parts.append(part)
        return part

    def _close_current(self, out: list[StreamEvent]) -> None:
        if self._current is not None:
            self._close(self._current, out)
            self._current = None

    def _close(self, part: PartBuilder, out: list[StreamEvent]) -> None:
        built = part.close()
        out.append(StreamEvent(_EVENTS[part.kind][2], part.index, part=built))

    def _message(self, meta: Mapping[str, Any]) -> AssistantMessage:
        content = [p.built for p in self._parts if p.built is not None]
        info = dict(meta)
        reason = self._finish_reason
        stop: StopReason = _STOP_REASONS.get(reason or "", "stop")
        if reason is not None:
            info["finishReason"] = reason
        if reason == "content_filter":
            info["contentFilter"] = True
        if stop != "length" and any(isinstance(p, ToolCallPart) for p in content):
            stop = "toolUse"  # but a call cut short ("length") must not be run
        return self._assemble(content, stop, info)

    def _assemble(
        self, content: list[Part], stop: StopReason, meta: Mapping[str, Any]
    ) -> AssistantMessage:
        info = {**meta, **self._meta}
        invalid = [p.id for p in content if isinstance(p, ToolCallPart) and p.arguments is None]
        if invalid:
            info["invalidToolArguments"] = invalid
        raw = self._usage
        if "cost" not in raw and self._cost is not None:
            raw = {**raw, "cost": self._cost}  # Venice puts cost at the top level
        usage = usage_from(raw, self.model)
        reasoning = self._reasoning
        return AssistantMessage(
            content,
            stop,
            usage,
            self.model.id,
            self.provider,
            info,
            reasoning_details=tuple(reasoning.details),
            thought_signature=reasoning.signature,
        )
