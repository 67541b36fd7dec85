"""A response that arrives without a request is dropped with its connection (issue 22, item 2).

The loopback server answers the first request and, on the same kept-alive connection, sends a
second complete response nobody asked for. On main before this, h11 read it as the answer to
the *next* request: the second turn showed "INJECTED" (streamed and not). Now the connection
that carries it is closed when the first answer ends, and the next request goes out on a new
connection and gets its own answer.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.chat.options import StreamOptions
from openclaw_venice.runtime.ai import Context, UserMessage
from tests.support import venice_wire
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request, json_reply

MODEL = "venice/llama-3.3-70b"


def raw_response(payload: Any) -> bytes:
    body = json.dumps(payload).encode()
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


def numbered(stream: bool) -> Any:
    """Answer n says "answer n"; the first one has an unasked response behind it."""
    count: list[int] = []

    def respond(request: Request) -> Reply:
        count.append(1)
        text = f"answer {len(count)}"
        if stream:
            reply = venice_wire.stream_reply(venice_wire.text_stream(text, pieces=1))
        else:
            reply = json_reply(venice_wire.completion(text))
        if len(count) == 1:
            reply.after = raw_response(venice_wire.completion("INJECTED"))
        return reply

    return respond


@pytest.mark.parametrize("stream", [True, False], ids=["streamed", "complete"])
def test_the_next_turn_gets_its_own_answer(server: LocalServer, stream: bool) -> None:
    server.respond(numbered(stream))

    async def go() -> list[str]:
        texts = []
        url = server.url + "/api/v1"
        async with VeniceChat(CANARY, base_url=url, catalog=load_bundle()) as chat:
            for _ in range(3):
                ask = Context(messages=[UserMessage("hi")])
                texts.append((await chat.complete(MODEL, ask, StreamOptions(), stream=stream)).text)
        return texts

    assert asyncio.run(go()) == ["answer 1", "answer 2", "answer 3"]
    assert len(server.requests) == 3
    assert len(server.connections.ports) == 2  # the one that carried the stray was not reused


def test_a_clean_connection_is_still_reused(server: LocalServer) -> None:
    server.respond(lambda request: json_reply(venice_wire.completion("same")))

    async def go() -> None:
        url = server.url + "/api/v1"
        async with VeniceChat(CANARY, base_url=url, catalog=load_bundle()) as chat:
            for _ in range(3):
                ask = Context(messages=[UserMessage("hi")])
                await chat.complete(MODEL, ask, StreamOptions(), stream=False)

    asyncio.run(go())
    assert len(server.connections.ports) == 1  # keep-alive works: the check drops no good one


def test_h11s_state_is_where_the_check_looks(server: LocalServer) -> None:
    """The check reads httpcore's private chain to h11: an httpcore that moves it fails here
    (and users fall back to the safe mode below)."""
    import h11
    import httpx

    from openclaw_venice.wire import route, unasked

    server.respond(lambda request: json_reply(venice_wire.completion("same")))

    async def go() -> Any:
        async with route.async_transport(server.url, {}) as transport:
            response = await transport.handle_async_request(httpx.Request("GET", server.url))
            assert isinstance(response.stream, unasked._Checked)
            async for _ in response.stream:  # read to its end, not closed yet
                pass
            state = unasked.h11_state(response.stream._stream)
            seen = None if state is None else state.their_state
            await response.aclose()
            return state, seen

    state, seen = asyncio.run(go())
    assert isinstance(state, h11.Connection)
    assert seen is h11.DONE


def test_without_h11s_state_every_connection_is_dropped(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Fail safe: an httpcore whose internals moved gets no stray answer through (each turn
    its own connection) and one warning saying why."""
    from openclaw_venice.wire import unasked

    monkeypatch.setattr(unasked, "h11_state", lambda stream: None)
    monkeypatch.setattr(unasked, "_warned", [])
    server.respond(numbered(stream=False))

    async def go() -> list[str]:
        url = server.url + "/api/v1"
        async with VeniceChat(CANARY, base_url=url, catalog=load_bundle()) as chat:
            ask = Context(messages=[UserMessage("hi")])
            return [
                (await chat.complete(MODEL, ask, StreamOptions(), stream=False)).text
                for _ in range(3)
            ]

    with caplog.at_level("WARNING", logger="openclaw_venice.wire"):
        assert asyncio.run(go()) == ["answer 1", "answer 2", "answer 3"]
    assert len(server.connections.ports) == 3
    warnings = [r.getMessage() for r in caplog.records if r.name == "openclaw_venice.wire"]
    assert len(warnings) == 1
    assert "connections are closed after each answer instead of reused" in warnings[0]
