"""Venice's chat wire format, written by hand for tests: chunks, SSE framing, answers.

The shapes follow Venice's ``POST /chat/completions`` (OpenAI-style chunks, a usage chunk
with ``choices: []`` and ``cost``, ``data: [DONE]``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from tests.support.server import Reply, Request, json_reply

MODEL = "llama-3.3-70b"
HEADERS = {
    "Content-Type": "text/event-stream",
    "CF-RAY": "8f1e2d3c4b5a-AMS",
    "x-venice-balance-usd": "12.5",
    "x-venice-balance-diem": "3",
    "x-ratelimit-remaining-requests": "499",
    "x-ratelimit-remaining-tokens": "199000",
}


def chunk(delta: dict[str, Any], finish: str | None = None, model: str = MODEL) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1760000000,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def usage_chunk(
    prompt: int = 12, completion: int = 5, cached: int = 0, usd: float | None = 0.00042
) -> dict[str, Any]:
    usage: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cached},
    }
    payload: dict[str, Any] = {"id": "chatcmpl-1", "choices": [], "usage": usage}
    if usd is not None:
        payload["usage"]["cost"] = {"usd": usd, "diem": 0}
    return payload


def text_stream(text: str = "Hello there!", pieces: int = 3) -> list[dict[str, Any]]:
    size = max(1, len(text) // pieces)
    parts = [text[i : i + size] for i in range(0, len(text), size)]
    chunks = [chunk({"role": "assistant", "content": ""})]
    chunks += [chunk({"content": p}) for p in parts]
    return [*chunks, chunk({}, "stop"), usage_chunk()]


def tool_stream() -> list[dict[str, Any]]:
    """Two parallel tool calls whose argument pieces interleave."""
    call = {"type": "function"}
    return [
        chunk({"role": "assistant", "content": None}),
        chunk({"tool_calls": [{"index": 0, "id": "call_a", **call,
                               "function": {"name": "get_weather", "arguments": ""}}]}),
        chunk({"tool_calls": [{"index": 1, "id": "call_b", **call,
                               "function": {"name": "get_time", "arguments": '{"tz"'}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"city": "Par'}}]}),
        chunk({"tool_calls": [{"index": 1, "function": {"arguments": ': "CET"}'}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": 'is"}'}}]}),
        chunk({}, "tool_calls"),
        usage_chunk(40, 20),
    ]  # fmt: skip


def sse(chunks: Iterable[Any], done: bool = True) -> bytes:
    out = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks)
    return out + (b"data: [DONE]\n\n" if done else b"")


def stream_reply(
    chunks: Iterable[Any], done: bool = True, headers: dict[str, str] | None = None
) -> Reply:
    """A chunked SSE answer, one chunk per network write."""
    body = sse(chunks, done)
    pieces: Iterator[bytes] = iter(body.split(b"\n\n")[:-1])
    return Reply(200, (p + b"\n\n" for p in pieces), {**HEADERS, **(headers or {})})


def completion(
    content: str | None = "Hello there!",
    tool_calls: list[dict[str, Any]] | None = None,
    finish: str = "stop",
    reasoning: str | None = None,
) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    if reasoning is not None:
        message["reasoning_content"] = reasoning
    return {
        "id": "chatcmpl-2",
        "object": "chat.completion",
        "created": 1760000000,
        "model": MODEL,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": usage_chunk()["usage"],
    }


LLAMA_ROWS = [{"id": "llama-3.3-70b", "type": "text", "model_spec": {"name": "Llama"}}]


def models_and_chat(request: Request) -> Reply:
    """A Venice stand-in of two answers: :data:`LLAMA_ROWS` at ``/models``, an "ok" chat
    stream anywhere else."""
    if request.path.endswith("/models"):
        return json_reply({"object": "list", "data": LLAMA_ROWS})
    return stream_reply(text_stream("ok"))
