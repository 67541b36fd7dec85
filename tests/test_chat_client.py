"""VeniceChat against a real HTTP server on 127.0.0.1 speaking Venice's wire format."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from openclaw_venice import errors
from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.chat.options import StreamOptions, VeniceOptions
from openclaw_venice.chat.request import prompt_cache_key
from openclaw_venice.runtime.ai import (
    Context,
    ImagePart,
    StreamEvent,
    TextPart,
    Tool,
    ToolResultMessage,
    UserMessage,
)
from openclaw_venice.runtime.catalog import Deprecation
from tests.support import faults, venice_wire
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request, json_reply

MODEL = "venice/llama-3.3-70b"
PIXEL = (  # a 1x1 PNG
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
WEATHER = Tool(
    "get_weather",
    "Weather for a city",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)


@pytest.fixture
def chat(server: LocalServer) -> Iterator[VeniceChat]:
    warnings: list[str] = []
    client = VeniceChat(
        CANARY, base_url=server.url + "/api/v1", catalog=load_bundle(), warn=warnings.append
    )
    client.warnings = warnings  # type: ignore[attr-defined]
    yield client
    client.close()


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def collect(chat: VeniceChat, context: Context, **kw: Any) -> list[StreamEvent]:
    events = [e async for e in chat.stream(kw.pop("model", MODEL), context, StreamOptions(**kw))]
    await chat.aclose()
    return events


def ask(text: str = "Hi") -> Context:
    return Context(system_prompt="You are terse.", messages=[UserMessage(text)])


def chat_bodies(server: LocalServer) -> list[dict[str, Any]]:
    return [r.json() for r in server.requests if r.path.endswith("/chat/completions")]


# -- plain turns -------------------------------------------------------------------------------


def test_text_stream_events_message_and_metadata(server: LocalServer, chat: VeniceChat) -> None:
    server.respond(lambda r: venice_wire.stream_reply(venice_wire.text_stream("Hello there!")))
    events = run(collect(chat, ask(), session_id="s-1"))
    kinds = [e.type for e in events]
    assert kinds[0] == "start" and kinds[-1] == "done"
    assert kinds[1] == "text_start" and "text_end" in kinds
    assert "".join(e.delta for e in events if e.type == "text_delta") == "Hello there!"
    message = events[-1].message
    assert message is not None and message.text == "Hello there!"
    assert message.stop_reason == "stop"
    assert (message.usage.input, message.usage.output) == (12, 5)
    assert message.usage.cost == pytest.approx(0.00042)
    assert message.meta["requestId"] == "8f1e2d3c4b5a-AMS"
    assert message.meta["balanceUsd"] == 12.5
    assert message.meta["rateLimitRemainingRequests"] == 499
    body = chat_bodies(server)[0]
    assert body["model"] == "llama-3.3-70b" and body["stream"] is True
    assert body["prompt_cache_key"] == prompt_cache_key("s-1")
    assert "stream_options" not in body
    assert body["venice_parameters"]["include_venice_system_prompt"] is False
    assert body["messages"][0] == {"role": "system", "content": "You are terse."}


def test_headers_carry_the_key_and_no_fingerprint(server: LocalServer, chat: VeniceChat) -> None:
    server.respond(lambda r: venice_wire.stream_reply(venice_wire.text_stream()))
    run(collect(chat, ask()))
    headers = server.requests[0].headers
    assert headers["authorization"] == f"Bearer {CANARY}"
    assert headers["user-agent"].startswith("openclaw-venice/")
    assert not [h for h in headers if h.startswith(("x-stainless", "x-openai"))]
    fingerprint = ("linux", "darwin", "windows", "x86", "arm64", "cpython", "python/")
    assert not any(word in " ".join(headers.values()).lower() for word in fingerprint)


def test_complete_without_streaming(server: LocalServer, chat: VeniceChat) -> None:
    answer = venice_wire.completion("Bonjour", reasoning="think first")
    server.respond(lambda r: json_reply(answer, headers={"CF-RAY": "ray-2"}))
    message = chat.complete_sync(MODEL, ask(), stream=False)
    assert message.text == "Bonjour" and message.thinking == "think first"
    assert message.meta["requestId"] == "ray-2"
    assert "stream" not in chat_bodies(server)[0]


def test_sync_stream_wrapper_and_reasoning(server: LocalServer, chat: VeniceChat) -> None:
    chunks = [
        venice_wire.chunk({"reasoning_content": "Let me "}),
        venice_wire.chunk({"reasoning_content": "think."}),
        venice_wire.chunk({"content": "42"}),
        venice_wire.chunk({}, "stop"),
        venice_wire.usage_chunk(),
    ]
    server.respond(lambda r: venice_wire.stream_reply(chunks))
    events = list(chat.stream_sync("venice/qwen3-235b-a22b-thinking-2507", ask()))
    assert next(e.type for e in events if e.type.startswith("thinking")) == "thinking_start"
    done = events[-1].message
    assert done is not None and (done.thinking, done.text) == ("Let me think.", "42")


# -- tools, images, structured output ----------------------------------------------------------


def test_tool_round_trip_with_two_parallel_calls(server: LocalServer, chat: VeniceChat) -> None:
    server.respond(lambda r: venice_wire.stream_reply(venice_wire.tool_stream()))
    context = Context("Use tools.", [UserMessage("Weather in Paris, and the time?")], [WEATHER])
    first = chat.complete_sync(MODEL, context)
    assert first.stop_reason == "toolUse"
    calls = first.tool_calls
    assert [(c.id, c.name, c.arguments) for c in calls] == [
        ("call_a", "get_weather", {"city": "Paris"}),
        ("call_b", "get_time", {"tz": "CET"}),
    ]
    context.messages += [
        first,
        ToolResultMessage("call_a", "get_weather", "18 C, cloudy"),
        ToolResultMessage("call_b", "get_time", "no clock here", is_error=True),
    ]
    server.respond(lambda r: venice_wire.stream_reply(venice_wire.text_stream("18 C.")))
    assert chat.complete_sync(MODEL, context).text == "18 C."
    replay = chat_bodies(server)[1]["messages"]
    assert [m["role"] for m in replay] == ["system", "user", "assistant", "tool", "tool"]
    assert [c["id"] for c in replay[2]["tool_calls"]] == ["call_a", "call_b"]
    assert json.loads(replay[2]["tool_calls"][0]["function"]["arguments"]) == {"city": "Paris"}
    assert replay[3]["tool_call_id"] == "call_a"
    assert chat_bodies(server)[0]["tools"][0]["function"]["name"] == "get_weather"


def test_image_goes_to_a_vision_model_as_a_data_url(server: LocalServer, chat: VeniceChat) -> None:
    server.respond(lambda r: venice_wire.stream_reply(venice_wire.text_stream("A pixel.")))
    context = Context(messages=[UserMessage([TextPart("What is it?"), ImagePart(PIXEL)])])
    assert chat.complete_sync("venice/mistral-31-24b", context).text == "A pixel."
    content = chat_bodies(server)[0]["messages"][0]["content"]
    assert content[1]["image_url"]["url"] == f"data:image/png;base64,{PIXEL}"


def test_image_to_a_text_model_is_refused_before_sending(
    server: LocalServer, chat: VeniceChat
) -> None:
    context = Context(messages=[UserMessage([TextPart("What is it?"), ImagePart(PIXEL)])])
    with pytest.raises(errors.RequestRefused, match=r"does not accept images.*venice/"):
        chat.complete_sync("venice/llama-3.2-3b", context)
    assert server.requests == []


def test_json_schema_and_venice_switches(server: LocalServer, chat: VeniceChat) -> None:
    server.respond(lambda r: venice_wire.stream_reply(venice_wire.text_stream('{"a": 1}')))
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
    switches = VeniceOptions(web_search="auto", web_citations=True, character="alan-watts")
    options = StreamOptions(response_schema=schema, venice=switches)
    message = chat.complete_sync(MODEL, ask(), options)
    assert json.loads(message.text) == {"a": 1}
    body = chat_bodies(server)[0]
    assert body["response_format"]["json_schema"]["schema"] == schema
    params = body["venice_parameters"]
    assert params["enable_web_search"] == "auto" and params["enable_web_citations"] is True
    assert params["character_slug"] == "alan-watts"


def test_model_suffix_is_sent_as_written(server: LocalServer, chat: VeniceChat) -> None:
    server.respond(lambda r: venice_wire.stream_reply(venice_wire.text_stream()))
    chat.complete_sync("venice/llama-3.3-70b:enable_web_search=on", ask())
    assert chat_bodies(server)[0]["model"] == "llama-3.3-70b:enable_web_search=on"


def test_renamed_seed_id_resolves_with_a_notice(server: LocalServer, chat: VeniceChat) -> None:
    server.respond(lambda r: venice_wire.stream_reply(venice_wire.text_stream()))
    chat.complete_sync("venice/claude-opus-45", ask())
    assert chat_bodies(server)[0]["model"] == "claude-opus-4-5"
    assert any("claude-opus-4-5" in w for w in chat.warnings)  # type: ignore[attr-defined]


# -- errors and retries ------------------------------------------------------------------------

NEVER_RETRIED = {
    400: errors.BadRequestError,
    401: errors.AuthenticationError,
    402: errors.InsufficientBalanceError,
    403: errors.PermissionDeniedError,
    404: errors.ModelNotFoundError,
    413: errors.PayloadTooLargeError,
    422: errors.BadRequestError,
}
RETRIED = {429: errors.RateLimitError, 500: errors.ServerError, 502: errors.ServerError,
           503: errors.ServerError, 504: errors.ServerError}  # fmt: skip
ADVICE = {401: "openclaw onboard", 402: "https://venice.ai/settings/api", 404: "models list"}


@pytest.mark.parametrize("status", sorted(NEVER_RETRIED))
def test_error_status_is_typed_and_not_retried(
    server: LocalServer, chat: VeniceChat, status: int
) -> None:
    body = {"error": {"message": "nope", "code": "E1"}}
    server.respond(lambda r: json_reply(body, status, {"CF-RAY": "ray-err"}))
    with pytest.raises(NEVER_RETRIED[status]) as caught:
        chat.complete_sync(MODEL, ask())
    text = str(caught.value)
    assert "nope (E1)" in text and "ray-err" in text and "\n" not in text
    assert ADVICE.get(status, "") in text
    assert len(server.requests) == 1


@pytest.mark.parametrize("status", sorted(RETRIED))
def test_retried_statuses_give_up_after_two_retries(
    server: LocalServer, chat: VeniceChat, status: int
) -> None:
    server.respond(faults.status(status, b'{"error": "busy"}', {"Retry-After": "0"}))
    with pytest.raises(RETRIED[status], match="busy"):
        chat.complete_sync(MODEL, ask())
    assert len(server.requests) == 3


def test_retry_after_is_honoured_then_success(server: LocalServer, chat: VeniceChat) -> None:
    answers = iter([Reply(429, b'{"error": "slow down"}', {"Retry-After": "1"})])

    def respond(request: Request) -> Reply:
        return next(answers, None) or venice_wire.stream_reply(venice_wire.text_stream("ok"))

    server.respond(respond)
    started = time.monotonic()
    assert chat.complete_sync(MODEL, ask()).text == "ok"
    assert time.monotonic() - started >= 0.95 and len(server.requests) == 2


def test_long_retry_after_is_reported_not_slept(server: LocalServer, chat: VeniceChat) -> None:
    server.respond(faults.status(429, b'{"error": "quota"}', {"Retry-After": "120"}))
    with pytest.raises(errors.RateLimitError, match="wait 120 s") as caught:
        chat.complete_sync(MODEL, ask())
    assert caught.value.retry_after == 120 and len(server.requests) == 1


def test_404_names_the_replacement(server: LocalServer, chat: VeniceChat) -> None:
    base = load_bundle().find("llama-3.3-70b")
    assert base is not None
    deprecated = base._replace(deprecation=Deprecation("2026-12-01T00:00:00.000Z", "deepseek-v3.2"))
    server.respond(lambda r: json_reply({"error": "model not found"}, 404))
    with pytest.raises(errors.ModelNotFoundError, match=r"replacement venice/deepseek-v3\.2"):
        chat.complete_sync(deprecated, ask())


def test_in_band_error_ends_the_stream(server: LocalServer, chat: VeniceChat) -> None:
    chunks = [venice_wire.chunk({"content": "Par"}), {"error": {"message": "upstream died"}}]
    server.respond(lambda r: venice_wire.stream_reply(chunks, done=False))
    events = run(collect(chat, ask()))
    assert events[-1].type == "error" and isinstance(events[-1].error, errors.InBandError)
    assert "upstream died" in str(events[-1].error)
    assert events[-1].message is not None and events[-1].message.stop_reason == "error"
    assert len(server.requests) == 1


def test_stream_cut_midway_is_an_error_and_not_retried(
    server: LocalServer, chat: VeniceChat
) -> None:
    first = venice_wire.sse([venice_wire.chunk({"content": "Hel"})], done=False)
    server.respond(faults.reset_mid_stream(first))
    events = run(collect(chat, ask()))
    assert "text_delta" in [e.type for e in events]
    assert events[-1].type == "error"
    assert isinstance(events[-1].error, errors.StreamFormatError)
    assert len(server.requests) == 1


def test_slow_first_byte_times_out(server: LocalServer, chat: VeniceChat) -> None:
    server.respond(faults.headers_never_come())
    started = time.monotonic()
    with pytest.raises(errors.VeniceConnectionError, match=r"within 0\.5 s"):
        chat.complete_sync(MODEL, ask(), StreamOptions(timeout=0.5))
    assert len(server.requests) == 1  # a timeout is not retried
    assert time.monotonic() - started < 3  # not the default timeout; slack for a loaded machine


def test_connection_refused_is_retried_then_reported() -> None:
    chat = VeniceChat(CANARY, base_url="http://127.0.0.1:9/api/v1", catalog=load_bundle())
    with pytest.raises(errors.VeniceConnectionError, match=r"could not reach Venice.*3 attempts"):
        chat.complete_sync(MODEL, ask())
    chat.close()


def test_cancellation_closes_the_http_stream(server: LocalServer, chat: VeniceChat) -> None:
    closed = threading.Event()

    def endless(request: Request) -> None:
        handler = request.handler
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.end_headers()
        try:
            for _ in range(2000):
                handler.wfile.write(venice_wire.sse([venice_wire.chunk({"content": "x"})], False))
                handler.wfile.flush()
                time.sleep(0.01)
        except OSError:
            closed.set()

    server.respond(endless)

    async def two_deltas() -> None:
        seen = 0
        async for event in chat.stream(MODEL, ask()):
            seen += event.type == "text_delta"
            if seen == 2:
                break
        await chat.aclose()

    run(two_deltas())
    assert closed.wait(5), "the server kept streaming to a cancelled turn"


# -- keys and warnings -------------------------------------------------------------------------


def test_key_goes_only_to_https_or_loopback() -> None:
    with pytest.raises(errors.RequestRefused, match="https") as caught:
        VeniceChat(CANARY, base_url="http://api.example.com/api/v1", catalog=load_bundle())
    assert CANARY not in str(caught.value)
    VeniceChat(CANARY, base_url="https://api.example.com/api/v1", catalog=load_bundle())
    VeniceChat(CANARY, base_url="http://[::1]:8080/api/v1", catalog=load_bundle())


def test_missing_key_names_the_variable() -> None:
    with pytest.raises(errors.SecretError, match="VENICE_API_KEY"):
        VeniceChat(env={})


def test_key_is_not_in_reprs(chat: VeniceChat) -> None:
    assert CANARY not in repr(chat) and CANARY not in repr(chat.__dict__)


def test_deprecation_warning_is_shown_once(server: LocalServer, chat: VeniceChat) -> None:
    headers = {"x-venice-model-deprecation-warning": "qwen3-4b retires soon",
               "x-venice-model-deprecation-date": "2026-12-01"}  # fmt: skip
    server.respond(lambda r: venice_wire.stream_reply(venice_wire.text_stream(), headers=headers))
    model = load_bundle().find("llama-3.2-3b")
    assert model is not None
    for _ in range(3):
        message = chat.complete_sync(model, ask())
    assert message.meta["deprecationDate"] == "2026-12-01"
    shown = [w for w in chat.warnings if "retires soon" in w]  # type: ignore[attr-defined]
    assert len(shown) == 1
