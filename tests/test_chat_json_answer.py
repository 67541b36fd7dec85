"""A stream request answered with one JSON body (issue 11, item 3): a proxy in between may
buffer the stream into a ``chat.completion``. The turn is the same: the same part events,
the same final message, and ``openclaw chat`` prints the answer."""

from __future__ import annotations

import asyncio
from typing import Any

from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.runtime.ai import Context, StreamEvent, ToolCallPart, UserMessage
from tests.conftest import run_cli
from tests.support import venice_wire
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request, json_reply
from tests.support.terminal import Terminal

MODEL = "venice/llama-3.3-70b"
CALL = {"id": "call_w", "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}  # fmt: skip
JSON_HEADERS = {"CF-RAY": "7d6c5b4a-CDG", "Content-Type": "application/json"}


def answer() -> dict[str, Any]:
    return venice_wire.completion(
        "Checking the weather.", [CALL], "tool_calls", reasoning="The user wants weather."
    )


def the_same_answer_streamed() -> list[dict[str, Any]]:
    return [
        venice_wire.chunk({"role": "assistant", "reasoning_content": "The user wants weather."}),
        venice_wire.chunk({"content": "Checking the weather."}),
        venice_wire.chunk({"tool_calls": [{"index": 0, **CALL}]}),
        venice_wire.chunk({}, "tool_calls"),
        venice_wire.usage_chunk(),
    ]


def events_of(server: LocalServer) -> list[StreamEvent]:
    async def go() -> list[StreamEvent]:
        chat = VeniceChat(CANARY, base_url=server.url + "/api/v1", catalog=load_bundle())
        context = Context(messages=[UserMessage("Weather in Paris?")])
        events = [e async for e in chat.stream(MODEL, context)]
        await chat.aclose()
        return events

    return asyncio.run(go())


def test_a_json_answer_to_a_stream_request_gives_the_stream_events(server: LocalServer) -> None:
    server.respond(lambda r: json_reply(answer(), headers=JSON_HEADERS))
    from_json = events_of(server)
    assert server.requests[0].json()["stream"] is True  # a stream was asked for
    server.respond(lambda r: venice_wire.stream_reply(the_same_answer_streamed()))
    streamed = events_of(server)

    def parts(events: list[StreamEvent]) -> list[tuple[Any, ...]]:
        return [(e.type, e.index, e.delta, e.part) for e in events[1:-1]]

    assert parts(from_json) == parts(streamed)
    assert [e.type for e in from_json] == [
        "start",
        "thinking_start", "thinking_delta", "thinking_end",
        "text_start", "text_delta", "text_end",
        "toolcall_start", "toolcall_delta", "toolcall_end",
        "done",
    ]  # fmt: skip
    assert from_json[0].message is not None and from_json[0].message.content == []
    done, expected = from_json[-1].message, streamed[-1].message
    assert done is not None and expected is not None
    assert done.content == expected.content and done.usage == expected.usage
    assert done.stop_reason == "toolUse"
    assert done.tool_calls == [
        ToolCallPart("call_w", "get_weather", {"city": "Paris"}, '{"city": "Paris"}')
    ]
    assert done.meta["requestId"] == "7d6c5b4a-CDG"


def test_an_error_body_with_status_200_ends_the_turn_with_an_error(server: LocalServer) -> None:
    server.respond(
        lambda r: json_reply({"error": {"message": "upstream died"}}, headers=JSON_HEADERS)
    )
    events = events_of(server)
    assert [e.type for e in events] == ["start", "error"]
    assert "upstream died" in str(events[-1].error)


def cli_env(server: LocalServer, chat: Reply) -> dict[str, str]:
    def respond(request: Request) -> Reply:
        if request.path.endswith("/models"):
            return json_reply({"object": "list", "data": []}, 503)  # the bundle serves
        return chat

    server.respond(respond)
    return {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}


def test_openclaw_chat_prints_a_json_answer(server: LocalServer) -> None:
    reply = venice_wire.completion("Bonjour!", reasoning="French, then.")
    env = cli_env(server, json_reply(reply, headers=JSON_HEADERS))
    result = run_cli("chat", "-m", MODEL, "--show-thinking", "Say hello in French", env=env)
    assert result.code == 0, result.output
    assert result.stdout == "Bonjour!\n"
    assert "French, then." in result.stderr
    assert [r.json()["stream"] for r in server.requests if r.path.endswith("/completions")] == [
        True
    ]


def test_a_terminal_session_shows_json_answers_and_keeps_them_in_history(
    server: LocalServer,
) -> None:
    answers = iter(["First answer.", "Second answer."])
    server.respond(
        lambda r: (
            json_reply({"object": "list", "data": []}, 503)  # the bundle serves
            if r.path.endswith("/models")
            else json_reply(venice_wire.completion(next(answers)), headers=JSON_HEADERS)
        )
    )
    env = {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}
    with Terminal("chat", "-m", MODEL, env=env) as term:
        term.read_until(b"> ")
        term.type("one\n")
        term.read_until(b"First answer.")
        term.type("two\n")
        term.read_until(b"Second answer.")
        term.type("/exit\n")
        assert term.wait() == 0
    assert CANARY.encode() not in term.seen
    chats = [r.json() for r in server.requests if r.path.endswith("/chat/completions")]
    assert chats[1]["messages"][1] == {"role": "assistant", "content": "First answer."}
