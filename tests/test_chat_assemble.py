"""Chunk assembly and usage: hand-written Venice streams, non-streamed answers, properties."""

from __future__ import annotations

import contextlib
import json
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.assemble import TurnAssembler
from openclaw_venice.chat.completion import assemble_completion
from openclaw_venice.chat.sse import DONE, SSEDecoder, load_chunk
from openclaw_venice.chat.usage import price_for, usage_from, venice_cost
from openclaw_venice.errors import InBandError, StreamFormatError
from openclaw_venice.runtime.ai import (
    AssistantMessage,
    StreamEvent,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    Usage,
)
from openclaw_venice.runtime.catalog import Cost, ModelInfo
from openclaw_venice.wire.error_text import body_error_text, error_text

RELAXED = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
MODEL = ModelInfo(
    "qwen3-235b",
    "Qwen 3 235B",
    "venice",
    reasoning=True,
    cost=Cost(input=1.0, output=4.0, cache_read=0.25, cache_write=1.25),
)


def chunk(delta: dict[str, Any] | None = None, finish: str | None = None, **top: Any) -> Any:
    """A Venice streaming chunk for choice 0."""
    choice = {"index": 0, "delta": delta or {}, "finish_reason": finish}
    head = {"id": "chatcmpl-7f3a", "object": "chat.completion.chunk", "created": 1}
    return {**head, "model": MODEL.id, "choices": [choice], **top}


def usage_chunk(prompt: int = 120, completion: int = 30, cached: int = 0, **top: Any) -> Any:
    usage = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cached},
    }
    return {"id": "chatcmpl-7f3a", "model": MODEL.id, "choices": [], "usage": usage, **top}


def sse(chunks: list[Any], done: bool = True, eol: str = "\n") -> bytes:
    events = [f"data: {json.dumps(c)}" for c in chunks] + ([f"data: {DONE}"] if done else [])
    return "".join(e + eol + eol for e in events).encode()


def run(raw: bytes, cuts: list[int] | None = None, model: ModelInfo = MODEL) -> list[StreamEvent]:
    """Bytes -> events, the way the HTTP layer drives the decoder and the assembler."""
    points = sorted({0, len(raw), *((c % (len(raw) + 1)) for c in cuts or [])})
    decoder, assembler = SSEDecoder(), TurnAssembler(model)
    events, done = [assembler.start()], False
    for piece in [raw[a:b] for a, b in pairwise(points)] + [None]:
        for data in decoder.feed(piece) if piece is not None else decoder.close():
            if data == DONE:
                done = True
            elif not done:
                events += assembler.feed(load_chunk(data))
    return events + assembler.finish(done, {"requestId": "8c1f-AMS"})


def final(events: list[StreamEvent]) -> AssistantMessage:
    assert events[-1].type == "done" and events[-1].message is not None
    return events[-1].message


def shape(events: list[StreamEvent]) -> list[tuple[str, int]]:
    return [(e.type, e.index) for e in events]


PLAIN = [
    chunk({"role": "assistant", "content": ""}),
    chunk({"content": "The sky "}),
    chunk({"content": "is blue."}),
    chunk({}, "stop"),
    usage_chunk(612, 146, cost={"usd": 0.00042, "diem": 0}),
]


def test_plain_text_stream() -> None:
    events = run(sse(PLAIN))
    assert shape(events) == [
        ("start", 0),
        ("text_start", 0),
        ("text_delta", 0),
        ("text_delta", 0),
        ("text_end", 0),
        ("done", 0),
    ]
    assert events[0].message == AssistantMessage([], model=MODEL.id, provider="venice")
    assert [e.delta for e in events if e.type == "text_delta"] == ["The sky ", "is blue."]
    assert events[4].part == TextPart("The sky is blue.")
    message = final(events)
    assert message.content == [TextPart("The sky is blue.")]
    assert message.stop_reason == "stop" and message.model == MODEL.id
    assert message.provider == "venice"
    assert message.usage == Usage(612, 146, 0, 0, 758, 0.00042)
    assert message.meta == {
        "requestId": "8c1f-AMS",
        "responseId": "chatcmpl-7f3a",
        "finishReason": "stop",
    }


