"""The gateway's HTTP server (``runtime/gateway/http.py``) against clients that misbehave:
slow headers, a stalled body, an idle connection, too many connections, a client that never
reads its answer. Real sockets on 127.0.0.1, the server's bounds made short for the test."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from openclaw_venice.runtime.gateway.http import Limits, Reply, Request, Server

LIMITS = Limits(idle=0.5, head=0.3, body=0.3, write=0.5, max_connections=3)


async def hello(request: Request) -> Reply:
    return Reply(200, b'{"ok": true}')


async def endless(request: Request) -> Reply:
    async def chunks() -> AsyncIterator[bytes]:
        while True:
            yield b"x" * 65536
            await asyncio.sleep(0)

    return Reply(200, chunks(), content_type="text/event-stream")


async def start(handler=hello) -> tuple[Server, int]:  # type: ignore[no-untyped-def]
    server = Server(handler, LIMITS)
    _, port = await server.start("127.0.0.1", 0)
    return server, port


async def closed_after(reader: asyncio.StreamReader) -> tuple[bytes, float]:
    """What the server sent until it closed the connection, and how long that took."""
    started = time.monotonic()
    data = await asyncio.wait_for(reader.read(), 5)
    return data, time.monotonic() - started


def test_slow_headers_are_cut_off() -> None:
    async def main() -> tuple[bytes, float]:
        server, port = await start()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never ends
        try:
            return await closed_after(reader)
        finally:
            writer.close()
            await server.stop()

    data, seconds = asyncio.run(main())
    assert data.startswith(b"HTTP/1.1 408 ")
    assert seconds < 2


def test_a_stalled_body_is_cut_off() -> None:
    async def main() -> tuple[bytes, float]:
        server, port = await start()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{")
        try:
            return await closed_after(reader)
        finally:
            writer.close()
            await server.stop()

    data, seconds = asyncio.run(main())
    assert data.startswith(b"HTTP/1.1 408 ")
    assert seconds < 2


def test_an_idle_kept_alive_connection_is_closed_and_others_wait_at_the_door() -> None:
    async def main() -> tuple[bytes, float, bytes]:
        server, port = await start()
        conns = [await asyncio.open_connection("127.0.0.1", port) for _ in range(3)]
        reader, writer = conns[0]
        writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first = await asyncio.wait_for(reader.readuntil(b'{"ok": true}'), 5)
        await asyncio.sleep(0.05)
        extra_reader, extra_writer = await asyncio.open_connection("127.0.0.1", port)
        refused = await asyncio.wait_for(extra_reader.read(), 5)  # a fourth: 503
        rest, seconds = await closed_after(reader)  # then idle: closed
        for _, w in [*conns, (extra_reader, extra_writer)]:
            w.close()
        await server.stop()
        return first + rest, seconds, refused

    answer, seconds, refused = asyncio.run(main())
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert seconds < 2
    assert refused.startswith(b"HTTP/1.1 503 ")


def test_a_client_that_reads_nothing_is_dropped() -> None:
    async def main() -> float:
        server, port = await start(endless)
        _, writer = await asyncio.open_connection("127.0.0.1", port, limit=1024)
        writer.transport.pause_reading()  # type: ignore[attr-defined]
        writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        started = time.monotonic()
        while server.connections and time.monotonic() - started < 10:
            await asyncio.sleep(0.05)
        seconds = time.monotonic() - started
        writer.close()
        await server.stop()
        return seconds

    assert asyncio.run(main()) < 5


def endless_until_closed(closed: asyncio.Event) -> Callable[[Request], Awaitable[Reply]]:
    """A handler whose streamed answer never ends; ``closed`` is set when its body is closed
    (as an upstream stream would be)."""

    async def forever(request: Request) -> Reply:
        async def chunks() -> AsyncIterator[bytes]:
            try:
                while True:
                    yield b"data: x\n\n"
                    await asyncio.sleep(0.01)
            finally:
                closed.set()

        return Reply(200, chunks(), content_type="text/event-stream")

    return forever


def test_stop_ends_a_streamed_answer_at_once() -> None:
    async def main() -> float:
        closed = asyncio.Event()
        server, port = await start(endless_until_closed(closed))
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        await reader.readuntil(b"data: x")
        started = time.monotonic()
        await server.stop()
        await asyncio.wait_for(closed.wait(), 1)
        writer.close()
        return time.monotonic() - started

    assert asyncio.run(main()) < 0.5


def test_a_handler_that_fails_is_a_500_and_one_line(capsys) -> None:  # type: ignore[no-untyped-def]
    async def broken(request: Request) -> Reply:
        raise KeyError("bug")

    async def main() -> bytes:
        server, port = await start(broken)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        data = await asyncio.wait_for(reader.read(), 5)
        writer.close()
        await server.stop()
        return data

    data = asyncio.run(main())
    assert data.startswith(b"HTTP/1.1 500 ")
    assert b'"type": "server_error"' in data
    assert capsys.readouterr().err == "gateway: internal error (KeyError; a bug)\n"


def test_a_body_over_the_cap_is_a_413_in_openais_error_shape() -> None:
    """Refused before any handler runs, still as JSON an OpenAI client reads (the openai SDK
    shows its message and type; it was plain text)."""
    import json

    async def main() -> bytes:
        server = Server(hello, Limits(max_body=1024))
        _, port = await server.start("127.0.0.1", 0)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST /v1/audio/transcriptions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Length: 4096\r\n\r\n" + b"x" * 4096
        )
        try:
            return (await closed_after(reader))[0]
        finally:
            writer.close()
            await server.stop()

    data = asyncio.run(main())
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ")
    assert b"content-type: application/json" in head.lower()
    assert json.loads(body) == {"error": {
        "message": "request body too large", "type": "invalid_request_error", "param": None,
        "code": None}}  # fmt: skip


async def exchange(handler, data: bytes, limits: Limits = LIMITS) -> bytes:  # type: ignore[no-untyped-def]
    """Write ``data`` on one connection; everything the server sent until it closed."""
    server = Server(handler, limits)
    _, port = await server.start("127.0.0.1", 0)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    try:
        return (await closed_after(reader))[0]
    finally:
        writer.close()
        await server.stop()


def test_headers_over_the_cap_are_a_431_before_any_handler() -> None:
    seen: list[Request] = []

    async def handler(request: Request) -> Reply:
        seen.append(request)
        return Reply(200)

    head = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"x" * 4096 + b"\r\n\r\n"
    data = asyncio.run(exchange(handler, head, Limits(max_head=1024)))
    assert data.startswith(b"HTTP/1.1 431 ")
    assert b'"type": "invalid_request_error"' in data
    assert seen == []


async def echo(request: Request) -> Reply:
    """The request's target and body, streamed in two pieces when the target says so."""
    text = f"{request.method} {request.target} {request.body.decode()}".encode()
    if request.target != "/stream":
        return Reply(200, text, content_type="text/plain")

    async def pieces() -> AsyncIterator[bytes]:
        yield text
        await asyncio.sleep(0.01)
        yield b"|end"

    return Reply(200, pieces(), content_type="text/plain")


