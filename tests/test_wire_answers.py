"""Answers that fit the byte caps but not in memory, or not in a number, or not in Python's
stack (issue 22, item 2), each served by a hostile loopback server.

- 14 KB of gzip holding ``[{},...]`` (15 MB inside) made ``openclaw image`` peak at 749 MB on
  main before this (119 KB reached 3.2 GB): JSON is now counted before it is parsed.
- 100,000 streamed tool calls peaked at 85 MB (300,000 at 602 MB): an answer holds at most
  128 tool calls and 1,024 parts.
- A 401-digit integer in a usage, balance or embeddings answer was "OverflowError (a bug)":
  now a one-line typed error.
- Embedding vectors are checked against the request: the dimensions asked for, or one
  length for all.
- JSON nested 100,000 deep, wherever an answer is parsed (chat, discovery, capabilities,
  error bodies, tool arguments, the enclave's attestation), ends in a typed error or a
  failed check, never ``RecursionError``.
"""

from __future__ import annotations

import gzip
import re
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from openclaw_venice import errors
from openclaw_venice.capabilities import VeniceCapabilities
from openclaw_venice.chat.assemble import MAX_TOOL_CALLS
from openclaw_venice.provider import VeniceProvider
from openclaw_venice.runtime.plugins import ImageRequest, ProviderContext
from tests.conftest import run_cli
from tests.support import venice_wire
from tests.support.fake_enclave import FakeEnclave, e2ee_turn
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request, json_reply
from tests.support.venice_calls import CAPABILITIES, chat_turn, context, key, outcome

pytest_plugins = ("tests.support.enclave_fixtures",)  # pki, enclave

MiB = 2**20
RAY = {"CF-RAY": "hostile-1"}
DEEP = "[" * 100_000 + "]" * 100_000
HUGE = int("9" * 401)
NUMBER_REFUSED = (
    "Venice's answer holds a number too large to be one Venice sends (over 40 digits); "
    "try again (request id hostile-1)"
)


def peak_of(call: Callable[[], Any]) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# -- memory: bytes are not memory -----------------------------------------------------------------


def test_an_image_answer_of_empty_objects_is_refused_before_it_fills_memory(
    server: LocalServer, tmp_path: Path
) -> None:
    inside = b"[" + b"{}," * (5 * 10**6) + b"{}]"  # 15 MB: 5 million dicts, 750 MB parsed
    packed = gzip.compress(inside, 9)
    assert len(packed) < 20_000
    server.respond(lambda request: Reply(200, packed, {
        "Content-Type": "application/json", "Content-Encoding": "gzip", **RAY}))  # fmt: skip
    call = VeniceCapabilities().generate_images(context(server, tmp_path), key(), ImageRequest("a"))
    result, peak = peak_of(lambda: outcome(call))
    assert isinstance(result, errors.StreamFormatError)
    assert str(result) == (
        "Venice's answer holds more than 256 objects and arrays; try again (request id hostile-1)"
    )
    assert peak < 5 * len(inside), f"peak {peak / MiB:.0f} MB for a {len(inside) / MiB:.0f} MB body"


def tool_calls(count: int) -> Iterator[bytes]:
    """A stream of ``count`` tool calls, a thousand chunks a write."""
    yield venice_wire.sse([venice_wire.chunk({"role": "assistant", "content": None})], done=False)
    for start in range(0, count, 1000):
        yield venice_wire.sse([
            venice_wire.chunk({"tool_calls": [{"index": i, "id": f"call_{i}", "type": "function",
                                               "function": {"name": "f", "arguments": "{}"}}]})
            for i in range(start, min(count, start + 1000))
        ], done=False)  # fmt: skip
    yield venice_wire.sse([venice_wire.chunk({}, "tool_calls")])


def test_a_stream_of_100_000_tool_calls_stops_at_the_128th(server: LocalServer) -> None:
    server.respond(lambda request: Reply(200, tool_calls(100_000), venice_wire.HEADERS))
    last, peak = peak_of(lambda: chat_turn(server, stream=True, timeout=30))
    assert last.type == "error" and isinstance(last.error, errors.StreamFormatError)
    assert str(last.error) == (
        f"Venice's answer holds more than {MAX_TOOL_CALLS} tool calls; refusing it (try again) "
        "(request id 8f1e2d3c4b5a-AMS)"
    )
    assert len(last.message.content) == MAX_TOOL_CALLS  # what came before the refusal
    assert peak < 24 * MiB, f"peak {peak / MiB:.0f} MB"  # 85 MB on main before this


def test_a_complete_answer_with_too_many_tool_calls_is_refused(server: LocalServer) -> None:
    calls = [{"id": f"call_{i}", "type": "function", "function": {"name": "f", "arguments": "{}"}}
             for i in range(MAX_TOOL_CALLS + 1)]  # fmt: skip
    answer = venice_wire.completion("")
    answer["choices"][0]["message"]["tool_calls"] = calls
    server.respond(lambda request: json_reply(answer, headers=RAY))
    result = chat_turn(server, stream=False, timeout=30)
    assert isinstance(result, errors.StreamFormatError)
    assert f"more than {MAX_TOOL_CALLS} tool calls" in str(result)


