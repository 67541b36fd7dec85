"""A small HTTP/1.1 server on asyncio streams and h11 (the protocol engine httpx already
brings), with the bounds a local gateway needs: header and body size caps, deadlines for
slow or idle clients, a cap on connections, and a stop that cancels every answer at once
(which closes the upstream streams behind them).

An application is ``async handle(request) -> Reply``; a reply's body is bytes or an async
iterator of bytes (streamed, chunked). While a streamed body is written, the connection is
watched: a client that goes away cancels the answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import h11

MAX_HEAD = 64 * 1024  # request line and headers
MAX_BODY = 32 * 1024 * 1024  # a turn with a few base64 images fits
IDLE_SECONDS = 60.0  # a kept-alive connection with no new request is closed after this
HEAD_SECONDS = 10.0  # from a request's first byte to the end of its headers
BODY_SECONDS = 60.0  # for the whole body
WRITE_SECONDS = 60.0  # a client that reads nothing of the answer for this long is dropped
MAX_CONNECTIONS = 4096
INTERNAL_ERROR = (
    b'{"error": {"message": "internal error in the gateway (see its log)", '
    b'"type": "server_error", "param": null, "code": null}}'
)


@dataclass(frozen=True, slots=True)
class Limits:
    max_head: int = MAX_HEAD
    max_body: int = MAX_BODY
    idle: float = IDLE_SECONDS
    head: float = HEAD_SECONDS
    body: float = BODY_SECONDS
    write: float = WRITE_SECONDS
    max_connections: int = MAX_CONNECTIONS


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    target: str  # path and query, as sent
    headers: dict[str, str]  # names lower-cased; a repeated header's last value
    body: bytes


@dataclass(slots=True)
class Reply:
    status: int
    body: bytes | AsyncIterator[bytes] = b""
    headers: Sequence[tuple[str, str]] = field(default_factory=tuple)
    content_type: str = "application/json"


Handler = Callable[[Request], Awaitable[Reply]]


class TooLarge(Exception):
    pass


class Server:
    """Serves ``handler`` on one listening socket until :meth:`stop`."""

    def __init__(self, handler: Handler, limits: Limits | None = None) -> None:
        self.handler = handler
        self.limits = limits or Limits()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, host: str, port: int) -> tuple[str, int]:
        """Listen; returns the address bound (``port`` 0 picks a free one)."""
        self._server = await asyncio.start_server(
            self._connection, host, port, limit=self.limits.max_head, backlog=1024
        )
        address = self._server.sockets[0].getsockname()
        return str(address[0]), int(address[1])

    @property
    def connections(self) -> int:
        return len(self._tasks)

    async def stop(self) -> None:
        """Stop accepting, then cancel every connection's work now: a streamed answer ends
        where it is and its upstream stream is closed by the cancellation."""
        if self._server is not None:
            self._server.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        if len(self._tasks) >= self.limits.max_connections:
            writer.write(_plain(503, b"too many connections; try again later"))
            writer.close()
            return
        self._tasks.add(task)
        try:
            await _Connection(self, reader, writer).run()
        except (ConnectionError, TimeoutError, h11.ProtocolError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass  # stopped: the task ends here (asyncio's stream callback logs a cancelled one)
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):  # the peer may be gone already
                await asyncio.wait_for(writer.wait_closed(), 1.0)


def _plain(status: int, text: bytes) -> bytes:
    """An answer sent before any handler saw the request, in OpenAI's error shape (what every
    client of the gateway reads), and the connection's end."""
    reason = {400: b"Bad Request", 408: b"Request Timeout", 413: b"Payload Too Large"}
    kind = "server_error" if status >= 500 else "invalid_request_error"
    body = json.dumps(
        {"error": {"message": text.decode(), "type": kind, "param": None, "code": None}}
    ).encode()
    return (
        b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
        b"Connection: close\r\n\r\n%s"
        % (status, reason.get(status, b"Service Unavailable"), len(body), body)
    )