def test_pipelined_requests_are_answered_in_order_on_one_connection() -> None:
    """Three requests written at once (the second streamed): three answers, in order, the
    stream chunked; the last asks to close, so the server closes after it."""
    data = asyncio.run(exchange(echo, (
        b"POST /one HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\n\r\nabc"
        b"GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        b"POST /three HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n2\r\nxy\r\n1\r\nz\r\n0\r\n\r\n"
    )))  # fmt: skip
    answers = data.split(b"HTTP/1.1 200 OK\r\n")
    assert answers[0] == b"" and len(answers) == 4
    assert answers[1].endswith(b"\r\n\r\nPOST /one abc")
    assert b"transfer-encoding: chunked" in answers[2].lower()
    assert answers[2].endswith(b"\r\n\r\nc\r\nGET /stream \r\n4\r\n|end\r\n0\r\n\r\n")
    assert b"connection: close" in answers[3].lower()
    assert answers[3].endswith(b"\r\n\r\nPOST /three xyz")


def test_an_http10_client_gets_a_stream_unchunked_then_the_end_of_the_connection() -> None:
    data = asyncio.run(exchange(echo, b"GET /stream HTTP/1.0\r\nHost: 127.0.0.1\r\n"
                                      b"Connection: keep-alive\r\n\r\n"))  # fmt: skip
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ")
    assert b"chunked" not in head.lower()
    assert b"connection: close" in head.lower()
    assert body == b"GET /stream |end"


