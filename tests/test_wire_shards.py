"""The wire's pool in shards of at most a few hundred connections (issue 22, item 5).

httpcore scans every connection of its pool on every request and every answer closed, so
one pool of thousands of connections costs the square of a burst (a third of the client's
CPU at 2,000 turns at once). The wire splits its pool into httpcore pools of at most
``wire.shards.SHARD_SIZE`` connections. What a user keeps: one turn after another reuses one
kept-alive connection (and makes one shard, not sixteen), turns at once spread with no shard
past its size, the kept-alive connections after a burst stay within ``max_keepalive`` and
serve the next burst, every socket closes when the chat closes, and a small pool is one
httpcore pool as before. All against a real server on loopback.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable

import httpx
import pytest

from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.chat.options import StreamOptions
from openclaw_venice.runtime.ai import Context, UserMessage
from openclaw_venice.wire import route, shards
from openclaw_venice.wire.client import ConnectionLimits
from openclaw_venice.wire.unasked import OneAnswerPerRequest
from tests.support import venice_wire
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request, json_reply

MODEL = "venice/llama-3.3-70b"
PROMPT = Context(messages=[UserMessage("hi")])


def held(server: LocalServer, at_once: int, reply: Callable[[int], Reply]) -> None:
    """Each answer (``reply(n)``, n counting from 1) held until ``at_once`` requests of its
    round (requests 1 to ``at_once``, then the next ``at_once``...) are in flight, 30 s at
    most: the requests meet at the server however slowly a loaded machine sends them."""
    count: list[int] = []
    lock = threading.Lock()
    rounds: dict[int, threading.Event] = {}

    def respond(request: Request) -> Reply:
        with lock:
            count.append(1)
            n = len(count)
            met = rounds.setdefault((n - 1) // at_once, threading.Event())
        deadline = time.monotonic() + 30
        while not met.is_set() and server.connections.in_flight < at_once:
            if time.monotonic() > deadline:
                raise AssertionError(f"{at_once} requests never were in flight at once")
            time.sleep(0.005)
        met.set()  # the round met: answer all of it
        return reply(n)

    server.respond(respond)


def ok(n: int) -> Reply:
    return venice_wire.stream_reply(venice_wire.text_stream("ok", pieces=1))


def connections(shard: httpx.AsyncBaseTransport | None) -> int:
    """The connections of one shard's httpcore pool (open or idle)."""
    assert isinstance(shard, OneAnswerPerRequest)  # the unasked check is on every shard
    inner = shard.inner
    assert isinstance(inner, httpx.AsyncHTTPTransport)
    return len(inner._pool.connections)


def counted_maker(url: str) -> tuple[shards.Maker, list[httpx.Limits]]:
    """The wire's way of making a shard (``route.async_transport``), each one recorded."""
    made: list[httpx.Limits] = []

    def make(limits: httpx.Limits) -> httpx.AsyncBaseTransport:
        made.append(limits)
        return route.async_transport(url, {}, limits)

    return make, made


async def ask(pool: httpx.AsyncBaseTransport, url: str) -> httpx.Response:
    return await pool.handle_async_request(httpx.Request("GET", url + "/ping"))


def sockets_to(port: int) -> int:
    """This process's open sockets connected to 127.0.0.1:``port`` (Linux's /proc)."""
    mine = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            mine.add(target[8:-1])
    peer = f"0100007F:{port:04X}"
    found = 0
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            if fields[2] == peer and fields[9] in mine:
                found += 1
    return found


def test_the_split_adds_up_to_the_limits() -> None:
    limits = httpx.Limits(max_connections=4096, max_keepalive_connections=100,
                          keepalive_expiry=60.0)  # fmt: skip
    each = shards.shard_limits(limits)
    assert len(each) == 16
    assert {shard.max_connections for shard in each} == {256}
    kept = [shard.max_keepalive_connections or 0 for shard in each]
    assert sum(kept) == 100 and kept[:4] == [7] * 4 and kept[4:] == [6] * 12
    assert {shard.keepalive_expiry for shard in each} == {60.0}
    odd = shards.shard_limits(httpx.Limits(max_connections=300, max_keepalive_connections=3))
    assert [(s.max_connections, s.max_keepalive_connections) for s in odd] == [
        (150, 2), (150, 1)
    ]  # fmt: skip
    assert shards.shard_limits(httpx.Limits(max_connections=256)) == [
        httpx.Limits(max_connections=256)
    ]


def test_one_request_at_a_time_makes_one_shard_and_reuses_one_connection(
    server: LocalServer,
) -> None:
    server.respond(lambda request: json_reply({"ok": True}))
    make, made = counted_maker(server.url)

    async def go() -> None:
        pool = shards.pooled(make, httpx.Limits(max_connections=4096,
                                                max_keepalive_connections=100))  # fmt: skip
        assert isinstance(pool, shards.ShardedPool) and len(pool.shards) == 16
        async with pool:
            for _ in range(5):
                response = await ask(pool, server.url)
                assert await response.aread() == b'{"ok": true}'
                await response.aclose()
            assert pool.open == [0] * 16

    asyncio.run(go())
    assert len(made) == 1  # a one-turn CLI pays for one transport, not 16
    assert len(server.requests) == 5 and len(server.connections.ports) == 1


