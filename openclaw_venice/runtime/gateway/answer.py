"""The host's turn -> OpenAI chat-completions answers: stream chunks, one JSON completion,
error bodies, the model list. Pure.

Reasoning goes out as ``reasoning_content``; Gemini's opaque state as ``reasoning_details``
and ``thought_signature`` on the message, and each call's ``thought_signature`` under
``extra_content.google`` (as Google's own OpenAI-compatible endpoint does), where runtimes
keep it and send it back (read again by :mod:`.request`).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping, Sequence
from typing import Any

from ..ai import AssistantMessage, StreamEvent, ToolCallPart, Usage
from ..catalog import ModelInfo

FINISH = {"stop": "stop", "length": "length", "toolUse": "tool_calls"}
_string = json.encoder.encode_basestring_ascii


def completion_id() -> str:
    return "chatcmpl-" + secrets.token_hex(12)


def usage_json(usage: Usage) -> dict[str, Any]:
    """OpenAI's usage, with the turn's ``cost`` in USD (as OpenRouter reports it)."""
    prompt = usage.input + usage.cache_read + usage.cache_write
    return {
        "prompt_tokens": prompt,
        "completion_tokens": usage.output,
        "total_tokens": prompt + usage.output,
        "prompt_tokens_details": {"cached_tokens": usage.cache_read},
        "cost": usage.cost,
    }


def call_json(call: ToolCallPart) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": _arguments(call)},
    }
    if call.thought_signature:
        entry["extra_content"] = {"google": {"thought_signature": call.thought_signature}}
    return entry


def _arguments(call: ToolCallPart) -> str:
    if call.raw_arguments:
        return call.raw_arguments
    return json.dumps(call.arguments if call.arguments is not None else {})


def reasoning_state(message: AssistantMessage) -> dict[str, Any]:
    state: dict[str, Any] = {}
    if message.reasoning_details:
        state["reasoning_details"] = [dict(d) for d in message.reasoning_details]
    if message.thought_signature:
        state["thought_signature"] = message.thought_signature
    return state


def completion(message: AssistantMessage, model: str, ident: str) -> dict[str, Any]:
    """One JSON answer (``stream: false``)."""
    entry: dict[str, Any] = {"role": "assistant", "content": message.text or None}
    if message.thinking:
        entry["reasoning_content"] = message.thinking
    calls = message.tool_calls
    if calls:
        entry["tool_calls"] = [call_json(c) for c in calls]
    entry.update(reasoning_state(message))
    return {
        "id": ident,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {"index": 0, "message": entry, "finish_reason": FINISH.get(message.stop_reason)}
        ],
        "usage": usage_json(message.usage),
    }


class ChunkWriter:
    """One streamed answer's events as ``data:`` lines of OpenAI chunks."""

    __slots__ = ("_calls", "_created", "_head", "_start", "ident", "include_usage", "model")

    def __init__(self, model: str, ident: str, include_usage: bool) -> None:
        self.model, self.ident, self.include_usage = model, ident, include_usage
        self._created = int(time.time())
        self._calls: dict[int, int] = {}  # content index of a tool call -> its OpenAI index
        self._head = (
            f'{{"id":{json.dumps(ident)},"object":"chat.completion.chunk",'
            f'"created":{self._created},"model":{json.dumps(model)},"choices":['
        ).encode()
        self._start = self._chunk({"role": "assistant", "content": ""})

    def _chunk(self, delta: Mapping[str, Any], finish: str | None = None) -> bytes:
        choice = json.dumps(
            {"index": 0, "delta": delta, "finish_reason": finish}, separators=(",", ":")
        )
        return b"data: " + self._head + choice.encode() + b"]}\n\n"

    def _text(self, field: bytes, text: str) -> bytes:
        """A one-string delta (every token of an answer): only the string is encoded."""
        return (
            b"data: " + self._head + b'{"index":0,"delta":{' + field
            + _string(text).encode() + b'},"finish_reason":null}]}\n\n'
        )  # fmt: skip

    def event(self, event: StreamEvent) -> bytes:
        """The lines for one event (empty for events with nothing to say)."""
        kind = event.type
        if kind == "text_delta":
            return self._text(b'"content":', event.delta) if event.delta else b""
        if kind == "thinking_delta":
            return self._text(b'"reasoning_content":', event.delta) if event.delta else b""
        if kind == "toolcall_start" and isinstance(event.part, ToolCallPart):
            index = self._calls.setdefault(event.index, len(self._calls))
            call = {
                "index": index,
                "id": event.part.id,
                "type": "function",
                "function": {"name": event.part.name, "arguments": ""},
            }
            return self._chunk({"tool_calls": [call]})
        if kind == "toolcall_delta" and event.delta:
            index = self._calls.setdefault(event.index, len(self._calls))
            piece = {"index": index, "function": {"arguments": event.delta}}
            return self._chunk({"tool_calls": [piece]})
        if kind == "toolcall_end" and isinstance(event.part, ToolCallPart):
            signature = event.part.thought_signature
            if not signature:
                return b""
            index = self._calls.setdefault(event.index, len(self._calls))
            extra = {"google": {"thought_signature": signature}}
            return self._chunk({"tool_calls": [{"index": index, "extra_content": extra}]})
        if kind == "start":
            return self._start
        if kind == "done" and event.message is not None:
            return self.done(event.message)
        return b""

    def done(self, message: AssistantMessage) -> bytes:
        finish = FINISH.get(message.stop_reason, "stop")
        state = reasoning_state(message)
        if state:
            out = self._chunk(state, finish)
        else:  # the usual end: only the finish reason (one of FINISH's, JSON as it is)
            out = b'data: %s{"index":0,"delta":{},"finish_reason":"%s"}]}\n\n' % (
                self._head,
                finish.encode(),
            )
        if self.include_usage:
            usage = json.dumps(usage_json(message.usage), separators=(",", ":"))
            out += b"data: " + self._head + b'],"usage":' + usage.encode() + b"}\n\n"
        return out + b"data: [DONE]\n\n"