def test_reasoning_content_then_text() -> None:
    raw = sse(
        [
            chunk({"role": "assistant", "reasoning_content": "The user "}),
            chunk({"reasoning_content": "greets me."}),
            chunk({"content": "Hello!"}),
            chunk({}, "stop"),
        ]
    )
    events = run(raw)
    assert shape(events)[1:] == [
        ("thinking_start", 0),
        ("thinking_delta", 0),
        ("thinking_delta", 0),
        ("thinking_end", 0),
        ("text_start", 1),
        ("text_delta", 1),
        ("text_end", 1),
        ("done", 0),
    ]
    assert final(events).content == [ThinkingPart("The user greets me."), TextPart("Hello!")]
    assert final(events).thinking == "The user greets me."


def test_think_tags_split_across_deltas() -> None:
    pieces = ["<thi", "nk>", "Let me ", "count.</th", "ink>", "\n\n", "There are ", "3."]
    events = run(sse([chunk({"content": p}) for p in pieces] + [chunk({}, "stop")]))
    assert final(events).content == [ThinkingPart("Let me count."), TextPart("There are 3.")]
    assert [e.delta for e in events if e.type == "thinking_delta"] == ["Let me ", "count."]
    assert shape(events)[1:4] == [
        ("thinking_start", 0),
        ("thinking_delta", 0),
        ("thinking_delta", 0),
    ]


def test_think_tags_later_in_content_are_text() -> None:
    """``<think>`` opens reasoning only at the start (tests/test_chat_content.py has the rest)."""
    pieces = ["Sure. <think>is it?", "</think>Done", " <think>again</think>"]
    message = final(run(sse([chunk({"content": p}) for p in pieces] + [chunk({}, "stop")])))
    assert message.content == [TextPart("".join(pieces))]


@pytest.mark.parametrize(
    "pieces",
    [
        ["<b>bold</b> and <i>", "it</i>"],
        ["a <", "b"],
        ["<", "thinking about it"],
        ["if x <", "= y"],
        ["<thi", "s is not a tag>"],
        ["ends with <thi"],
        ["ends with <"],
        ["</think> at the start is text"],
    ],
)
def test_text_that_merely_looks_like_a_tag_is_kept(pieces: list[str]) -> None:
    message = final(run(sse([chunk({"content": p}) for p in pieces] + [chunk({}, "stop")])))
    assert message.content == [TextPart("".join(pieces))]


def test_unclosed_think_stays_thinking() -> None:
    message = final(run(sse([chunk({"content": "<think>still going"}), chunk({}, "length")])))
    assert message.content == [ThinkingPart("still going")] and message.stop_reason == "length"


def test_encrypted_reasoning_is_kept_verbatim() -> None:
    blob = "  gAAAAABn3x+/9==\n"
    raw = sse(
        [
            chunk({"reasoning_content": blob[:7], "reasoning_encrypted": True}),
            chunk({"reasoning_content": blob[7:], "reasoning_encrypted": True}),
            chunk({"content": "Done."}, "stop"),
        ]
    )
    message = final(run(raw))
    assert message.content == [ThinkingPart(blob, encrypted=True), TextPart("Done.")]


def test_encrypted_flag_on_a_later_delta_marks_the_open_part() -> None:
    raw = sse(
        [
            chunk({"reasoning_content": "opaque"}),
            chunk({"reasoning_encrypted": True}),
            chunk({}, "stop"),
        ]
    )
    assert final(run(raw)).content == [ThinkingPart("opaque", encrypted=True)]


def call(index: int, args: str, id: str | None = None, name: str | None = None) -> Any:
    piece: dict[str, Any] = {"index": index, "function": {"arguments": args}}
    if id:
        piece["id"], piece["type"] = id, "function"
        piece["function"]["name"] = name
    return piece


TWO_CALLS = [
    chunk({"role": "assistant", "content": "Checking both."}),
    chunk({"tool_calls": [call(0, "", "call_weather", "get_weather")]}),
    chunk({"tool_calls": [call(1, '{"tz"', "call_time", "get_time")]}),
    chunk({"tool_calls": [call(0, '{"city": ')]}),
    chunk({"tool_calls": [call(1, ': "Europe/Paris"}')]}),
    chunk({"tool_calls": [call(0, '"Paris"}')]}),
    chunk({}, "tool_calls"),
    usage_chunk(300, 40),
]