def test_sequential_turns_reuse_one_connection(server: LocalServer) -> None:
    server.respond(lambda request: venice_wire.stream_reply(venice_wire.text_stream("ok")))

    async def go() -> list[str]:
        async with VeniceChat(CANARY, base_url=server.url + "/api/v1",
                              catalog=load_bundle()) as chat:  # fmt: skip
            assert chat.wire.limits.max_connections > shards.SHARD_SIZE  # a sharded pool
            return [(await chat.complete(MODEL, PROMPT)).text for _ in range(4)]

    assert asyncio.run(go()) == ["ok"] * 4
    assert len(server.connections.ports) == 1


def test_requests_at_once_spread_over_the_shards_none_past_its_size(
    server: LocalServer,
) -> None:
    """10 connections in shards of 4: sizes 4, 3, 3, kept alive 2, 2, 1. Ten requests at
    once fill every shard exactly; after them 5 connections stay (max_keepalive), and five
    requests at once then spread as the kept-alive ones are: no new connection."""
    held(server, 10, lambda n: json_reply({"n": n}))
    make, made = counted_maker(server.url)
    limits = httpx.Limits(max_connections=10, max_keepalive_connections=5)

    async def go() -> tuple[list[int], list[int], list[int], list[int]]:
        pool = shards.pooled(make, limits, shard_size=4)
        assert isinstance(pool, shards.ShardedPool)
        async with pool:
            answers = await asyncio.gather(*(ask(pool, server.url) for _ in range(10)))
            at_peak = [connections(shard) for shard in pool.shards]
            open_at_peak = list(pool.open)
            for answer in answers:
                await answer.aread()
                await answer.aclose()
            kept = [connections(shard) for shard in pool.shards]
            ports = set(server.connections.ports)
            held(server, 5, lambda n: json_reply({"n": n}))
            again = await asyncio.gather(*(ask(pool, server.url) for _ in range(5)))
            for answer in again:
                await answer.aread()
                await answer.aclose()
            assert server.connections.ports == ports  # every one of the five reused one
            return at_peak, open_at_peak, kept, [connections(s) for s in pool.shards]

    at_peak, open_at_peak, kept, after = asyncio.run(go())
    assert [limit.max_connections for limit in made] == [4, 3, 3]
    assert at_peak == [4, 3, 3] and open_at_peak == [4, 3, 3]
    assert server.connections.peak == 10
    assert kept == [2, 2, 1] and sum(kept) <= limits.max_keepalive_connections  # type: ignore[operator]
    assert after == [2, 2, 1]


def test_every_socket_closes_when_the_chat_closes(server: LocalServer) -> None:
    """40 turns at once spread over the 16 shards; all 40 connections are kept alive (each
    shard holds at most its share of 100), and every one is closed as the chat closes."""
    held(server, 40, ok)
    port = int(server.url.rsplit(":", 1)[1])

    async def go() -> tuple[int, int]:
        chat = VeniceChat(CANARY, base_url=server.url + "/api/v1", catalog=load_bundle())
        async with chat:
            texts = await asyncio.gather(*(chat.complete(MODEL, PROMPT) for _ in range(40)))
            assert [message.text for message in texts] == ["ok"] * 40
            before = sockets_to(port)
        return before, sockets_to(port)  # at once: nothing left to the garbage collector

    before, after = asyncio.run(go())
    assert before == 40 and server.connections.peak == 40
    assert after == 0


@pytest.mark.parametrize("size", [1, 10])
def test_a_small_pool_is_one_httpcore_pool(server: LocalServer, size: int) -> None:
    make, made = counted_maker(server.url)
    pool = shards.pooled(make, httpx.Limits(max_connections=size, max_keepalive_connections=5))
    assert isinstance(pool, OneAnswerPerRequest) and len(made) == 1  # no layer in between
    held(server, size, ok)

    async def go() -> list[str]:
        async with VeniceChat(CANARY, base_url=server.url + "/api/v1", catalog=load_bundle(),
                              connections=ConnectionLimits(size, 5)) as chat:  # fmt: skip
            turns = [chat.complete(MODEL, PROMPT) for _ in range(size * 2)]
            return [message.text for message in await asyncio.gather(*turns)]

    assert asyncio.run(go()) == ["ok"] * (size * 2)
    assert server.connections.peak_in_flight == size


def test_a_stray_answer_is_dropped_on_every_shard(server: LocalServer) -> None:
    """Two turns at once go to two shards; both answers have a stray one behind them. The
    next two turns at once get their own answers, on new connections."""

    def reply(n: int) -> Reply:
        answer = json_reply(venice_wire.completion(f"answer {n}"))
        if n <= 2:
            answer.after = stray
        return answer

    stray = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
    held(server, 2, reply)

    async def go() -> list[set[str]]:
        rounds = []
        async with VeniceChat(CANARY, base_url=server.url + "/api/v1",
                              catalog=load_bundle()) as chat:  # fmt: skip
            for _ in range(2):
                turns = [chat.complete(MODEL, PROMPT, StreamOptions(), stream=False)
                         for _ in range(2)]  # fmt: skip
                rounds.append({message.text for message in await asyncio.gather(*turns)})
        return rounds

    assert asyncio.run(go()) == [{"answer 1", "answer 2"}, {"answer 3", "answer 4"}]
    assert len(server.connections.ports) == 4  # neither connection that carried one was reused