def test_128_tool_calls_are_an_answer(server: LocalServer) -> None:
    server.respond(lambda request: Reply(200, tool_calls(MAX_TOOL_CALLS), venice_wire.HEADERS))
    last = chat_turn(server, stream=True, timeout=30)
    assert last.type == "done" and len(last.message.tool_calls) == MAX_TOOL_CALLS


# -- numbers ------------------------------------------------------------------------------------

USAGE_ROW = {"modelName": "GLM 5.1", "unitType": "tokens", "totalUsd": HUGE}
NUMBERS: dict[str, tuple[Callable[[ProviderContext, Any], Awaitable[Any]], Any]] = {
    "usage": (lambda ctx, k: VeniceCapabilities().usage(ctx, k, 7),
              {"lookback": "7d", "byModel": [USAGE_ROW]}),
    "balance (models status)": (lambda ctx, k: VeniceCapabilities().balance(ctx, k),
                                {"balances": {"usd": HUGE, "diem": 1}}),
    "embeddings": (lambda ctx, k: VeniceCapabilities().embed(ctx, k, ["a"]),
                   {"data": [{"index": 0, "embedding": [HUGE, 0.5], "object": "embedding"}]}),
}  # fmt: skip


@pytest.mark.parametrize("name", NUMBERS)
def test_a_401_digit_number_is_a_typed_error(
    name: str, server: LocalServer, tmp_path: Path
) -> None:
    call, answer = NUMBERS[name]
    server.respond(lambda request: json_reply(answer, headers=RAY))
    result = outcome(call(context(server, tmp_path), key()))
    assert isinstance(result, errors.StreamFormatError)
    assert str(result) == NUMBER_REFUSED


def test_openclaw_usage_says_so_on_one_line(server: LocalServer) -> None:
    server.respond(lambda request: json_reply({"lookback": "7d", "byModel": [USAGE_ROW]},
                                              headers=RAY))  # fmt: skip
    env = {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}
    result = run_cli("usage", "--days", "7", env=env)
    assert result.code != 0
    assert result.stderr == f"Error: {NUMBER_REFUSED}\n"  # not "OverflowError (a bug)"


# -- embedding vectors against the request -------------------------------------------------------


def vectors_reply(lengths: list[int]) -> Callable[[Request], Reply]:
    """An embeddings answer with vectors of these lengths, encoded now: a test measuring the
    client's memory does not trace the server's encoding (1M floats took 8 s of CPU there)."""
    data = [{"index": i, "embedding": [0.5] * n, "object": "embedding"}
            for i, n in enumerate(lengths)]  # fmt: skip
    reply = json_reply({"data": data, "usage": {}}, headers=RAY)
    return lambda request: reply


@pytest.mark.parametrize(
    ("lengths", "dimensions", "says"),
    [
        ([3, 3], 4, "vectors of 3 numbers, not the 4 asked for"),
        ([3, 4], None, "vectors of 3, 4 numbers, not one length of at most 8192"),
        ([8200], None, "vectors of 8200 numbers, not one length of at most 8192"),
    ],
    ids=["not the dimensions asked for", "two lengths", "longer than any model's"],
)
def test_embedding_vectors_are_checked_against_the_request(
    server: LocalServer, tmp_path: Path, lengths: list[int], dimensions: int | None, says: str
) -> None:
    server.respond(vectors_reply(lengths))
    texts = ["a"] * len(lengths)
    result = outcome(VeniceCapabilities().embed(context(server, tmp_path), key(), texts,
                                                 dimensions=dimensions))  # fmt: skip
    assert isinstance(result, errors.StreamFormatError)
    assert str(result) == f"Venice's embeddings answer has {says}; try again (request id hostile-1)"


def test_vectors_of_the_length_asked_for_are_the_answer(
    server: LocalServer, tmp_path: Path
) -> None:
    server.respond(vectors_reply([4, 4]))
    result = outcome(VeniceCapabilities().embed(context(server, tmp_path), key(), ["a", "b"],
                                                 dimensions=4))  # fmt: skip
    assert result.vectors == ((0.5,) * 4, (0.5,) * 4)


def test_an_embeddings_answer_past_its_batch_is_refused_unparsed(
    server: LocalServer, tmp_path: Path
) -> None:
    """One text asked for, 4 dimensions: room for 276 values (4, and a few fields), not a
    million."""
    server.respond(vectors_reply([1_000_000]))
    call = lambda: outcome(VeniceCapabilities().embed(  # noqa: E731
        context(server, tmp_path), key(), ["a"], dimensions=4))  # fmt: skip
    call()  # the path's first-time imports (modules, regexes) are not what is measured
    result, peak = peak_of(call)
    assert isinstance(result, errors.StreamFormatError)
    assert "holds more than 276 values" in str(result)
    assert peak < 24 * MiB, f"peak {peak / MiB:.0f} MB"  # the 5 MB body, not 1M floats