def test_two_interleaved_tool_calls() -> None:
    events = run(sse(TWO_CALLS))
    assert shape(events)[1:] == [
        ("text_start", 0),
        ("text_delta", 0),
        ("text_end", 0),
        ("toolcall_start", 1),
        ("toolcall_start", 2),
        ("toolcall_delta", 2),
        ("toolcall_delta", 1),
        ("toolcall_delta", 2),
        ("toolcall_delta", 1),
        ("toolcall_end", 1),
        ("toolcall_end", 2),
        ("done", 0),
    ]
    assert events[4].part == ToolCallPart("call_weather", "get_weather", None)
    weather = ToolCallPart("call_weather", "get_weather", {"city": "Paris"}, '{"city": "Paris"}')
    clock = ToolCallPart("call_time", "get_time", {"tz": "Europe/Paris"}, '{"tz": "Europe/Paris"}')
    assert events[10].part == weather and events[11].part == clock
    message = final(events)
    assert message.content == [TextPart("Checking both."), weather, clock]
    assert message.stop_reason == "toolUse" and message.tool_calls == [weather, clock]
    assert "invalidToolArguments" not in message.meta


def test_long_parts_keep_every_delta_in_order() -> None:
    # deltas are joined in blocks as they stream (memory): nothing lost or reordered
    thinking = [f"r{i} " for i in range(700)]
    text = [f"t{i}é " for i in range(1000)]
    pieces = ['{"xs": ['] + [f"{i}, " for i in range(600)] + ["0]}"]
    assembler = TurnAssembler(MODEL)
    for r in thinking:
        assembler.feed(chunk({"reasoning_content": r}))
    for i, t in enumerate(text):
        assembler.feed(chunk({"content": t}))
        if i == 600:
            so_far = assembler.partial().content
            assert so_far == [ThinkingPart("".join(thinking)), TextPart("".join(text[:601]))]
    assembler.feed(chunk({"tool_calls": [call(0, "", "call_1", "f")]}))
    for piece in pieces:
        assembler.feed(chunk({"tool_calls": [call(0, piece)]}))
    message = final(assembler.finish(True))
    raw = "".join(pieces)
    assert message.content == [
        ThinkingPart("".join(thinking)),
        TextPart("".join(text)),
        ToolCallPart("call_1", "f", {"xs": [*range(600), 0]}, raw),
    ]


def test_invalid_and_empty_tool_arguments() -> None:
    raw = sse(
        [
            chunk({"tool_calls": [call(0, '{"path": "a.txt"', "call_a", "read")]}),
            chunk({"tool_calls": [call(1, "", "call_b", "list_files")]}),
            chunk({"tool_calls": [call(2, "[1, 2]", "call_c", "odd")]}),
            chunk({}, "tool_calls"),
        ]
    )
    message = final(run(raw))
    assert message.tool_calls == [
        ToolCallPart("call_a", "read", None, '{"path": "a.txt"'),
        ToolCallPart("call_b", "list_files", {}, ""),
        ToolCallPart("call_c", "odd", None, "[1, 2]"),
    ]
    assert message.meta["invalidToolArguments"] == ["call_a", "call_c"]


def test_tool_call_pieces_without_index_or_id() -> None:
    pieces = [
        {"id": "call_x", "function": {"name": "a", "arguments": '{"n":'}},
        {"function": {"arguments": "1}"}},
        {"index": 0, "id": "call_y", "function": {"name": "b", "arguments": "{}"}},
        {"index": 0, "id": "call_z", "function": {"name": "c", "arguments": "{}"}},
        {"index": 5, "function": {"name": "d"}},
        {"id": "call_y", "function": {"arguments": " "}},  # by id alone: call_y again
    ]
    message = final(run(sse([chunk({"tool_calls": [p]}) for p in pieces] + [chunk({}, "stop")])))
    assert [(c.id, c.name, c.raw_arguments) for c in message.tool_calls] == [
        ("call_x", "a", '{"n":1}'),
        ("call_y", "b", "{} "),
        ("call_z", "c", "{}"),  # a new id on a known index is a new call
        ("call_3", "d", ""),  # no id at all: one is made up from the part's position
    ]
    assert message.stop_reason == "toolUse"  # calls were made, whatever finish_reason said


def test_tool_arguments_sent_as_an_object_are_accepted() -> None:
    piece = {"index": 0, "id": "c1", "function": {"name": "f", "arguments": {"q": "ü"}}}
    message = final(run(sse([chunk({"tool_calls": [piece]}, "tool_calls")])))
    assert message.tool_calls == [ToolCallPart("c1", "f", {"q": "ü"}, '{"q": "ü"}')]


