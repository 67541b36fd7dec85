"""Closing a stream closes its HTTP response at once (issue 11, item 2).

Venice keeps generating, and billing, tokens for a response nobody reads, so the connection
must end the moment the caller stops: ``aclose()`` on the iterator, ``break`` out of
``stream_sync()``, or cancelling the task. The server here streams a delta every 5 ms for as
long as the client listens and notes when the client hangs up. Each test waits for that
right after the close, blocking the thread (so the event loop runs nothing else: no pool
close, no garbage-collector finalizer), before any other call on the client.
"""

from __future__ import annotations

import asyncio
import contextlib

from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.runtime.ai import Context, UserMessage
from tests.support.endless import EndlessStream
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer

MODEL = "venice/llama-3.3-70b"
PROMPT = Context(messages=[UserMessage("count for ever")])
AT_ONCE = 2.0  # seconds: generous for a busy machine; the hang-up is seen in milliseconds


def endless_chat(server: LocalServer) -> tuple[VeniceChat, EndlessStream]:
    stream = EndlessStream()
    server.respond(stream)
    return VeniceChat(CANARY, base_url=server.url + "/api/v1", catalog=load_bundle()), stream


def test_aclose_on_the_iterator_hangs_up_at_once(server: LocalServer) -> None:
    chat, endless = endless_chat(server)

    async def scenario() -> bool:
        events = chat.stream(MODEL, PROMPT)
        async for event in events:
            if event.type == "text_delta":
                break
        await events.aclose()
        hung_up = endless.ended.wait(AT_ONCE)  # blocks the loop: nothing else can close it
        await chat.aclose()
        return hung_up

    assert asyncio.run(scenario()), "the server kept streaming after aclose()"


def test_break_out_of_stream_sync_hangs_up_at_once(server: LocalServer) -> None:
    chat, endless = endless_chat(server)
    for event in chat.stream_sync(MODEL, PROMPT):
        if event.type == "text_delta":
            break
    assert endless.ended.wait(AT_ONCE), "the server kept streaming after the loop was left"
    chat.close()


def test_cancelling_the_task_hangs_up_at_once(server: LocalServer) -> None:
    chat, endless = endless_chat(server)

    async def scenario() -> bool:
        seen = asyncio.Event()

        async def consume() -> None:
            async for event in chat.stream(MODEL, PROMPT):
                if event.type == "text_delta":
                    seen.set()

        task = asyncio.create_task(consume())
        await seen.wait()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        hung_up = endless.ended.wait(AT_ONCE)
        await chat.aclose()
        return hung_up

    assert asyncio.run(scenario()), "the server kept streaming to a cancelled task"


def test_a_stream_still_open_keeps_streaming(server: LocalServer) -> None:
    """The control: the server does not see a hang-up that did not happen (so the tests
    above would fail if closing left the connection open)."""
    chat, endless = endless_chat(server)

    async def scenario() -> tuple[bool, int]:
        events = chat.stream(MODEL, PROMPT)
        async for event in events:
            if event.type == "text_delta":
                break  # left suspended, not closed
        sent = endless.sent
        hung_up = endless.ended.wait(0.5)
        more = endless.sent - sent
        await events.aclose()
        await chat.aclose()
        return hung_up, more

    hung_up, more = asyncio.run(scenario())
    assert not hung_up and more > 10
