"""Gemini's opaque reasoning state (issue 11 item 4): ``reasoning_details`` and
``thought_signature`` (on the message and on each tool call, as Venice's spec names them in
the assistant message of ``ChatCompletionRequest`` and of the answer) are read from streamed
and JSON answers and kept on the :class:`AssistantMessage` exactly as received."""

from __future__ import annotations

import json
from typing import Any

import pytest

from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.assemble import TurnAssembler
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.chat.completion import assemble_completion
from openclaw_venice.chat.signatures import ReasoningState, call_signature
from openclaw_venice.errors import StreamFormatError
from openclaw_venice.runtime.ai import (
    AssistantMessage,
    Context,
    Tool,
    ToolCallPart,
    ToolResultMessage,
    UserMessage,
)
from openclaw_venice.runtime.catalog import ModelInfo
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, json_reply
from tests.support.venice_wire import stream_reply, text_stream

GEMINI = load_bundle().find("gemini-3-6-flash")
assert GEMINI is not None
CALL_SIG = "SIG-VENICE-OPAQUE-ABC=="  # the value OpenClaw's index.test.ts uses
MSG_SIG = "CiQBcsjafQ+/msg-level=="
FORMAT = "google-gemini-v1"
DETAILS = [
    {"type": "reasoning.text", "text": "Let me check.", "format": FORMAT, "index": 0},
    {"type": "reasoning.encrypted", "data": "EncRyPtEd/+==", "format": FORMAT, "index": 1},
]


def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-g1",
        "object": "chat.completion.chunk",
        "model": "gemini-3-6-flash",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def signed_tool_stream() -> list[dict[str, Any]]:
    """A Gemini tool turn as a stream: reasoning details in pieces, a signed call whose
    arguments arrive in pieces, the message signature in a later delta."""
    call = {
        "index": 0,
        "id": "call_1",
        "type": "function",
        "thought_signature": CALL_SIG,
        "function": {"name": "echo_value", "arguments": ""},
    }
    return [
        chunk({"role": "assistant", "content": None}),
        chunk({"reasoning_details": [{**DETAILS[0], "text": "Let me "}]}),
        chunk({"reasoning_details": [{"type": "reasoning.text", "text": "check.", "index": 0}]}),
        chunk({"reasoning_details": [DETAILS[1]]}),
        chunk({"tool_calls": [call]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"value":'}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"repro"}'}}]}),
        chunk({"thought_signature": MSG_SIG}),
        chunk({}, "tool_calls"),
    ]  # fmt: skip


def signed_completion() -> dict[str, Any]:
    """The same turn as one JSON answer (``stream: false``)."""
    call = {
        "id": "call_1",
        "type": "function",
        "thought_signature": CALL_SIG,
        "function": {"name": "echo_value", "arguments": '{"value":"repro"}'},
    }
    message = {
        "role": "assistant",
        "content": None,
        "tool_calls": [call],
        "reasoning_details": DETAILS,
        "thought_signature": MSG_SIG,
    }
    choice = {"index": 0, "message": message, "finish_reason": "tool_calls"}
    return {"id": "chatcmpl-g2", "model": "gemini-3-6-flash", "choices": [choice]}


def streamed(chunks: list[dict[str, Any]], model: ModelInfo = GEMINI) -> AssistantMessage:
    assembler = TurnAssembler(model)
    for c in chunks:
        assembler.feed(json.loads(json.dumps(c)))
    message = assembler.finish(True)[-1].message
    assert message is not None
    return message


def expect_signed(message: AssistantMessage) -> None:
    assert message.tool_calls == [
        ToolCallPart(
            "call_1", "echo_value", {"value": "repro"}, '{"value":"repro"}',
            thought_signature=CALL_SIG,
        )
    ]  # fmt: skip
    assert [dict(d) for d in message.reasoning_details] == DETAILS
    assert message.thought_signature == MSG_SIG
    assert (message.model, message.provider, message.stop_reason) == (
        "gemini-3-6-flash",
        "venice",
        "toolUse",
    )


def test_a_streamed_answer_keeps_details_and_signatures() -> None:
    expect_signed(streamed(signed_tool_stream()))


def test_a_json_answer_keeps_details_and_signatures_as_received() -> None:
    message = assemble_completion(signed_completion(), GEMINI)
    expect_signed(message)


def test_google_nested_signature_is_read_too() -> None:
    """Google's OpenAI-compatible shape: ``extra_content.google.thought_signature``."""
    piece = {"extra_content": {"google": {"thought_signature": "NESTED=="}}}
    assert call_signature(piece) == "NESTED=="
    assert call_signature({"thought_signature": "TOP==", **piece}) == "TOP=="
    assert call_signature({"id": "c"}) is None


