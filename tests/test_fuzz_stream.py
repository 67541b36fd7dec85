"""Fuzzing the chat stream: any bytes, through the whole parse pipeline, give well-formed
events or a typed error (:class:`StreamFormatError`, :class:`InBandError`), never another
exception.

Two ways in: the pure pipeline (SSE decoder -> ``load_chunk`` -> ``TurnAssembler.feed`` /
``finish``, cut into arbitrary pieces), and the real one: ``VeniceChat.stream`` reading the
same bytes from a loopback server, where a stray exception would escape the event stream.
Inputs are arbitrary bytes, SSE-token soup, and valid Venice streams with one or more
mutations: a JSON node swapped for a value of the wrong type or dropped, a frame's text
damaged, frames merged, repeated, reordered or nested past the parser's depth.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.assemble import TurnAssembler
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.chat.options import StreamOptions
from openclaw_venice.chat.sse import DONE, SSEDecoder, load_chunk
from openclaw_venice.errors import InBandError, StreamFormatError
from openclaw_venice.runtime.ai import (
    Context,
    StreamEvent,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    UserMessage,
)
from tests.support.fuzzing import examples
from tests.support.hygiene import CANARY
from tests.support.requests_schema import assert_valid_request
from tests.support.server import LocalServer, Reply, Request

TYPED = (StreamFormatError, InBandError)
MODEL = next(m for m in load_bundle().models if m.id == "qwen3-235b-a22b-thinking-2507")
FUZZ = settings(
    max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
DEEP = b"[" * 100_000  # past any JSON parser's recursion limit
FINISH_REASONS = ["stop", "length", "tool_calls", "content_filter", "function_call", "?"]

# -- the oracle -------------------------------------------------------------------------------


def check_events(events: list[StreamEvent]) -> None:
    """``start``, part events in order (each part started once, deltas and its end after its
    start), then ``done`` whose parts are the ended parts and the joined deltas, or ``error``."""
    assert events and events[-1].type in ("done", "error"), [e.type for e in events]
    body = events[:-1]
    if body:
        assert body[0].type == "start"
    kinds: dict[int, str] = {}
    ended: dict[int, Any] = {}
    deltas: dict[int, list[str]] = defaultdict(list)
    for event in body[1:]:
        kind, _, phase = event.type.rpartition("_")
        assert phase in ("start", "delta", "end"), event.type
        if phase == "start":
            assert event.index not in kinds, f"part {event.index} started twice"
            kinds[event.index] = kind
            continue
        assert kinds.get(event.index) == kind and event.index not in ended, event
        if phase == "delta":
            deltas[event.index].append(event.delta)
        else:
            ended[event.index] = event.part
    last = events[-1]
    if last.type == "error":
        assert isinstance(last.error, TYPED), repr(last.error)
        assert "\n" not in str(last.error) and CANARY not in str(last.error)
        return
    assert last.message is not None
    content = list(last.message.content)
    assert set(ended) == set(kinds) == set(range(len(content)))
    for index, part in enumerate(content):
        assert ended[index] == part
        assert "".join(deltas[index]) == _streamed_text(part)


def _streamed_text(part: Any) -> str:
    if isinstance(part, TextPart):
        return part.text
    if isinstance(part, ThinkingPart):
        return part.thinking
    assert isinstance(part, ToolCallPart)
    return part.raw_arguments


def pipeline(pieces: list[bytes]) -> list[StreamEvent]:
    """Bytes -> events as the HTTP layer drives them; raises only what the parts raise."""
    decoder, assembler = SSEDecoder(), TurnAssembler(MODEL)
    events, done = [assembler.start()], False
    for piece in [*pieces, None]:
        payloads = decoder.close() if piece is None else decoder.feed(piece)
        for data in payloads:
            if data == DONE:
                done = True
            if not done:
                events += assembler.feed(load_chunk(data))
        if done:
            break
    return events + assembler.finish(done, {"requestId": "ray"})


def events_or_typed_error(pieces: list[bytes]) -> None:
    try:
        events = pipeline(pieces)
    except TYPED as exc:
        assert "\n" not in str(exc) and CANARY not in str(exc)
        return
    check_events(events)


def split(raw: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, len(raw), *(c % (len(raw) + 1) for c in cuts)})
    return [raw[a:b] for a, b in pairwise(points)]


# -- inputs -----------------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([10**30, -1, 2**63, 1e308])
    | st.floats()
    | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=10,
)
texts = st.text(st.sampled_from("ab <>/\n\r😀é\x00"), max_size=10) | st.sampled_from(
    ["<think>", "</think>", "<thi", "nk>", "\n\n", " "]
)


def _choice(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {"id": "chatcmpl-1", "model": MODEL.id, "choices": [
        {"index": 0, "delta": delta, "finish_reason": finish}]}  # fmt: skip


def _tool_piece(index: int, first: bool, arguments: str) -> dict[str, Any]:
    piece: dict[str, Any] = {"index": index, "function": {"arguments": arguments}}
    if first:
        piece.update(id=f"call_{index}", type="function")
        piece["function"]["name"] = "get_weather"
    return _choice({"tool_calls": [piece]})


valid_chunks = st.one_of(
    st.builds(lambda t: _choice({"content": t}), texts),
    st.builds(
        lambda t, enc: _choice({"reasoning_content": t, "reasoning_encrypted": enc}),
        texts,
        st.booleans(),
    ),
    st.builds(
        _tool_piece,
        st.integers(0, 2),
        st.booleans(),
        st.sampled_from(['{"city"', ': "Paris"', "}", "", "[", "{}"]),
    ),
    st.builds(lambda f: _choice({}, f), st.sampled_from(FINISH_REASONS)),
    st.just({"id": "x", "choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 3},
             "cost": {"usd": 0.001, "diem": 0}}),
    st.just({"venice_search_results": [{"url": "https://e.example", "title": "E"}]}),
)  # fmt: skip
ERROR_CHUNK = {"error": {"message": "model overloaded", "code": "E503"}}


@st.composite
def mutated(draw: st.DrawFn, value: Any, top: bool = False) -> Any:
    """``value`` with one node replaced by an arbitrary JSON value, or one key dropped; a
    chunk (``top``) keeps being an object, so the damage lands in choices, delta, calls..."""
    if isinstance(value, dict) and value and (top or draw(st.integers(0, 3))):
        key = draw(st.sampled_from(sorted(value)))
        if draw(st.integers(0, 4)) == 0:
            return {k: v for k, v in value.items() if k != key}
        return {**value, key: draw(mutated(value[key]))}
    if isinstance(value, list) and value and draw(st.integers(0, 3)):
        at = draw(st.integers(0, len(value) - 1))
        return [*value[:at], draw(mutated(value[at])), *value[at + 1 :]]
    return draw(json_values)


NOISE = [b"{", b"}", b"[", b"]", b'"', b",", b":", b"\\", b"\n", b"\r", b"\x00", b"\xff",
         b"\xed\xa0\x80", b"NaN", b"-"]  # fmt: skip


@st.composite
def damaged_text(draw: st.DrawFn, text: bytes) -> bytes:
    """``text`` truncated, or with a byte deleted, inserted or replaced."""
    at = draw(st.integers(0, len(text)))
    noise = draw(st.sampled_from(NOISE))
    op = draw(st.sampled_from(["truncate", "delete", "insert", "replace"]))
    if op == "truncate":
        return text[:at]
    if op == "delete":
        return text[:at] + text[at + 1 :]
    if op == "insert":
        return text[:at] + noise + text[at:]
    return text[:at] + noise + text[at + len(noise) :]


MUTATIONS = ["json"] * 6 + ["text", "deep", "merge", "repeat", "drop", "error"]


@st.composite
def near_valid_streams(draw: st.DrawFn) -> bytes:
    """A valid Venice stream, then damaged: frames mutated as JSON or as text, framing
    changed (line endings, comments, merged or repeated frames), [DONE] kept or not."""
    chunks: list[Any] = draw(st.lists(valid_chunks, min_size=1, max_size=10))
    payloads = [json.dumps(c).encode() for c in chunks]
    merged: set[int] = set()
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(chunks) - 1))
        how = draw(st.sampled_from(MUTATIONS))
        if how == "json":
            chunks[at] = draw(mutated(chunks[at], top=True))
            payloads[at] = json.dumps(chunks[at]).encode()
        elif how == "text":
            payloads[at] = draw(damaged_text(payloads[at]))
        elif how == "deep":
            payloads[at] = payloads[at][:-1] + b', "x": ' + DEEP
        elif how == "merge":  # its blank line is lost: its data joins the next event's
            merged.add(at)
        elif how == "error":
            chunks.insert(at, ERROR_CHUNK)
            payloads.insert(at, json.dumps(ERROR_CHUNK).encode())
        elif how == "repeat":
            chunks.insert(at, chunks[at])
            payloads.insert(at, payloads[at])
        elif len(payloads) > 1:
            del chunks[at], payloads[at]
    eol = draw(st.sampled_from([b"\n", b"\r\n", b"\r"]))
    frames = [_frame(draw, p, eol, i in merged) for i, p in enumerate(payloads)]
    done = draw(st.sampled_from([b"data: [DONE]" + eol + eol, b"data: [DONE]", b""]))
    head = draw(st.sampled_from([b"", b"\xef\xbb\xbf", b": keep-alive" + eol + eol]))
    return head + b"".join(frames) + done


def _frame(draw: st.DrawFn, payload: bytes, eol: bytes, merged: bool) -> bytes:
    field = draw(st.sampled_from([b"data: ", b"data: ", b"data:", b"data:  ", b"event: x" + eol
                                  + b"data: "]))  # fmt: skip
    end = eol if merged else draw(st.sampled_from([eol + eol, eol + b": ping" + eol + eol]))
    return field + payload + end


TOKENS = [b"data: ", b"data:", b"\n", b"\r\n", b"\r", b"{", b"}", b"[", b"]", b",", b":", b'"',
          b'"choices"', b'"delta"', b'"content"', b'"tool_calls"', b'"index"', b'"function"',
          b'"arguments"', b'"error"', b'"usage"', b'"finish_reason"', b'"reasoning_content"',
          b"null", b"true", b"0", b"-1", b"1e999", b'"x"', b"[DONE]", b"\xef\xbb\xbf",
          b"\xff"]  # fmt: skip
sse_tokens = st.lists(st.sampled_from(TOKENS), max_size=60).map(b"".join)
any_stream = st.one_of(st.binary(max_size=400), sse_tokens, near_valid_streams())
cuts = st.lists(st.integers(min_value=0), max_size=12)


# -- the pure pipeline ------------------------------------------------------------------------


@FUZZ
@given(raw=st.binary(max_size=600), cuts=cuts)
def test_arbitrary_bytes(raw: bytes, cuts: list[int]) -> None:
    events_or_typed_error(split(raw, cuts))


@FUZZ
@given(raw=sse_tokens, cuts=cuts)
def test_sse_token_soup(raw: bytes, cuts: list[int]) -> None:
    events_or_typed_error(split(raw, cuts))


@settings(FUZZ, max_examples=examples(500))
@given(raw=near_valid_streams(), cuts=cuts)
def test_near_valid_streams(raw: bytes, cuts: list[int]) -> None:
    events_or_typed_error(split(raw, cuts))


@settings(FUZZ, max_examples=examples(300))
@given(chunks=st.lists(valid_chunks, min_size=1, max_size=8), cuts=cuts)
def test_valid_streams_give_well_formed_events_however_cut(
    chunks: list[Any], cuts: list[int]
) -> None:
    raw = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks)
    raw += b"data: [DONE]\n\n"
    whole = pipeline([raw])  # valid chunks, interleaved in any order, are never an error
    check_events(whole)
    assert pipeline(split(raw, cuts)) == whole


@pytest.mark.parametrize(
    "raw",
    [
        b"data: " + DEEP + b"\n\n",
        b'data: {"choices": [{"delta": {"content": ' + DEEP + b"}}]}\n\n",
        b'data: {"choices": [{"delta": {"tool_calls": [{"index": 0, "function": '
        b'{"arguments": {"a": ' + b"[" * 5000 + b"]" * 5000 + b"}}}]}}]}\n\ndata: [DONE]\n\n",
        b'data: {"error": ' + b"[" * 2000 + b"]" * 2000 + b"}\n\n",
        b'data: {"choices": [{"delta": {"content": "x"}, "finish_reason": "stop"}], '
        b'"usage": {"prompt_tokens": 1e999, "completion_tokens": ' + b"9" * 5000 + b"}}\n\n",
    ],
    ids=["deep-frame", "deep-content", "deep-arguments", "deep-error", "huge-numbers"],
)
def test_hand_made_extremes(raw: bytes) -> None:
    events_or_typed_error([raw])


# -- the real client over loopback ------------------------------------------------------------


class Feed:
    """What the module's server answers: ``pieces`` (one write each) as ``content_type``."""

    def __init__(self) -> None:
        self.pieces: list[bytes] = []
        self.content_type = "text/event-stream"

    def __call__(self, request: Request) -> Reply:
        return Reply(200, iter(self.pieces), {"Content-Type": self.content_type})


