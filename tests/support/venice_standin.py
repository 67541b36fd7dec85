"""The Venice stand-in that runtime tests (Hermes in-process, the gateway, the runtimes behind
it) share: two rows of Venice's ``GET /models``, a responder that answers the listing and
each chat request with the next stream, and the checks of what reached "Venice"."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from tests.support import venice_wire as wire
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request, json_reply

MODEL = "kimi-k2-6"
LIVE_MAX_TOKENS = 20000  # below the bundle's 32768: only the live catalog says this
LIVE_USD_IN, LIVE_USD_OUT = 2.0, 8.0  # per million tokens, unlike the bundle's prices

# Two rows of Venice's real ``GET /models`` answer (the 2026-08 capture in
# tests/data/venice-api/static-models-2026-08.json), kimi-k2-6's limit and prices changed so
# a test can tell the live catalog from the bundle.
KIMI = {
    "id": MODEL, "type": "text", "created": 1776643200,
    "model_spec": {
        "privacy": "private", "availableContextTokens": 256000,
        "maxCompletionTokens": LIVE_MAX_TOKENS,
        "pricing": {"input": {"usd": LIVE_USD_IN, "diem": 0.75},
                    "cache_input": {"usd": 0.16, "diem": 0.16},
                    "output": {"usd": LIVE_USD_OUT, "diem": 3.5}},
        "traits": [], "name": "Kimi K2.6",
        "capabilities": {
            "optimizedForCode": True, "quantization": "int4", "supportsAudioInput": False,
            "supportsFunctionCalling": True, "supportsLogProbs": False,
            "supportsMultipleImages": True, "maxImages": 10, "supportsReasoning": True,
            "supportsReasoningEffort": True,
            "reasoningEffortOptions": ["none", "low", "medium", "high"],
            "defaultReasoningEffort": "high", "supportsResponseSchema": True,
            "supportsTeeAttestation": False, "supportsE2EE": False, "supportsVideoInput": False,
            "supportsVision": True, "supportsWebSearch": True, "supportsXSearch": False,
        },
    },
}  # fmt: skip
HERMES3 = {
    "id": "hermes-3-llama-3.1-405b", "type": "text", "created": 1758758400,
    "model_spec": {
        "privacy": "private", "availableContextTokens": 128000,
        "pricing": {"input": {"usd": 1.1, "diem": 1.1}, "output": {"usd": 3, "diem": 3}},
        "traits": [], "name": "Hermes 3 Llama 3.1 405b",
        "capabilities": {
            "optimizedForCode": False, "quantization": "fp8", "supportsAudioInput": False,
            "supportsFunctionCalling": False, "supportsLogProbs": False,
            "supportsMultipleImages": False, "supportsReasoning": False,
            "supportsReasoningEffort": False, "supportsResponseSchema": False,
            "supportsTeeAttestation": False, "supportsE2EE": False, "supportsVideoInput": False,
            "supportsVision": False, "supportsWebSearch": True, "supportsXSearch": False,
        },
    },
}  # fmt: skip


def live_rows(*extra: dict[str, Any]) -> dict[str, Any]:
    return {"object": "list", "type": "text", "data": copy.deepcopy([KIMI, HERMES3, *extra])}


def venice(
    answers: list[list[dict[str, Any]]] | Callable[[Request], Reply | None],
    rows: dict[str, Any] | None = None,
) -> Callable[[Request], Reply | None]:
    """``GET /models`` answers the live rows; each chat request the next stream (or what
    ``answers`` says, when it is a responder)."""
    pending = answers if callable(answers) else list(answers)

    def respond(request: Request) -> Reply | None:
        if request.method == "GET" and request.path == "/api/v1/models":
            return json_reply(rows or live_rows())
        if request.method == "POST" and request.path == "/api/v1/chat/completions":
            if callable(pending):
                return pending(request)
            return wire.stream_reply(pending.pop(0))
        return Reply(404, b'{"error": "not found"}', {"Content-Type": "application/json"})

    return respond


def chats(server: LocalServer) -> list[Request]:
    """The chat requests that reached the stand-in, in order."""
    return [r for r in server.requests if r.path.endswith("/chat/completions")]


def assert_no_fingerprint(request: Request, key: str = CANARY) -> None:
    """Our key, and none of a client's fingerprint or tracing headers (the OpenAI SDK's
    ``x-stainless-*``, ``traceparent``, ``x-session-affinity``)."""
    assert request.headers["authorization"] == f"Bearer {key}"
    odd = [
        h
        for h in request.headers
        if h.startswith("x-stainless") or h in ("traceparent", "x-session-affinity")
    ]
    assert odd == [], f"fingerprint headers sent: {odd}"


def assert_clean_upstream(request: Request, key: str = CANARY) -> None:
    """What Venice saw from the gateway: :func:`assert_no_fingerprint`, and the gateway's own
    user agent, not the runtime's OpenAI client's."""
    assert_no_fingerprint(request, key)
    assert "openai" not in request.headers.get("user-agent", "").lower()


def read_file_turn() -> list[dict[str, Any]]:
    """A model's turn that calls the runtime's ``read_file`` tool on ``notes.txt``."""
    call = {"index": 0, "id": "call_1", "type": "function"}
    return [
        wire.chunk({"role": "assistant", "content": None}),
        wire.chunk({"tool_calls": [{**call, "function": {"name": "read_file", "arguments": ""}}]}),
        wire.chunk(
            {"tool_calls": [{"index": 0, "function": {"arguments": '{"path": "notes.txt"}'}}]}
        ),
        wire.chunk({}, "tool_calls"),
        wire.usage_chunk(40, 20),
    ]
