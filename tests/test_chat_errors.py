"""Errors carry their facts (issue 11, item 9): a timeout is its own kind of connection error,
every Venice error has the request id as an attribute, a Pro-only 401 says so, a 400's
per-field ``details`` are shown, and deprecation notices are told to every client once.

Error shapes are those of Venice's spec (``tests/data/venice-api/openapi-subset.json``):
``StandardError`` (``{"error": str}``), ``DetailedError`` (``error`` plus zod-formatted ``details``,
whose example is ``{"_errors": [], "field": {"_errors": ["Field is required"]}}``), and the 401
description "This model is only available to Pro users"."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from openclaw_venice import errors
from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.chat.options import StreamOptions
from openclaw_venice.runtime.ai import Context, StreamEvent, UserMessage
from openclaw_venice.wire.error_text import details_text
from tests.conftest import run_cli
from tests.support import faults, openapi, venice_wire
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request, json_reply

MODEL = "venice/llama-3.3-70b"
RAY = "9a8b7c6d5e4f-FRA"


def ask() -> Context:
    return Context(messages=[UserMessage("Hi")])


@pytest.fixture
def chat(server: LocalServer) -> Iterator[VeniceChat]:
    client = VeniceChat(
        CANARY, base_url=server.url + "/api/v1", catalog=load_bundle(), warn=lambda m: None
    )
    yield client
    client.close()


def streamed_error(chat: VeniceChat, **options: Any) -> errors.VeniceError:
    async def go() -> list[StreamEvent]:
        events = [e async for e in chat.stream(MODEL, ask(), StreamOptions(**options))]
        await chat.aclose()
        return events

    last = asyncio.run(go())[-1]
    assert last.type == "error" and isinstance(last.error, errors.VeniceError)
    return last.error


# -- timeouts ------------------------------------------------------------------------------------


def test_a_timeout_is_its_own_connection_error(server: LocalServer, chat: VeniceChat) -> None:
    assert issubclass(errors.VeniceTimeoutError, errors.VeniceConnectionError)
    server.respond(faults.headers_never_come())
    with pytest.raises(errors.VeniceTimeoutError, match=r"within 0\.5 s") as caught:
        chat.complete_sync(MODEL, ask(), StreamOptions(timeout=0.5, max_retries=0))
    assert caught.value.request_id is None  # Venice never answered: there is none


def test_a_stall_mid_stream_is_a_timeout_with_the_request_id(
    server: LocalServer, chat: VeniceChat
) -> None:
    hello = venice_wire.sse([venice_wire.chunk({"content": "Hel"})], done=False)
    server.respond(faults.body_stalls(hello, content_type="text/event-stream",
                                      headers={"CF-RAY": RAY}))  # fmt: skip
    error = streamed_error(chat, timeout=0.5)
    assert type(error) is errors.VeniceTimeoutError
    assert error.request_id == RAY and str(error).endswith(f"(request id {RAY})")


def test_refused_connections_are_not_timeouts() -> None:
    with faults.refused_url() as url:
        chat = VeniceChat(CANARY, base_url=url + "/api/v1", catalog=load_bundle())
        with pytest.raises(errors.VeniceConnectionError) as caught:
            chat.complete_sync(MODEL, ask(), StreamOptions(max_retries=0))
        chat.close()
    assert type(caught.value) is errors.VeniceConnectionError


# -- the request id --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "cls"),
    [
        (json_reply({"error": "nope"}, 403, {"CF-RAY": RAY}), errors.PermissionDeniedError),
        (json_reply({"error": "bad"}, 400, {"CF-RAY": RAY}), errors.BadRequestError),
        (
            venice_wire.stream_reply([{"error": {"message": "upstream died"}}], done=False,
                                     headers={"CF-RAY": RAY}),
            errors.InBandError,
        ),
        (
            venice_wire.stream_reply([venice_wire.chunk({"content": "cut"})], done=False,
                                     headers={"CF-RAY": RAY}),
            errors.StreamFormatError,
        ),
    ],
)  # fmt: skip
def test_every_error_after_an_answer_has_the_request_id_as_an_attribute(
    server: LocalServer, chat: VeniceChat, reply: Any, cls: type[errors.VeniceError]
) -> None:
    server.respond(lambda request: reply)
    error = streamed_error(chat)
    assert type(error) is cls
    assert error.request_id == RAY
    assert str(error).count(RAY) == 1  # named once in the message, not repeated


def test_request_id_is_an_attribute_of_every_venice_error() -> None:
    for cls in (errors.StreamFormatError, errors.VeniceConnectionError, errors.RequestRefused,
                errors.DiscoveryError, errors.VeniceTimeoutError, errors.ServerError):  # fmt: skip
        plain = cls("it broke")
        assert plain.request_id is None and "request id" not in str(plain)
        named = cls("it broke", request_id=RAY)
        assert named.request_id == RAY and str(named).endswith(f"(request id {RAY})")


# -- what Venice said ----------------------------------------------------------------------------


def test_a_pro_only_401_says_so_and_not_onboarding(server: LocalServer) -> None:
    def respond(request: Request) -> Reply:
        if request.path.endswith("/models"):
            return json_reply({"object": "list", "data": []}, 503)  # the bundle serves
        return json_reply({"error": "This model is only available to Pro users"}, 401)

    server.respond(respond)
    env = {"VENICE_API_KEY": CANARY, "VENICE_BASE_URL": server.url + "/api/v1"}
    result = run_cli("chat", "-m", "venice/llama-3.3-70b", "hi", env=env)
    assert result.code == 1, result.output
    line = result.stderr.strip().splitlines()[-1]
    assert "\n" not in line and "Traceback" not in line
    assert "only available to Pro users" in line and "upgrade to Venice Pro" in line
    assert "onboard" not in line


def test_a_plain_401_still_says_to_onboard(server: LocalServer, chat: VeniceChat) -> None:
    server.respond(lambda r: json_reply({"error": "Authentication failed"}, 401))
    with pytest.raises(errors.AuthenticationError, match="openclaw onboard"):
        chat.complete_sync(MODEL, ask())


def test_a_400_shows_its_per_field_details(server: LocalServer, chat: VeniceChat) -> None:
    details = {
        "_errors": [],
        "messages": {"_errors": [], "1": {"content": {"_errors": ["Required"]}}},
        "temperature": {"_errors": ["Number must be less than or equal to 2"]},
    }
    body = {"error": "Invalid request", "details": details}
    server.respond(lambda r: json_reply(body, 400, {"CF-RAY": RAY}))
    with pytest.raises(errors.BadRequestError) as caught:
        chat.complete_sync(MODEL, ask())
    text = str(caught.value)
    assert text.startswith(
        "Venice 400: Invalid request (messages.1.content: Required; "
        "temperature: Number must be less than or equal to 2); "
    )
    assert caught.value.details == details and caught.value.request_id == RAY


def test_the_specs_detailed_error_example_reads_as_a_field_and_its_complaint() -> None:
    error = openapi.spec()["components"]["schemas"]["DetailedError"]
    example = error["properties"]["details"]["example"]
    assert details_text(example) == "field: Field is required"


@pytest.mark.parametrize(
    ("details", "text"),
    [
        ({"formErrors": [], "fieldErrors": {"model": ["Invalid model"]}}, "model: Invalid model"),
        ({"_errors": ["Unrecognized key: 'foo'"]}, "Unrecognized key: 'foo'"),
        ([], ""),
        (None, ""),
        ({"a": {"_errors": [1, None]}}, ""),
    ],
)
def test_details_shapes(details: Any, text: str) -> None:
    assert details_text(details) == text


def test_details_stay_one_bounded_line() -> None:
    many = {f"field{i}": {"_errors": ["x" * 80 + "\nsecond line"]} for i in range(50)}
    text = details_text(many)
    assert "\n" not in text and len(text) <= 300


# -- deprecation notices ---------------------------------------------------------------------------


def test_deprecation_notices_are_per_client(server: LocalServer) -> None:
    headers = {"x-venice-model-deprecation-warning": "llama-3.3-70b retires soon"}
    server.respond(lambda r: venice_wire.stream_reply(venice_wire.text_stream(), headers=headers))
    told: list[list[str]] = [[], []]
    for warnings in told:
        client = VeniceChat(
            CANARY, base_url=server.url + "/api/v1", catalog=load_bundle(), warn=warnings.append
        )
        for _ in range(2):
            client.complete_sync(MODEL, ask())
        client.close()
    expected = ["venice/llama-3.3-70b: llama-3.3-70b retires soon"]
    assert told == [expected, expected]  # the second client is told too, each once
    assert json.dumps(told).count("retires") == 2