def test_whitespace_after_tool_calls_does_not_cut_them() -> None:
    raw = sse(
        [
            chunk({"tool_calls": [call(0, '{"a":', "c1", "f")]}),
            chunk({"content": "\n\n"}),
            chunk({"tool_calls": [call(0, "1}")]}),
            chunk({"content": "\n"}),
            chunk({}, "tool_calls"),
        ]
    )
    message = final(run(raw))
    assert message.content == [ToolCallPart("c1", "f", {"a": 1}, '{"a":1}')]


def test_a_held_back_angle_bracket_stays_before_the_next_part() -> None:
    raw = sse(
        [
            chunk({"content": "x <"}),
            chunk({"tool_calls": [call(0, "{}", "c1", "f")]}),
            chunk({}, "tool_calls"),
        ]
    )
    assert final(run(raw)).content == [TextPart("x <"), ToolCallPart("c1", "f", {}, "{}")]


@pytest.mark.parametrize(
    ("reason", "stop", "note"),
    [
        ("stop", "stop", {}),
        ("length", "length", {}),
        ("tool_calls", "toolUse", {}),
        ("function_call", "toolUse", {}),
        ("content_filter", "stop", {"contentFilter": True}),
        ("something_new", "stop", {}),
    ],
)
def test_finish_reasons(reason: str, stop: str, note: dict[str, Any]) -> None:
    message = final(run(sse([chunk({"content": "x"}), chunk({}, reason)])))
    assert message.stop_reason == stop and message.meta["finishReason"] == reason
    assert {k: message.meta[k] for k in note} == note


def test_a_call_cut_by_length_is_not_tool_use() -> None:
    raw = sse([chunk({"tool_calls": [call(0, '{"a": "lon', "c1", "f")]}), chunk({}, "length")])
    message = final(run(raw))
    assert message.stop_reason == "length" and message.meta["invalidToolArguments"] == ["c1"]


@pytest.mark.parametrize("usage_shape", ["empty-choices", "no-choices", "with-last-delta"])
def test_usage_chunk_shapes(usage_shape: str) -> None:
    usage = {
        "prompt_tokens": 1000,
        "completion_tokens": 50,
        "total_tokens": 1050,
        "prompt_tokens_details": {"cached_tokens": 800, "cache_creation_input_tokens": 100},
        "completion_tokens_details": {"reasoning_tokens": 20},
    }
    last: list[Any] = [chunk({"content": "ok"}), chunk({}, "stop")]
    if usage_shape == "empty-choices":
        last.append({"id": "x", "choices": [], "usage": usage})
    elif usage_shape == "no-choices":
        last.append({"id": "x", "usage": usage})
    else:
        last[-1] = {**chunk({}, "stop"), "usage": usage}
    message = final(run(sse(last)))
    cost = (100 * 1.0 + 50 * 4.0 + 800 * 0.25 + 100 * 1.25) / 1e6
    assert message.usage == Usage(100, 50, 800, 100, 1050, message.usage.cost)
    assert message.usage.cost == pytest.approx(cost)


def test_venice_cost_wins_inside_usage_or_at_top_level() -> None:
    inside = usage_chunk(1000, 10)
    inside["usage"]["cost"] = {"usd": 0.5, "diem": 0.25}
    assert final(run(sse([chunk({}, "stop"), inside]))).usage.cost == 0.75
    top = usage_chunk(1000, 10, cost={"usd": 0.001, "diem": 0})
    assert final(run(sse([chunk({}, "stop"), top]))).usage.cost == 0.001
    computed = final(run(sse([chunk({}, "stop"), usage_chunk(1000, 10)]))).usage.cost
    assert computed == pytest.approx((1000 * 1.0 + 10 * 4.0) / 1e6)


def test_no_usage_means_zero_usage() -> None:
    assert final(run(sse([chunk({"content": "x"}, "stop")]))).usage == Usage()


def test_citations_from_the_first_chunk() -> None:
    results = [{"title": "Why is the sky blue?", "url": "https://example.org/sky", "date": "x"}]
    raw = sse(
        [
            {"id": "c", "choices": [], "venice_search_results": results},
            chunk({"content": "Rayleigh^1^"}, "stop"),
        ]
    )
    assert final(run(raw)).meta["citations"] == results