def test_an_answer_without_them_has_none() -> None:
    plain = streamed([chunk({"content": "hi"}), chunk({}, "stop")])
    assert plain.reasoning_details == () and plain.thought_signature is None


def test_items_with_other_indexes_or_types_stay_apart() -> None:
    state = ReasoningState()
    state.feed({"reasoning_details": [{"type": "reasoning.text", "text": "a", "index": 0}]})
    state.feed({"reasoning_details": [{"type": "reasoning.summary", "summary": "s", "index": 0}]})
    state.feed({"reasoning_details": [{"type": "reasoning.summary", "summary": "t", "index": 0}]})
    state.feed({"reasoning_details": [{"type": "reasoning.text", "text": "b"}]})
    assert state.details == [
        {"type": "reasoning.text", "text": "a", "index": 0},
        {"type": "reasoning.summary", "summary": "st", "index": 0},
        {"type": "reasoning.text", "text": "b"},
    ]


@pytest.mark.parametrize(
    "delta",
    [
        {"reasoning_details": "nope"},
        {"thought_signature": 7},
        {"tool_calls": [{"index": 0, "id": "c", "thought_signature": ["x"]}]},
    ],
)
def test_a_wrong_shape_is_a_stream_format_error(delta: dict[str, Any]) -> None:
    with pytest.raises(StreamFormatError):
        streamed([chunk(delta), chunk({}, "stop")])


# -- through a real server: the next turn sends them back exactly --------------------------------

ECHO = Tool("echo_value", "Echo a value", {"type": "object", "properties": {"value": {}}})


def two_turns(server: LocalServer, first: Reply, *, stream: bool) -> list[dict[str, Any]]:
    """A tool turn answered by ``first``, the tool's result, then the next turn."""
    replies = iter([first, stream_reply(text_stream("Echoed: repro"))])
    server.respond(lambda request: next(replies))
    context = Context(messages=[UserMessage("echo repro")], tools=[ECHO])
    chat = VeniceChat(CANARY, base_url=server.url + "/api/v1", catalog=load_bundle())
    try:
        reply = chat.complete_sync("venice/gemini-3-6-flash", context, stream=stream)
        expect_signed(reply)
        context.messages += [reply, ToolResultMessage("call_1", "echo_value", "repro")]
        assert chat.complete_sync("venice/gemini-3-6-flash", context).text == "Echoed: repro"
    finally:
        chat.close()
    return [r.json() for r in server.requests]


def expect_replayed(second: dict[str, Any]) -> None:
    assistant = second["messages"][1]
    assert assistant["reasoning_details"] == DETAILS  # as received, pieces joined
    assert assistant["thought_signature"] == MSG_SIG
    assert assistant["tool_calls"] == [
        {
            "id": "call_1",
            "type": "function",
            "function": {"name": "echo_value", "arguments": '{"value":"repro"}'},
            "thought_signature": CALL_SIG,
        }
    ]
    assert second["messages"][2]["role"] == "tool"  # structured: Gemini 3 accepts it signed


def test_a_streamed_signed_tool_turn_is_replayed_exactly(server: LocalServer) -> None:
    bodies = two_turns(server, stream_reply(signed_tool_stream()), stream=True)
    assert "reasoning_details" not in json.dumps(bodies[0])
    expect_replayed(bodies[1])


def test_a_json_signed_tool_turn_is_replayed_exactly(server: LocalServer) -> None:
    bodies = two_turns(server, json_reply(signed_completion()), stream=False)
    assert bodies[0].get("stream") is None
    expect_replayed(bodies[1])


def test_the_signatures_do_not_go_to_another_model(server: LocalServer) -> None:
    """The same history sent to a non-Gemini model: no signature, no details, calls kept."""
    server.respond(lambda request: stream_reply(text_stream("ok")))
    reply = assemble_completion(signed_completion(), GEMINI)
    context = Context(
        messages=[UserMessage("echo"), reply, ToolResultMessage("call_1", "echo_value", "r")],
        tools=[ECHO],
    )
    with VeniceChat(CANARY, base_url=server.url + "/api/v1", catalog=load_bundle()) as chat:
        chat.complete_sync("venice/kimi-k2-6", context)
    sent = server.requests[-1].json()
    assert "thought_signature" not in json.dumps(sent)
    assert "reasoning_details" not in json.dumps(sent)
    assert sent["messages"][1]["tool_calls"][0]["id"] == "call_1"
