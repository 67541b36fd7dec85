"""No leaks across event loops, sync wrappers from threads and from inside a loop (issue 14,
item 6). ``asyncio.run(chat.complete(...))`` 400 times on one ``VeniceChat``, and on the
provider's shared client: open files back to where they were and memory flat, without a
``gc.collect()``; each loop's pool is closed when ``asyncio.run`` shuts the loop down."""

from __future__ import annotations

import asyncio
import os
import threading
import warnings
from pathlib import Path

import pytest

from openclaw_venice import errors
from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.provider import VeniceProvider
from openclaw_venice.runtime.ai import Context, UserMessage
from tests.support import venice_wire
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer

MODEL = "venice/llama-3.3-70b"
PROMPT = Context(messages=[UserMessage("hi")])
RUNS = 400
WARM_UP = 20
MiB = 2**20


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def rss() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def ok(server: LocalServer) -> None:
    server.respond(lambda request: venice_wire.stream_reply(venice_wire.text_stream("ok")))


def loop_after_loop(complete: object) -> tuple[int, int]:
    """Open files and resident memory gained over RUNS loops, after WARM_UP of them."""
    for _ in range(WARM_UP):
        assert asyncio.run(complete(MODEL, PROMPT)).text == "ok"  # type: ignore[operator]
    files, memory = open_files(), rss()
    for _ in range(RUNS):
        assert asyncio.run(complete(MODEL, PROMPT)).text == "ok"  # type: ignore[operator]
    return open_files() - files, rss() - memory


def test_one_client_across_400_event_loops(server: LocalServer) -> None:
    ok(server)
    chat = VeniceChat(CANARY, base_url=server.url + "/api/v1", catalog=load_bundle())
    files, memory = loop_after_loop(chat.complete)
    print(f"{RUNS} loops: {files:+d} open files, {memory / MiB:+.1f} MiB")
    assert files <= 2 and memory < 16 * MiB  # (the leak was one socket per loop: +400)
    assert chat.wire.open_pools() == 0  # every loop's pool went with its loop


def test_the_providers_shared_client_across_400_event_loops(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(server)
    monkeypatch.setenv("VENICE_API_KEY", CANARY)
    monkeypatch.setenv("VENICE_BASE_URL", server.url + "/api/v1")
    provider = VeniceProvider()
    files, memory = loop_after_loop(provider.complete)
    print(f"{RUNS} loops: {files:+d} open files, {memory / MiB:+.1f} MiB")
    assert files <= 2 and memory < 16 * MiB  # (the leak was one socket per loop: +400)
    assert provider.client() is provider.client()


def test_complete_sync_from_several_threads(server: LocalServer) -> None:
    ok(server)
    chat = VeniceChat(CANARY, base_url=server.url + "/api/v1", catalog=load_bundle())
    results: list[str] = []
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(3):
                results.append(chat.complete_sync(MODEL, PROMPT).text)
        except BaseException as exc:  # collected: the assertion below shows it
            failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == [] and results == ["ok"] * 12
    files = open_files()
    chat.close()  # closes every thread's loop and pool
    assert open_files() < files


def test_sync_wrappers_inside_a_running_loop_fail_in_one_line(server: LocalServer) -> None:
    ok(server)
    chat = VeniceChat(CANARY, base_url=server.url + "/api/v1", catalog=load_bundle())

    async def inside() -> list[str]:
        messages = []
        for call in (
            lambda: chat.complete_sync(MODEL, PROMPT),
            lambda: next(iter(chat.stream_sync(MODEL, PROMPT))),
        ):
            with pytest.raises(errors.UsageError) as caught:
                call()
            messages.append(str(caught.value))
        return messages

    with warnings.catch_warnings(record=True) as caught_warnings:
        warnings.simplefilter("always")
        messages = asyncio.run(inside())
        import gc

        gc.collect()  # a coroutine never awaited would warn when collected
    for message in messages:
        assert "\n" not in message and "running event loop" in message
        assert "await chat.complete" in message
    assert [str(w.message) for w in caught_warnings] == []
    assert server.requests == []
    chat.close()
