"""What the gateway's HTTP server (``runtime/gateway/http.py``) takes as a request: the
headers its guard checks are the ones in the request's head, sent once; a pipelined request
is framed by its own head whatever the packets; a failure after the answer began leaves no
traceback; a client that closes while its answer is made stops it. Each case but that one
was answered correctly by the h11 server this one replaced (52000eb).

Real sockets on 127.0.0.1; the handler records what it was given."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator

import pytest

from openclaw_venice.runtime.gateway.guard import local_request
from openclaw_venice.runtime.gateway.http import Limits, Reply, Request, Server

LIMITS = Limits(idle=2, head=1, body=2, write=2)


class Recorder:
    def __init__(self) -> None:
        self.seen: list[Request] = []

    async def __call__(self, request: Request) -> Reply:
        self.seen.append(request)
        refused = local_request(request.headers)
        return Reply(403 if refused else 200, f"{len(request.body)}".encode())


async def conversation(handler: Recorder, *sends: bytes, pause: float = 0.3) -> bytes:
    """``sends`` written one after the other on one connection, ``pause`` apart; all the
    server sent until it closed (or 5 s passed)."""
    server = Server(handler, LIMITS)
    _, port = await server.start("127.0.0.1", 0)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    received = bytearray()
    try:
        for data in sends:
            writer.write(data)
            await writer.drain()
            await asyncio.sleep(pause)
        async with asyncio.timeout(5):
            while piece := await reader.read(65536):
                received += piece
    except (ConnectionError, TimeoutError):
        pass
    finally:
        writer.close()
        await server.stop()
    return bytes(received)


def test_a_second_host_header_is_a_400_before_any_handler() -> None:
    """RFC 9112 3.2: more than one Host line is a 400. The guard's DNS-rebinding check reads
    one Host; with two, the server must not pick one for it."""
    handler = Recorder()
    data = asyncio.run(conversation(handler, (
        b"GET /v1/models HTTP/1.1\r\nHost: evil.example\r\nHost: 127.0.0.1\r\n"
        b"Connection: close\r\n\r\n"
    )))  # fmt: skip
    assert data.startswith(b"HTTP/1.1 400 "), data[:80]
    assert handler.seen == []


def test_a_chunked_bodys_trailer_does_not_change_the_requests_headers() -> None:
    """Fields in a chunked body's trailer come after the head the guard must judge: a
    request whose head names another origin stays refused whatever its trailer says."""
    handler = Recorder()
    data = asyncio.run(conversation(handler, (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Origin: http://evil.example\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        b"2\r\n{}\r\n0\r\nOrigin: http://localhost\r\nHost: localhost\r\n"
        b"Authorization: Bearer from-the-trailer\r\n\r\n"
    )))  # fmt: skip
    assert data.startswith(b"HTTP/1.1 403 "), data[:80]
    assert len(handler.seen) == 1
    headers = handler.seen[0].headers
    assert headers["origin"] == "http://evil.example"
    assert headers["host"] == "127.0.0.1"
    assert "authorization" not in headers


def test_a_pipelined_requests_body_may_arrive_after_the_answer_before_it() -> None:
    """A small request, then a second whose head and first bytes of body come in the same
    packet and the rest of its body (past the head cap) only after the first answer: the
    rest is body, not head (it was cut off as "request headers too large")."""
    body = b"x" * 200_000  # more than MAX_HEAD (64 KiB)
    handler = Recorder()
    data = asyncio.run(conversation(
        handler,
        b"GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body) + body[:1000],
        body[1000:],
    ))  # fmt: skip
    answers = data.split(b"HTTP/1.1 ")
    assert [a[:3] for a in answers[1:]] == [b"200", b"200"], data[:300]
    assert [len(r.body) for r in handler.seen] == [0, len(body)]


def test_a_pipelined_requests_slow_body_gets_the_body_deadline_not_the_heads() -> None:
    """The body of a pipelined request that trickles in after the answer before it has the
    body's time (``Limits.body``), not the head's (``Limits.head``)."""
    body = b"y" * 3000
    handler = Recorder()
    head = (
        b"GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )  # fmt: skip
    pieces = [body[i : i + 1000] for i in range(0, len(body), 1000)]
    # 3 pieces 0.6 s apart: 1.8 s in all, past the head's 1 s, within the body's 2 s
    data = asyncio.run(conversation(handler, head, *pieces, pause=0.6))
    answers = data.split(b"HTTP/1.1 ")
    assert [a[:3] for a in answers[1:]] == [b"200", b"200"], data[:300]


def test_an_answer_stream_that_fails_midway_leaves_no_traceback(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    """A streamed answer whose source raises (a provider's bug) is cut for the client; the
    gateway's log gets no "Task exception was never retrieved" and no traceback (the h11
    server ended such a connection silently)."""

    async def failing(request: Request) -> Reply:
        async def pieces() -> AsyncIterator[bytes]:
            yield b"data: one\n\n"
            await asyncio.sleep(0.01)
            raise RuntimeError("a bug in the stream")

        return Reply(200, pieces(), content_type="text/event-stream")

    async def main() -> bytes:
        server = Server(failing, LIMITS)
        _, port = await server.start("127.0.0.1", 0)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        data = await asyncio.wait_for(reader.read(), 5)
        writer.close()
        await server.stop()
        gc.collect()  # a failed task nobody awaited is reported when it is collected
        await asyncio.sleep(0)
        return data

    with caplog.at_level(logging.ERROR, logger="asyncio"):
        data = asyncio.run(main())
        gc.collect()
    assert data.startswith(b"HTTP/1.1 200 ")
    assert not data.endswith(b"0\r\n\r\n")  # cut: the client knows it is not whole
    assert [r.getMessage() for r in caplog.records if r.name == "asyncio"] == []
    assert "Traceback" not in capsys.readouterr().err


def test_a_client_that_closes_while_a_json_answer_is_made_cancels_it() -> None:
    """docs/gateway.md: "a client that goes away (its connection lost or its side closed)
    cancels that task". A non-streamed turn (``"stream": false``) is made upstream whole
    before the answer is written; a client that gives up and closes its socket meanwhile
    (a FIN, as every client's close sends) must stop it there: Venice bills for what it
    generates. (The h11 server did not notice either.)"""
    finished: list[str] = []

    async def slow(request: Request) -> Reply:
        try:
            await asyncio.sleep(5)  # the upstream turn, made whole
            finished.append("made")
        except asyncio.CancelledError:
            finished.append("cancelled")
            raise
        return Reply(200, b"{}")

    async def main() -> float:
        server = Server(slow, LIMITS)
        _, port = await server.start("127.0.0.1", 0)
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(0.2)
        started = asyncio.get_running_loop().time()
        writer.close()
        while not finished and asyncio.get_running_loop().time() - started < 3:
            await asyncio.sleep(0.01)
        seconds = asyncio.get_running_loop().time() - started
        await server.stop()
        return seconds

    seconds = asyncio.run(main())
    assert finished == ["cancelled"]
    assert seconds < 1


def test_a_pipelined_head_is_measured_from_its_own_first_byte() -> None:
    """A 100 KB body, then the start of a small pipelined request in the same packet, the rest
    of its head in two more: the head cap (64 KiB) counts the second request's head only,
    not the body before it that came in the same read (it was a 431)."""
    body = b"x" * 100_000
    handler = Recorder()
    data = asyncio.run(conversation(
        handler,
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body) + body
        + b"GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n",
        b"Accept: */*\r\n",
        b"Connection: close\r\n\r\n",
    ))  # fmt: skip
    answers = data.split(b"HTTP/1.1 ")
    assert [a[:3] for a in answers[1:]] == [b"200", b"200"], data[-300:]
    assert [len(r.body) for r in handler.seen] == [len(body), 0]


def test_a_pipelined_head_over_the_cap_is_still_a_431() -> None:
    """The other side of the one above: a pipelined head that passes the cap is refused,
    even when it began in the read that held the request before it (an unfinished line
    of 100 KB, then more of it)."""
    handler = Recorder()
    data = asyncio.run(conversation(
        handler,
        b"GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        b"GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"b" * 100_000,
        b"b" * 1000,
    ))  # fmt: skip
    answers = data.split(b"HTTP/1.1 ")
    assert [a[:3] for a in answers[1:]] == [b"200", b"431"], data[-300:]
    assert len(handler.seen) == 1