def test_served_model_is_noted_when_it_differs() -> None:
    other = {**chunk({"content": "x"}, "stop"), "model": "qwen3-235b-a22b-2507"}
    assert final(run(sse([other]))).meta["servedModel"] == "qwen3-235b-a22b-2507"


# errors


@pytest.mark.parametrize(
    ("error", "text"),
    [
        ("Model overloaded", "Model overloaded"),
        ({"message": "Upstream\nfailed", "type": "server_error"}, "Upstream failed (server_error)"),
        ({"message": "bad", "code": 503}, "bad (503)"),
        ({"code": "RATE_LIMIT"}, "RATE_LIMIT"),
        ([{"message": "a"}, {"message": "b"}], "a; b"),
        ({}, "unknown error"),
        (7, "7"),
    ],
)
def test_in_band_errors(error: Any, text: str) -> None:
    assembler = TurnAssembler(MODEL, request_id="8c1f-AMS")
    assembler.feed(chunk({"content": "partial"}))
    with pytest.raises(InBandError) as caught:
        assembler.feed({"error": error})
    assert caught.value.detail == text and caught.value.request_id == "8c1f-AMS"
    assert "\n" not in str(caught.value) and "try again" in str(caught.value)
    partial = assembler.partial("error", {"error": text})
    assert partial.content == [TextPart("partial")] and partial.stop_reason == "error"
    assert partial.meta["error"] == text


def test_error_text_is_one_bounded_line() -> None:
    assert len(error_text("word " * 500)) == 300
    deep: Any = "x"
    for _ in range(50):
        deep = [deep]
    assert error_text(deep) == ""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"error": "Insufficient balance"}', "Insufficient balance"),
        (b'{"error": {"message": "bad key", "code": "auth"}}', "bad key (auth)"),
        (b'{"details": [{"msg": "max_tokens too big"}]}', "max_tokens too big"),
        (b"<html><body>502 Bad Gateway</body></html>", ""),
        (b"plain\ntext", "plain text"),
    ],
)
def test_body_error_text(body: bytes, expected: str) -> None:
    assert body_error_text(body) == expected


def test_an_in_band_error_without_words_still_says_something() -> None:
    with pytest.raises(InBandError, match="unknown error"):
        TurnAssembler(MODEL).feed({"error": {}})


def test_a_stream_cut_before_finishing_is_an_error() -> None:
    with pytest.raises(StreamFormatError, match="ended before it was complete"):
        run(sse([chunk({"content": "The sky"})], done=False))
    with pytest.raises(StreamFormatError, match="ended before it was complete"):
        run(b"")


def test_a_finish_reason_without_done_is_accepted() -> None:
    message = final(run(sse(PLAIN, done=False)))
    assert message.text == "The sky is blue." and message.usage.input == 612


def test_done_without_a_finish_reason_is_accepted() -> None:
    message = final(run(sse([chunk({"content": "x"})])))
    assert message.stop_reason == "stop" and "finishReason" not in message.meta