def error_json(message: str, kind: str, param: str | None = None, code: str | None = None) -> bytes:
    """OpenAI's error body."""
    error = {"message": message, "type": kind, "param": param, "code": code}
    return json.dumps({"error": error}).encode()


def stream_error(message: str, kind: str) -> bytes:
    """An error after the answer began: an ``error`` event and the end of the stream."""
    return b"data: " + error_json(message, kind) + b"\n\ndata: [DONE]\n\n"


def model_json(model: ModelInfo) -> dict[str, Any]:
    """One ``/v1/models`` entry: the fields runtimes read for limits and prices."""
    cost = model.cost
    return {
        "id": model.ref,
        "object": "model",
        "created": 0,
        "owned_by": model.provider,
        "name": model.name,
        "context_length": model.context_window,
        "context_window": model.context_window,
        "max_completion_tokens": model.max_tokens,
        "max_output_tokens": model.max_tokens,
        "pricing": {
            "prompt": _per_token(cost.input),
            "completion": _per_token(cost.output),
            "input_cache_read": _per_token(cost.cache_read_rate),
            "input_cache_write": _per_token(cost.cache_write_rate),
        },
        "privacy": model.privacy,
        "capabilities": {
            "reasoning": model.reasoning,
            "tools": model.supports_tools,
            "vision": "image" in model.input,
        },
        "input_modalities": list(model.input),
    }


def models_json(models: Sequence[ModelInfo]) -> bytes:
    return json.dumps({"object": "list", "data": [model_json(m) for m in models]}).encode()


def _per_token(per_million: float) -> str:
    """USD per token as a decimal string (OpenRouter's ``pricing`` shape)."""
    return format(per_million / 1_000_000, ".12g")