@pytest.fixture(scope="module")
def wire() -> Iterator[tuple[LocalServer, Feed, VeniceChat]]:
    feed = Feed()
    server = LocalServer().start()
    server.respond(feed)
    chat = VeniceChat(
        CANARY, base_url=server.url + "/api/v1", catalog=load_bundle(), warn=lambda message: None
    )
    try:
        yield server, feed, chat
    finally:
        chat.close()
        server.stop()
    assert server.requests, "the client never reached the server"
    assert_valid_request(server.requests[0].json())


def through_client(
    wire: tuple[LocalServer, Feed, VeniceChat], pieces: list[bytes], content_type: str
) -> list[StreamEvent]:
    server, feed, chat = wire
    feed.pieces, feed.content_type = pieces, content_type
    context = Context(messages=[UserMessage("Hi")])
    events = list(chat.stream_sync(MODEL, context, StreamOptions(max_retries=0)))
    del server.requests[:-1]  # keep memory flat over hundreds of examples
    return events


@settings(FUZZ, max_examples=examples(150), suppress_health_check=list(HealthCheck))
@given(
    raw=any_stream,
    cuts=cuts,
    content_type=st.sampled_from(["text/event-stream"] * 3 + ["application/json"]),
)
def test_the_real_client_ends_with_done_or_a_typed_error(
    wire: tuple[LocalServer, Feed, VeniceChat], raw: bytes, cuts: list[int], content_type: str
) -> None:
    events = through_client(wire, split(raw, cuts), content_type)
    check_events(events)


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        (b"data: " + DEEP + b"\n\n", "text/event-stream"),
        (b'data: {"choices": [{"delta": {"content": ' + DEEP + b"}}]}\n\n", "text/event-stream"),
        (DEEP, "application/json"),
        (b'{"choices": [{"message": {"content": ' + DEEP + b"}}]}", "application/json"),
    ],
    ids=["sse-frame", "sse-content", "json-body", "json-message"],
)
def test_the_real_client_on_input_nested_past_the_parser(
    wire: tuple[LocalServer, Feed, VeniceChat], raw: bytes, content_type: str
) -> None:
    events = through_client(wire, [raw], content_type)
    assert events[-1].type == "error" and isinstance(events[-1].error, StreamFormatError)
    past_limits = r"(nests deeper than 32 levels|more than 100,000 objects and arrays); try again"
    assert re.search(past_limits, str(events[-1].error))  # refused by wire.limits, typed