@pytest.mark.parametrize(
    "bad",
    [
        [],
        "text",
        None,
        {"choices": {"0": {}}},
        {"choices": ["x"]},
        {"choices": [{"delta": "x"}]},
        {"choices": [{"delta": {"content": 5}}]},
        {"choices": [{"delta": {"reasoning_content": ["x"]}}]},
        {"choices": [{"delta": {"tool_calls": {"index": 0}}}]},
        {"choices": [{"delta": {"tool_calls": ["x"]}}]},
        {"choices": [{"delta": {"tool_calls": [{"index": "0"}]}}]},
        {"choices": [{"delta": {"tool_calls": [{"index": True}]}}]},
        {"choices": [{"delta": {"tool_calls": [{"index": 0, "id": 5}]}}]},
        {"choices": [{"delta": {"tool_calls": [{"index": 0, "function": "f"}]}}]},
        {"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"arguments": 1}}]}}]},
        {"choices": [{"delta": {}, "finish_reason": 1}]},
        {"choices": [], "usage": [1]},
    ],
)
def test_malformed_chunks_are_stream_format_errors(bad: Any) -> None:
    with pytest.raises(StreamFormatError):
        TurnAssembler(MODEL).feed(bad)


def test_partial_keeps_open_parts() -> None:
    assembler = TurnAssembler(MODEL)
    assembler.feed(chunk({"reasoning_content": "hm"}))
    assembler.feed(chunk({"tool_calls": [call(0, '{"a"', "c1", "f")]}))
    partial = assembler.partial("aborted")
    assert partial.content == [ThinkingPart("hm"), ToolCallPart("c1", "f", None, '{"a"')]
    assert partial.stop_reason == "aborted"


# non-streamed answers


def test_assemble_completion() -> None:
    body = {
        "id": "chatcmpl-a81f",
        "object": "chat.completion",
        "created": 1739928524,
        "model": MODEL.id,
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "logprobs": None,
                "message": {
                    "role": "assistant",
                    "reasoning_content": "Need the weather.",
                    "content": "Let me check.",
                    "tool_calls": [
                        {
                            "id": "c1",
                            "type": "function",
                            "function": {"name": "w", "arguments": "{}"},
                        },
                        {
                            "id": "c2",
                            "type": "function",
                            "function": {"name": "t", "arguments": ""},
                        },
                    ],
                },
                "stop_reason": None,
            }
        ],
        "cost": {"diem": 0, "usd": 0.00042},
        "usage": {"completion_tokens": 146, "prompt_tokens": 612, "total_tokens": 758},
        "venice_parameters": {"web_search_citations": [{"title": "t", "url": "u"}]},
    }
    message = assemble_completion(body, MODEL, meta={"requestId": "r"})
    assert message.content == [
        ThinkingPart("Need the weather."),
        TextPart("Let me check."),
        ToolCallPart("c1", "w", {}, "{}"),
        ToolCallPart("c2", "t", {}, ""),
    ]
    assert message.stop_reason == "toolUse"
    assert message.usage == Usage(612, 146, 0, 0, 758, 0.00042)
    assert message.meta["citations"] == [{"title": "t", "url": "u"}]
    assert message.meta["requestId"] == "r"


def test_assemble_completion_think_tags_and_content_parts() -> None:
    tagged = {"choices": [{"finish_reason": "stop", "message": {"content": "<think>a</think>\nB"}}]}
    assert assemble_completion(tagged, MODEL).content == [ThinkingPart("a"), TextPart("B")]
    listed = {
        "choices": [
            {"finish_reason": "stop", "message": {"content": [{"type": "text", "text": "x"}]}}
        ]
    }
    assert assemble_completion(listed, MODEL).text == "x"
    assert assemble_completion({"usage": {}}, MODEL).content == []


def test_assemble_completion_errors() -> None:
    with pytest.raises(InBandError, match="overloaded"):
        assemble_completion({"error": {"message": "overloaded"}}, MODEL)
    with pytest.raises(StreamFormatError):
        assemble_completion([], MODEL)  # type: ignore[arg-type]
    with pytest.raises(StreamFormatError):
        assemble_completion({"choices": [{"message": "x"}]}, MODEL)


# usage


def test_usage_split_and_totals() -> None:
    raw = {"prompt_tokens": 1000, "completion_tokens": 10, "cache_creation_input_tokens": 200}
    usage = usage_from(raw, MODEL)
    assert usage == Usage(800, 10, 0, 200, 1010, usage.cost)
    assert usage.cost == pytest.approx((800 * 1.0 + 10 * 4.0 + 200 * 1.25) / 1e6)
    # cache counts reported on top of the prompt (their sum exceeds it): prompt is uncached
    over = {"prompt_tokens": 10, "prompt_tokens_details": {"cached_tokens": 500}}
    assert usage_from(over, MODEL).input == 10 and usage_from(over, MODEL).total_tokens == 510


@pytest.mark.parametrize("junk", [None, "12", True, -5, 1e999, float("nan"), 10**30, [1]])
def test_usage_ignores_unreadable_counts(junk: Any) -> None:
    raw = {"prompt_tokens": junk, "completion_tokens": 3, "cost": {"usd": junk, "diem": junk}}
    usage = usage_from(raw, MODEL)
    assert usage.input == 0 and usage.output == 3 and usage.cost == pytest.approx(12e-6)


def test_venice_cost() -> None:
    assert venice_cost({"usd": 0.002, "diem": 0.001}) == pytest.approx(0.003)
    assert venice_cost({"diem": 0.5}) == 0.5
    assert venice_cost({"usd": "1"}) is None and venice_cost(None) is None


