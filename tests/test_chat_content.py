"""What a turn's content means (issue 11, items 7 and 8): where ``<think>`` opens reasoning,
what a lone ``</think>`` closes, and tool-call pieces that resume after text or thinking."""

from __future__ import annotations

import json
from typing import Any

import pytest

from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.assemble import TurnAssembler
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.chat.completion import assemble_completion
from openclaw_venice.chat.options import StreamOptions
from openclaw_venice.chat.think_tags import thinking_forced_open
from openclaw_venice.runtime.ai import (
    AssistantMessage,
    Context,
    ReasoningLevel,
    StreamEvent,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    UserMessage,
)
from openclaw_venice.runtime.catalog import ModelInfo
from tests.support import venice_wire
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer

PLAIN_MODEL = ModelInfo("llama-3.3-70b", "Llama", "venice")
REASONER = ModelInfo("deepseek-v3.2", "DeepSeek", "venice", reasoning=True)
# Qwen's model card: "the default chat template automatically includes <think>", so the
# output holds only the closing tag; Venice serves it as qwen3-235b-a22b-thinking-2507
FORCED = load_bundle().find("qwen3-235b-a22b-thinking-2507")
assert FORCED is not None and FORCED.reasoning


def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {"id": "chatcmpl-9", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def turn(
    deltas: list[dict[str, Any]], model: ModelInfo = PLAIN_MODEL, opened: bool | None = None
) -> list[StreamEvent]:
    if opened is None:
        opened = thinking_forced_open(model, {})
    assembler = TurnAssembler(model, thinking_opened=opened)
    events = [assembler.start()]
    for delta in deltas:
        events += assembler.feed(chunk(delta))
    events += assembler.feed(chunk({}, "stop"))
    return events + assembler.finish(True)


def contents(pieces: list[str], model: ModelInfo = PLAIN_MODEL) -> list[Any]:
    message = turn([{"content": p} for p in pieces], model)[-1].message
    assert message is not None
    return list(message.content)


def shape(events: list[StreamEvent]) -> list[tuple[str, int]]:
    return [(e.type, e.index) for e in events]


# -- item 7: <think> only at the start ---------------------------------------------------------


@pytest.mark.parametrize(
    "pieces",
    [
        ["  \n", "<think>", "Let me count.", "</think>", "\n\nThree."],
        ["\n<thi", "nk>Let me count.</th", "ink>\n\n", "Three."],
        ["<think>Let me count.</think>Three."],
    ],
)
def test_think_opens_reasoning_at_the_start_after_whitespace(pieces: list[str]) -> None:
    for model in (PLAIN_MODEL, REASONER, FORCED):
        assert contents(pieces, model) == [ThinkingPart("Let me count."), TextPart("Three.")]


@pytest.mark.parametrize(
    "pieces",
    [
        ["Use the <think> tag for reasoning."],
        ["Sure. <think>is it?", "</think>Done", " <think>again</think>"],
        ["HTML has no <thi", "nk> element."],
        ["a", "<think>b</think>"],
        ["ends with <think>"],
    ],
)
def test_an_answer_that_mentions_think_keeps_its_text(pieces: list[str]) -> None:
    for model in (PLAIN_MODEL, REASONER, FORCED):
        if model is FORCED and "</think>" in "".join(pieces):
            continue  # its template opened reasoning, which a "</think>" ends (see below)
        assert contents(pieces, model) == [TextPart("".join(pieces))], model.id


def test_after_the_reasoning_ends_think_tags_are_text() -> None:
    pieces = ["<think>plan</think>", "Write <think>x</think> to show it."]
    assert contents(pieces) == [
        ThinkingPart("plan"),
        TextPart("Write <think>x</think> to show it."),
    ]


def test_no_think_tag_once_reasoning_content_was_seen() -> None:
    deltas = [{"reasoning_content": "The user wants tags."}, {"content": "<think>hi</think> ok"}]
    for model in (PLAIN_MODEL, FORCED):
        message = turn(deltas, model)[-1].message
        assert message is not None
        assert message.content == [
            ThinkingPart("The user wants tags."),
            TextPart("<think>hi</think> ok"),
        ]


def test_whitespace_then_reasoning_content_keeps_everything() -> None:
    message = turn([{"content": "\n"}, {"reasoning_content": "r"}, {"content": "A"}])[-1].message
    assert message is not None
    assert message.content == [TextPart("\n"), ThinkingPart("r"), TextPart("A")]


# -- item 7: a lone </think> closes what the template opened ----------------------------------


def test_a_lone_close_tag_ends_reasoning_the_template_opened() -> None:
    pieces = ["Okay, the user ", "asks for 2+2.", "</th", "ink>", "\n\n", "4"]
    events = turn([{"content": p} for p in pieces], FORCED)
    assert shape(events) == [
        ("start", 0),
        ("thinking_start", 0),
        ("thinking_delta", 0),
        ("thinking_end", 0),
        ("text_start", 1),
        ("text_delta", 1),
        ("text_end", 1),
        ("done", 0),
    ]
    assert events[2].delta == "Okay, the user asks for 2+2."
    message = events[-1].message
    assert message is not None
    assert message.content == [ThinkingPart("Okay, the user asks for 2+2."), TextPart("4")]


def test_after_the_close_tag_the_answer_streams_as_it_comes() -> None:
    assembler = TurnAssembler(FORCED, thinking_opened=True)
    assert assembler.feed(chunk({"content": "reasoning"})) == []  # not yet known to be
    assert [e.type for e in assembler.feed(chunk({"content": "</think>The"}))] == [
        "thinking_start",
        "thinking_delta",
        "thinking_end",
        "text_start",
        "text_delta",
    ]
    assert [e.delta for e in assembler.feed(chunk({"content": " answer"}))] == [" answer"]


def test_forced_open_content_without_a_close_tag_is_the_answer() -> None:
    assert contents(["Just ", "the answer."], FORCED) == [TextPart("Just the answer.")]


def test_forced_open_content_before_a_tool_call_is_text() -> None:
    call = {"index": 0, "id": "c1", "function": {"name": "f", "arguments": "{}"}}
    message = turn([{"content": "Let me look."}, {"tool_calls": [call]}], FORCED)[-1].message
    assert message is not None
    assert message.content == [TextPart("Let me look."), ToolCallPart("c1", "f", {}, "{}")]


def test_a_lone_close_tag_is_text_for_models_whose_template_does_not_open_reasoning() -> None:
    for model in (PLAIN_MODEL, REASONER):
        assert contents(["I wrote </think> here."], model) == [TextPart("I wrote </think> here.")]


def test_which_turns_may_start_inside_reasoning() -> None:
    assert thinking_forced_open(FORCED, {"venice_parameters": {}})
    assert not thinking_forced_open(FORCED, {"venice_parameters": {"disable_thinking": True}})
    assert not thinking_forced_open(REASONER, {})
    assert not thinking_forced_open(PLAIN_MODEL, {})


def test_a_json_answer_splits_the_same_way() -> None:
    body = {"choices": [{"message": {"content": "plan</think>\n\nDone"}, "finish_reason": "stop"}]}
    message = assemble_completion(body, FORCED, thinking_opened=True)
    assert message.content == [ThinkingPart("plan"), TextPart("Done")]
    plain = assemble_completion(body, FORCED)
    assert plain.content == [TextPart("plan</think>\n\nDone")]


# -- item 8: tool-call pieces resume after text or thinking ------------------------------------


def call(index: int, args: str, id: str | None = None, name: str = "f") -> dict[str, Any]:
    piece: dict[str, Any] = {"index": index, "function": {"arguments": args}}
    if id:
        piece.update(id=id, type="function")
        piece["function"]["name"] = name
    return piece


@pytest.mark.parametrize("between", [{"content": "Looking it up."}, {"reasoning_content": "hm"}])
def test_a_tool_call_piece_after_text_or_thinking_continues_its_call(
    between: dict[str, Any],
) -> None:
    deltas = [
        {"tool_calls": [call(0, '{"city": ', "call_w", "get_weather")]},
        between,
        {"tool_calls": [call(0, '"Paris"}')]},
    ]
    events = turn(deltas)
    assert events[-1].type == "done"
    message = events[-1].message
    assert message is not None
    kind = "text" if "content" in between else "thinking"
    weather = ToolCallPart("call_w", "get_weather", {"city": "Paris"}, '{"city": "Paris"}')
    assert message.tool_calls == [weather]
    assert message.stop_reason == "toolUse"
    assert shape(events) == [
        ("start", 0),
        ("toolcall_start", 0),
        ("toolcall_delta", 0),
        (f"{kind}_start", 1),
        (f"{kind}_delta", 1),
        ("toolcall_delta", 0),  # the call continues, by its index
        ("toolcall_end", 0),
        (f"{kind}_end", 1),
        ("done", 0),
    ]
    assert events[6].part == weather


def test_two_calls_interleaved_with_text_and_thinking() -> None:
    deltas = [
        {"tool_calls": [call(0, '{"a":', "c0")]},
        {"content": "first "},
        {"tool_calls": [call(1, '{"b":', "c1", "g")]},
        {"reasoning_content": "wait"},
        {"tool_calls": [call(1, " 2}")]},
        {"content": "then"},
        {"tool_calls": [call(0, " 1}")]},
    ]
    message = turn(deltas)[-1].message
    assert message is not None
    assert message.content == [
        ToolCallPart("c0", "f", {"a": 1}, '{"a": 1}'),
        TextPart("first "),
        ToolCallPart("c1", "g", {"b": 2}, '{"b": 2}'),
        ThinkingPart("wait"),
        TextPart("then"),
    ]
    assert "invalidToolArguments" not in message.meta


def test_text_after_a_call_does_not_end_it_and_whitespace_is_held() -> None:
    assembler = TurnAssembler(PLAIN_MODEL)
    assembler.feed(chunk({"tool_calls": [call(0, "{", "c1")]}))
    events = assembler.feed(chunk({"content": "\n\nAnd also"}))
    assert shape(events) == [("text_start", 1), ("text_delta", 1)]
    assert assembler.feed(chunk({"tool_calls": [call(0, "}")]}))[0].type == "toolcall_delta"
    done = assembler.finish(True)
    assert [e.type for e in done] == ["toolcall_end", "text_end", "done"]
    message = done[-1].message
    assert message is not None
    assert message.content == [ToolCallPart("c1", "f", {}, "{}"), TextPart("\n\nAnd also")]
    assert json.loads(message.tool_calls[0].raw_arguments) == {}


# -- through VeniceChat against a loopback server ------------------------------------------------


def stream_turn(
    server: LocalServer, reasoning: ReasoningLevel | None
) -> tuple[AssistantMessage, dict[str, Any]]:
    pieces = ["The user greets me.", "</think>", "\n\nHello!"]
    chunks = [venice_wire.chunk({"content": p}) for p in pieces]
    server.respond(lambda r: venice_wire.stream_reply([*chunks, venice_wire.chunk({}, "stop")]))
    chat = VeniceChat(
        CANARY, base_url=server.url + "/api/v1", catalog=load_bundle(), warn=lambda m: None
    )
    context = Context(messages=[UserMessage("Hi")])
    message = chat.complete_sync(FORCED, context, StreamOptions(reasoning=reasoning))
    chat.close()
    return message, server.requests[-1].json()


def test_a_streamed_turn_of_a_template_opened_model_splits_at_the_lone_close_tag(
    server: LocalServer,
) -> None:
    message, body = stream_turn(server, None)
    assert message.content == [ThinkingPart("The user greets me."), TextPart("Hello!")]
    assert "disable_thinking" not in body["venice_parameters"]


def test_with_thinking_disabled_the_content_is_all_answer(server: LocalServer) -> None:
    message, body = stream_turn(server, "off")
    assert body["venice_parameters"]["disable_thinking"] is True
    assert message.content == [TextPart("The user greets me.</think>\n\nHello!")]


# -- what an error event keeps -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "pieces", "kept"),
    [
        (PLAIN_MODEL, ["x <"], [TextPart("x <")]),
        (PLAIN_MODEL, ["<think>abc</th"], [ThinkingPart("abc</th")]),
        (PLAIN_MODEL, ["  <thi"], [TextPart("  <thi")]),
        (FORCED, ["a long chain ", "of thought"], [TextPart("a long chain of thought")]),
        (FORCED, ["plan</think>\n\n"], [ThinkingPart("plan")]),
    ],
)
def test_a_cut_turn_keeps_the_content_still_held(
    model: ModelInfo, pieces: list[str], kept: list[Any]
) -> None:
    assembler = TurnAssembler(model, thinking_opened=thinking_forced_open(model, {}))
    for piece in pieces:
        assembler.feed(chunk({"content": piece}))
    assert assembler.partial().content == kept