# -- nesting ------------------------------------------------------------------------------------

NESTED = r"nests deeper than 32 levels|holds more than [\d,]+ objects and arrays"  # per call


def nested_sse(request: Request) -> Reply:
    return Reply(200, [b"data: " + DEEP.encode() + b"\n\n"], venice_wire.HEADERS)


@pytest.mark.parametrize("stream", [True, False], ids=["streamed", "complete"])
def test_a_nested_chat_answer_is_a_typed_error(server: LocalServer, stream: bool) -> None:
    server.respond(nested_sse if stream else lambda r: Reply(200, DEEP.encode(), {
        "Content-Type": "application/json", **RAY}))  # fmt: skip
    result = chat_turn(server, stream, timeout=30)
    error = result.error if stream else result
    assert isinstance(error, errors.StreamFormatError), repr(result)
    assert re.search(NESTED, str(error))


@pytest.mark.parametrize("name", CAPABILITIES)
def test_a_nested_capability_answer_is_a_typed_error(
    name: str, server: LocalServer, tmp_path: Path
) -> None:
    server.respond(lambda request: Reply(200, DEEP.encode(), {
        "Content-Type": "application/json", **RAY}))  # fmt: skip
    result = outcome(CAPABILITIES[name](context(server, tmp_path), key()))
    assert isinstance(result, errors.StreamFormatError), repr(result)
    assert re.search(NESTED, str(result))


@pytest.mark.parametrize("name", CAPABILITIES)
def test_a_nested_error_body_says_its_status(
    name: str, server: LocalServer, tmp_path: Path
) -> None:
    body = b'{"error": ' + b"[" * 30_000 + b"]" * 30_000 + b"}"  # within the 64 KB read
    server.respond(lambda request: Reply(400, body, {"Content-Type": "application/json", **RAY}))
    result = outcome(CAPABILITIES[name](context(server, tmp_path), key()))
    assert isinstance(result, errors.BadRequestError), repr(result)
    assert str(result).startswith("Venice 400: HTTP 400; ")


def test_a_nested_models_list_falls_back_to_the_bundle(server: LocalServer, tmp_path: Path) -> None:
    server.respond(lambda request: Reply(200, DEEP.encode(), {
        "Content-Type": "application/json", **RAY}))  # fmt: skip
    warnings: list[str] = []
    ctx = ProviderContext(config={"baseUrl": server.url}, env={}, cache_dir=tmp_path,
                          warn=warnings.append)  # fmt: skip
    assert VeniceProvider().catalog(ctx).source == "bundled"
    assert len(warnings) == 1 and re.search(NESTED, warnings[0])


def test_nested_tool_arguments_are_kept_as_text_not_raised(server: LocalServer) -> None:
    arguments = '{"a": ' + "[" * 5000 + "]" * 5000 + "}"  # parses in C, past 32 levels
    chunks = [
        venice_wire.chunk({"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                                           "function": {"name": "f", "arguments": arguments}}]}),
        venice_wire.chunk({}, "tool_calls"),
    ]  # fmt: skip
    server.respond(lambda request: venice_wire.stream_reply(chunks))
    last = chat_turn(server, stream=True, timeout=30)
    assert last.type == "done"
    (call,) = last.message.tool_calls
    assert call.raw_arguments == arguments  # the model's words, for the caller to judge


@pytest.mark.parametrize(
    "where",
    ["nvidia_payload", "tcb_info"],
)
def test_a_nested_attestation_fails_its_check_and_nothing_is_sent(
    server: LocalServer, enclave: FakeEnclave, pki: Any, where: str
) -> None:
    def nest(doc: dict[str, Any]) -> None:
        if where == "nvidia_payload":
            doc["nvidia_payload"] = DEEP
        else:
            doc["info"]["tcb_info"] = DEEP

    enclave.mutate = nest
    events, _ = e2ee_turn(server, pki, enclave)
    assert [e.type for e in events] == ["error"]
    assert isinstance(events[0].error, errors.AttestationError), repr(events[0].error)
    assert "nothing was sent" in str(events[0].error)
    assert not [r for r in server.requests if r.path.endswith("/chat/completions")]


def test_a_nested_attestation_document_is_a_failed_report() -> None:
    from openclaw_venice.tee import verify_attestation

    report = verify_attestation(DEEP.encode(), nonce=b"\0" * 32, model="e2ee-x", collateral=None)
    assert not report.passed
    assert {"model", "nonce", "quote_format"} <= {c.name for c in report.failures()}