def test_cache_prices_missing_from_the_catalog_fall_back_to_input() -> None:
    plain = ModelInfo("m", "M", "venice", cost=Cost(input=2.0, output=8.0))
    raw = {"prompt_tokens": 100, "prompt_tokens_details": {"cached_tokens": 100}}
    assert usage_from(raw, plain).cost == pytest.approx(100 * 2.0 / 1e6)


def test_extended_tier_from_the_bundled_catalog() -> None:
    gemini = next(m for m in load_bundle().models if m.id == "gemini-3-1-pro-preview")
    tier = gemini.extra["extendedCost"]
    threshold = tier["contextThreshold"]
    assert price_for(gemini, threshold) == gemini.cost
    assert price_for(gemini, threshold + 1) == Cost.from_json(tier)
    big = {"prompt_tokens": threshold + 1000, "completion_tokens": 1000}
    expected = ((threshold + 1000) * tier["input"] + 1000 * tier["output"]) / 1e6
    assert usage_from(big, gemini).cost == pytest.approx(expected)
    small = {"prompt_tokens": 1000, "completion_tokens": 1000}
    assert usage_from(small, gemini).cost == pytest.approx((2.5 * 1000 + 15.0 * 1000) / 1e6)


def test_a_damaged_tier_is_ignored() -> None:
    model = ModelInfo("m", "M", "venice", cost=Cost(1, 1), extra={"extendedCost": {"x": 1}})
    assert price_for(model, 10**9) == model.cost
    bad = ModelInfo(
        "m",
        "M",
        "venice",
        cost=Cost(1, 1),
        extra={"extendedCost": {"contextThreshold": 1, "input": "a"}},
    )
    assert price_for(bad, 10) == bad.cost


# properties

texts = st.text(st.sampled_from("ab <>/\n😀thinkéx"), max_size=12)
deltas = st.one_of(
    st.builds(lambda t: {"content": t}, texts),
    st.builds(lambda t: {"reasoning_content": t}, texts),
    st.builds(
        lambda i, t, first: {
            "tool_calls": [
                {"index": i, "function": {"arguments": t}}
                | ({"id": f"call_{i}", "function": {"name": "f", "arguments": t}} if first else {})
            ]
        },
        st.integers(0, 2),
        st.sampled_from(['{"a"', ": 1", "}", "", "[", '"x"']),
        st.booleans(),
    ),
)


@RELAXED
@given(
    body=st.lists(deltas, max_size=12),
    finish=st.sampled_from([None, "stop", "length", "tool_calls"]),
    eol=st.sampled_from(["\n", "\r\n", "\r"]),
    cuts=st.lists(st.integers(min_value=0), max_size=25),
)
def test_any_rechunking_gives_the_same_events(
    body: list[Any], finish: str | None, eol: str, cuts: list[int]
) -> None:
    chunks = [chunk(d) for d in body] + [chunk({}, finish), usage_chunk()]
    expected = run(sse(chunks))  # never a stream error: pieces may interleave in any order
    assert run(sse(chunks, eol=eol), cuts) == expected
    message = final(expected)
    ends = [e.index for e in expected if e.type.endswith("_end")]
    assert sorted(ends) == list(range(len(message.content)))  # each part ends once


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
keys = st.sampled_from(
    ["choices", "delta", "content", "reasoning_content", "tool_calls", "index", "id", "function",
     "arguments", "name", "finish_reason", "usage", "cost", "error", "reasoning_encrypted",
     "prompt_tokens", "venice_search_results", "message"]
)  # fmt: skip
shaped = st.recursive(
    json_values,
    lambda inner: st.dictionaries(keys, inner, max_size=4) | st.lists(inner, max_size=2),
)


@RELAXED
@given(
    data=st.lists(st.one_of(shaped.map(json.dumps), st.text(max_size=20)), max_size=8),
    noise=st.binary(max_size=40),
    done=st.booleans(),
)
def test_arbitrary_input_gives_events_or_a_typed_error(
    data: list[str], noise: bytes, done: bool
) -> None:
    raw = (
        "".join(f"data: {d}\n\n" for d in data).encode()
        + noise
        + (b"data: [DONE]\n\n" if done else b"")
    )
    try:
        events = run(raw)
    except (StreamFormatError, InBandError) as exc:  # the typed errors, said in one line
        assert str(exc) and "\n" not in str(exc), repr(exc)
        return
    assert events[-1].type == "done"
    for value in data:
        with contextlib.suppress(StreamFormatError, InBandError, ValueError):
            assemble_completion(json.loads(value), MODEL)