def test_a_client_that_expects_100_continue_gets_it_then_its_answer() -> None:
    data = asyncio.run(exchange(echo, (
        b"POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n"
        b"Connection: close\r\n\r\nhi"
    )))  # fmt: skip
    assert data.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 ")
    assert data.endswith(b"POST /x hi")


def test_a_reply_header_with_a_line_break_is_a_500_not_a_second_header(capsys) -> None:  # type: ignore[no-untyped-def]
    async def injected(request: Request) -> Reply:
        return Reply(429, b"{}", headers=[("Retry-After", "1\r\nSet-Cookie: x=1")])

    data = asyncio.run(
        exchange(injected, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    )
    assert data.startswith(b"HTTP/1.1 500 ")
    assert b"set-cookie" not in data.lower()
    assert capsys.readouterr().err == "gateway: internal error (ValueError; a bug)\n"


def test_a_client_that_closes_its_side_mid_stream_ends_the_answer_at_once() -> None:
    """Half-closing (``shutdown(SHUT_WR)``) counts as leaving, as it did with the reader
    task: the streamed answer's body is closed (upstream with it), the connection ends."""

    async def main() -> tuple[float, bytes]:
        closed = asyncio.Event()
        server, port = await start(endless_until_closed(closed))
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        await reader.readuntil(b"data: x")
        started = time.monotonic()
        writer.write_eof()
        await asyncio.wait_for(closed.wait(), 2)
        seconds = time.monotonic() - started
        rest = await asyncio.wait_for(reader.read(), 2)  # the server closed its side too
        writer.close()
        await server.stop()
        return seconds, rest

    seconds, rest = asyncio.run(main())
    assert seconds < 0.5
    assert not rest.endswith(b"0\r\n\r\n")  # cut, not a finished answer


def test_a_client_that_sends_its_whole_body_first_still_reads_the_413() -> None:
    """httpx (under the openai SDK) writes all of a body before it reads: the server drops
    the rest of a refused body and half-closes, so the client reads the 413 instead of a
    reset connection ("Connection error.")."""
    import httpx

    async def main() -> httpx.Response:
        server = Server(hello, Limits(max_body=1024))
        _, port = await server.start("127.0.0.1", 0)
        try:
            async with httpx.AsyncClient(trust_env=False) as client:
                url = f"http://127.0.0.1:{port}/v1/chat/completions"
                return await client.post(url, content=b"x" * (8 * 1024 * 1024))
        finally:
            await server.stop()

    response = asyncio.run(main())
    assert response.status_code == 413
    assert response.json()["error"]["message"] == "request body too large"


def test_a_body_coded_other_than_chunked_is_a_400_before_any_handler() -> None:
    """llhttp takes ``gzip, chunked`` and hands the gzip bytes on as the body; h11 refused
    it. The gateway reads JSON bodies only: refused, said why."""
    seen: list[Request] = []

    async def handler(request: Request) -> Reply:
        seen.append(request)
        return Reply(200)

    data = asyncio.run(exchange(handler, (
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
        b"2\r\nhi\r\n0\r\n\r\n"
    )))  # fmt: skip
    assert data.startswith(b"HTTP/1.1 400 ")
    assert b"Transfer-Encoding 'gzip, chunked' is not supported" in data
    assert seen == []