class _Connection:
    __slots__ = (
        "body", "conn", "flush_soon", "limits", "loop", "pending", "queued", "reader", "server",
        "writer",
    )  # fmt: skip

    def __init__(
        self, server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.server, self.reader, self.writer = server, reader, writer
        self.limits = server.limits
        self.conn = h11.Connection(h11.SERVER, max_incomplete_event_size=self.limits.max_head)
        self.loop = asyncio.get_running_loop()
        self.pending: list[bytes] = []  # bytes to send, in order
        self.body: list[bytes] = []  # body pieces after them, framed together at the flush
        self.queued = 0
        self.flush_soon = False

    async def run(self) -> None:
        while True:
            try:
                request = await self._request()
            except TooLarge:
                self.writer.write(_plain(413, b"request body too large"))
                return
            except TimeoutError:
                if self.conn.their_state is h11.SEND_BODY or self._mid_head():
                    self.writer.write(_plain(408, b"request too slow"))
                return
            except h11.RemoteProtocolError:
                self.writer.write(_plain(400, b"malformed HTTP request"))
                return
            if request is None:
                return
            try:
                reply = await self.server.handler(request)
            except Exception as exc:  # a bug: one line in the log, a 500 to the client
                import sys

                print(f"gateway: internal error ({type(exc).__name__}; a bug)", file=sys.stderr)
                reply = Reply(500, INTERNAL_ERROR)
            await self._send(reply)
            self._flush()
            if self.conn.our_state is not h11.DONE or self.conn.their_state is not h11.DONE:
                return
            self.conn.start_next_cycle()

    def _mid_head(self) -> bool:
        return self.conn.their_state is h11.IDLE and bool(self.conn.trailing_data[0])

    async def _receive(self, deadline: float) -> None:
        remaining = deadline - self.loop.time()
        if remaining <= 0:
            raise TimeoutError
        async with asyncio.timeout(remaining):  # no task per read, as wait_for makes on 3.11
            data = await self.reader.read(65536)
        self.conn.receive_data(data)

    async def _request(self) -> Request | None:
        """The next request, whole; None when the client closed the connection."""
        limits = self.limits
        deadline = self.loop.time() + limits.idle
        started = False
        while True:
            event = self.conn.next_event()
            if event is h11.NEED_DATA:
                if not started and self.conn.trailing_data[0]:
                    started = True
                    deadline = min(deadline, self.loop.time() + limits.head)
                await self._receive(deadline)
                if not started and self.conn.trailing_data[0]:
                    started = True
                    deadline = min(deadline, self.loop.time() + limits.head)
                continue
            if isinstance(event, h11.ConnectionClosed):
                return None
            if isinstance(event, h11.Request):
                break
            return None
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in event.headers}
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > limits.max_body:
            raise TooLarge
        body = bytearray()
        deadline = self.loop.time() + limits.body
        while True:
            part = self.conn.next_event()
            if part is h11.NEED_DATA:
                await self._receive(deadline)
                continue
            if isinstance(part, h11.Data):
                body += part.data
                if len(body) > limits.max_body:
                    raise TooLarge
                continue
            if isinstance(part, h11.EndOfMessage):
                break
            return None  # closed mid-body
        method = event.method.decode("ascii", "replace")
        target = event.target.decode("ascii", "replace")
        return Request(method, target, headers, bytes(body))

    async def _write(self, data: bytes, body: bool = False) -> None:
        """Queue ``data`` (a piece of a streamed body when ``body``); it is sent when this
        task next waits (or the queue is large), so the pieces of an answer made from one
        upstream read leave in one chunk of one segment."""
        if body:
            self.body.append(data)
        else:
            self._frame_body()
            self.pending.append(data)
        self.queued += len(data)
        if not self.flush_soon:
            self.flush_soon = True
            self.loop.call_soon(self._flush)
        if self.queued > 65536:
            self._flush()
        if self.writer.transport.get_write_buffer_size() > 65536:
            async with asyncio.timeout(self.limits.write):
                await self.writer.drain()

    def _frame_body(self) -> None:
        if self.body:
            self.pending.append(self.conn.send(h11.Data(data=b"".join(self.body))))
            self.body.clear()

    def _flush(self) -> None:
        self.flush_soon = False
        if not self.writer.is_closing():
            self._frame_body()
            if self.pending:
                self.writer.write(b"".join(self.pending))
        self.pending.clear()
        self.body.clear()
        self.queued = 0

    async def _send(self, reply: Reply) -> None:
        headers = [("Content-Type", reply.content_type), *reply.headers]
        body = reply.body
        if isinstance(body, bytes):
            headers.append(("Content-Length", str(len(body))))
            data = self.conn.send(h11.Response(status_code=reply.status, headers=headers))
            data += self.conn.send(h11.Data(data=body)) + self.conn.send(h11.EndOfMessage())
            await self._write(data)
            return
        headers.append(("Cache-Control", "no-cache"))
        await self._write(self.conn.send(h11.Response(status_code=reply.status, headers=headers)))
        watcher = asyncio.ensure_future(self._client_gone())
        streaming = asyncio.ensure_future(self._stream(body))
        try:
            done, _ = await asyncio.wait((watcher, streaming), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (watcher, streaming):
                task.cancel()
            await asyncio.gather(watcher, streaming, return_exceptions=True)
        if streaming in done and streaming.exception() is None:
            await self._write(self.conn.send(h11.EndOfMessage()))
            self._flush()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.limits.write):
                    await self.writer.drain()

    async def _stream(self, body: AsyncIterator[bytes]) -> None:
        try:
            async for piece in body:
                if piece:
                    await self._write(piece, body=True)
        finally:
            close = getattr(body, "aclose", None)
            if close is not None:
                await close()

    async def _client_gone(self) -> None:
        """Returns when the client closed its side (or sent more than a next request)."""
        while True:
            data = await self.reader.read(65536)
            if not data:
                return
            self.conn.receive_data(data)  # a pipelined next request: kept for the next cycle
