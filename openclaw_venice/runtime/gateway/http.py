"""A small HTTP/1.1 server on an asyncio Protocol and httptools (llhttp, the parser uvicorn
uses), with the bounds a local gateway needs: header and body size caps, deadlines for slow
or idle clients, a cap on connections, and a stop that cancels every answer at once (which
closes the upstream streams behind them).

An application is ``async handle(request) -> Reply``; a reply's body is bytes or an async
iterator of bytes (streamed, chunked). Each request is answered in one task; a client that
goes away (its connection lost or its side closed) cancels that task, so a streamed answer
ends where it is.

Per request the server costs a parse in C, one task, the answer's bytes framed by hand and
written once per event-loop step (the pieces made from one upstream read leave together),
and no timer work while requests come back to back (one lazy deadline per connection).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

MAX_HEAD = 64 * 1024  # request line and headers
MAX_BODY = 32 * 1024 * 1024  # a turn with a few base64 images fits
IDLE_SECONDS = 60.0  # a kept-alive connection with no new request is closed after this
HEAD_SECONDS = 10.0  # from a request's first byte to the end of its headers
BODY_SECONDS = 60.0  # for the whole body
WRITE_SECONDS = 60.0  # a client that reads nothing of the answer for this long is dropped
MAX_CONNECTIONS = 4096
HIGH_WATER = 64 * 1024  # bytes queued before they are written without waiting for the step
INTERNAL_ERROR = (
    b'{"error": {"message": "internal error in the gateway (see its log)", '
    b'"type": "server_error", "param": null, "code": null}}'
)
_REASONS = {s.value: s.phrase.encode("ascii") for s in HTTPStatus}


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


class Server:
    """Serves ``handler`` on one listening socket until :meth:`stop`."""

    def __init__(self, handler: Handler, limits: Limits | None = None) -> None:
        self.handler = handler
        self.limits = limits or Limits()
        self._server: asyncio.Server | None = None
        self._open: set[_Connection] = set()
        self._all_closed: asyncio.Event | None = None

    async def start(self, host: str, port: int) -> tuple[str, int]:
        """Listen; returns the address bound (``port`` 0 picks a free one)."""
        import httptools  # noqa: F401  (here, so a missing parser fails at start)

        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _Connection(self), host, port, backlog=1024)
        address = self._server.sockets[0].getsockname()
        return str(address[0]), int(address[1])

    @property
    def connections(self) -> int:
        return len(self._open)

    async def stop(self) -> None:
        """Stop accepting, then cancel every connection's work now: a streamed answer ends
        where it is and its upstream stream is closed by the cancellation."""
        if self._server is not None:
            self._server.close()
        tasks = [task for conn in list(self._open) if (task := conn.stop()) is not None]
        await asyncio.gather(*tasks, return_exceptions=True)
        for conn in list(self._open):  # (an answer cancelled before it began closes nothing)
            conn.transport.close()
        if self._open:  # closing: what is queued still goes out, for a second at most
            self._all_closed = asyncio.Event()
            try:
                async with asyncio.timeout(1.0):
                    await self._all_closed.wait()
            except TimeoutError:
                for conn in list(self._open):
                    conn.transport.abort()
        if self._server is not None:
            await self._server.wait_closed()

    def _closed(self, conn: _Connection) -> None:
        self._open.discard(conn)
        if not self._open and self._all_closed is not None:
            self._all_closed.set()


def _plain(status: int, text: bytes) -> bytes:
    """An answer sent before any handler saw the request, in OpenAI's error shape (what every
    client of the gateway reads), and the connection's end."""
    kind = "server_error" if status >= 500 else "invalid_request_error"
    body = json.dumps(
        {"error": {"message": text.decode(), "type": kind, "param": None, "code": None}}
    ).encode()
    return (
        b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
        b"Connection: close\r\n\r\n%s" % (status, _REASONS[status], len(body), body)
    )


class TooLarge(Exception):
    pass


class HeadTooLarge(Exception):
    pass


class BadHead(Exception):
    pass


#: headers the gateway's guards and framing read: sent twice, a request is refused (RFC 9112
#: 3.2 for Host), never judged by one of the two
SINGLE = frozenset({"host", "authorization", "origin", "content-length", "transfer-encoding"})


# where the parser is: between requests, in a head, in a body; closing after a refusal;
# dropping the rest of a refused body. (Whether an answer is being made is ``answering``.)
IDLE, HEAD, BODY, DONE, DROP = range(5)


class _Connection(asyncio.Protocol):
    """One client connection: httptools' callbacks build the request; a task answers it."""

    __slots__ = (
        "_body", "_body_size", "_chunked", "_deadline", "_drained", "_eof", "_flush_soon",
        "_head_bytes", "_head_size", "_head_start", "_headers", "_held", "_keep_alive", "_known",
        "_loop", "_out", "_parser", "_phase", "_pieces", "_queued", "_ready", "_timer", "_url",
        "limits", "server", "task", "transport",
    )  # fmt: skip

    def __init__(self, server: Server) -> None:
        self.server, self.limits = server, server.limits
        self._loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport = None  # type: ignore[assignment]
        self.task: asyncio.Task[None] | None = None
        self._parser: Any = None
        self._phase = IDLE
        self._deadline: float | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._head_bytes = 0  # bytes received of a head not yet whole
        self._known = 0  # bytes of the read being parsed that requests' parts are known to fill
        self._head_start = 0  # ...of them, those before the head being read began in it
        self._head_size = 0  # its request target and headers, as parsed
        self._url = b""
        self._headers: dict[str, str] = {}
        self._body: list[bytes] = []
        self._body_size = 0
        self._ready: deque[tuple[Request, bool, bool]] = deque()  # (request, keep-alive, 1.1)
        self._held = bytearray()  # bytes that came while an answer was being made
        self._eof = False
        self._keep_alive = True
        self._chunked = True
        self._out: list[bytes] = []  # bytes to send, in order
        self._pieces: list[bytes] = []  # body pieces after them, framed together at the flush
        self._queued = 0
        self._flush_soon = False
        self._drained: asyncio.Future[None] | None = None  # set while the transport is full

    # -- asyncio.Protocol ---------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        if len(self.server._open) >= self.limits.max_connections:
            transport.write(_plain(503, b"too many connections; try again later"))
            transport.close()
            return
        import httptools

        self.server._open.add(self)
        self._parser = httptools.HttpRequestParser(self)
        self._wait_for(self._loop.time() + self.limits.idle)

    def connection_lost(self, exc: Exception | None) -> None:
        self.server._closed(self)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.task is not None:
            self.task.cancel()  # the client is gone: so is its answer
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    def eof_received(self) -> bool:
        """The client closed its side: it is gone (as nginx reads it), so is its answer;
        the connection closes."""
        self._eof = True
        if self.task is not None:
            self.task.cancel()
        return False

    @property
    def answering(self) -> bool:
        return self.task is not None or bool(self._ready)

    def data_received(self, data: bytes) -> None:
        if self._phase == DROP:
            return
        if self.answering:  # later requests wait their turn
            self._held += data
            if len(self._held) > self.limits.max_head:
                self.transport.pause_reading()
            return
        self._feed(data)

    def pause_writing(self) -> None:
        self._drained = self._loop.create_future()

    def resume_writing(self) -> None:
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)
        self._drained = None

    # -- reading (httptools' callbacks) -------------------------------------------------
    def _feed(self, data: bytes) -> None:
        import httptools

        self._known = self._head_start = 0
        try:
            self._parser.feed_data(data)
        except (httptools.HttpParserError, httptools.HttpParserUpgrade) as exc:
            cause = exc.__context__
            if self._ready:  # answer the requests before it, then close
                self._ready[-1] = (self._ready[-1][0], False, self._ready[-1][2])
            elif isinstance(cause, TooLarge):
                return self._refuse(413, b"request body too large", drop_body=True)
            elif isinstance(cause, HeadTooLarge):
                return self._refuse(431, b"request headers too large")
            elif isinstance(cause, BadHead):
                return self._refuse(400, str(cause).encode())
            elif isinstance(exc, httptools.HttpParserCallbackError):
                raise
            else:
                return self._refuse(400, b"malformed HTTP request")
        if self._phase == HEAD:  # a head not yet whole: what came of it so far (at most: the
            # parts of requests before it in this read are taken off, their framing is not)
            self._head_bytes += len(data) - self._head_start
            if self._head_bytes > self.limits.max_head and not self._ready:
                return self._refuse(431, b"request headers too large")
        if self._ready:
            self._answer_next()
        elif self._deadline is not None:
            self._wait_for(self._deadline)

    def on_message_begin(self) -> None:
        self._phase = HEAD
        self._head_bytes = self._head_size = 0
        self._head_start = self._known
        if not self.answering:
            self._deadline = self._loop.time() + self.limits.head

    def on_url(self, url: bytes) -> None:
        self._url += url
        self._known += len(url)
        if len(self._url) > self.limits.max_head:
            raise HeadTooLarge

    def on_header(self, name: bytes, value: bytes) -> None:
        self._known += len(name) + len(value)
        if self._phase != HEAD:
            return  # a chunked body's trailer: the head alone says who asks and for what
        key = name.decode("latin-1").lower()
        if key in SINGLE and key in self._headers:
            raise BadHead(f"more than one {name.decode('latin-1')} header")
        self._headers[key] = value.decode("latin-1")
        self._head_size += len(name) + len(value) + 4  # a head that came in one piece
        if self._head_size > self.limits.max_head:
            raise HeadTooLarge

    def on_headers_complete(self) -> None:
        self._phase = BODY
        if not self.answering:
            self._deadline = self._loop.time() + self.limits.body
        coding = self._headers.get("transfer-encoding")
        if coding is not None and coding.strip().lower() != "chunked":
            raise BadHead(f"Transfer-Encoding {coding!r} is not supported; send chunked or not")
        length = self._headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.limits.max_body:
            raise TooLarge
        if self._headers.get("expect", "").lower() == "100-continue":
            self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def on_body(self, data: bytes) -> None:
        self._known += len(data)
        self._body_size += len(data)
        if self._body_size > self.limits.max_body:
            raise TooLarge
        self._body.append(data)

    def on_message_complete(self) -> None:
        parser = self._parser
        method = parser.get_method().decode("ascii", "replace")
        target = self._url.decode("ascii", "replace")
        body = b"".join(self._body) if self._body else b""
        request = Request(method, target, self._headers, body)
        keep_alive, chunked = parser.should_keep_alive(), parser.get_http_version() != "1.0"
        self._ready.append((request, keep_alive, chunked))
        self._url, self._headers, self._body, self._body_size = b"", {}, [], 0
        self._phase = IDLE

    # -- deadlines ----------------------------------------------------------------------
    def _wait_for(self, deadline: float) -> None:
        """Make sure the deadline timer fires by ``deadline`` (a later one is kept: it
        finds the deadline moved and sleeps again, so requests back to back cost none)."""
        self._deadline = deadline
        timer = self._timer
        if timer is None or timer.when() > deadline:
            if timer is not None:
                timer.cancel()
            self._timer = self._loop.call_at(deadline, self._expire)

    def _expire(self) -> None:
        self._timer = None
        deadline = self._deadline
        if deadline is None or self.answering:
            return  # the deadline is set again after the answer
        if self._loop.time() < deadline - 0.001:
            self._timer = self._loop.call_at(deadline, self._expire)
            return
        if self._phase in (HEAD, BODY):
            self._refuse(408, b"request too slow")
        else:  # idle, or the rest of a refused body never ended
            self.transport.close()

    def _refuse(self, status: int, text: bytes, drop_body: bool = False) -> None:
        """An answer of the server's own (before any handler), then the end. With
        ``drop_body``, what the client still sends of its body is read and dropped until it
        closes (for ``limits.body`` at most): a client that writes its whole body before it
        reads (httpx, the openai SDK) then reads this answer instead of a reset connection."""
        self.transport.write(_plain(status, text))
        if drop_body and self.transport.can_write_eof():
            self.transport.write_eof()  # the answer is all there is
            self._phase = DROP
            self._wait_for(self._loop.time() + self.limits.body)
            return
        self._phase = DONE
        self._deadline = None
        self.transport.close()

    # -- answering ----------------------------------------------------------------------
    def stop(self) -> asyncio.Task[None] | None:
        task = self.task
        if task is not None:
            task.cancel()
        else:
            self.transport.close()
        return task

    def _answer_next(self) -> None:
        request, keep_alive, chunked = self._ready.popleft()
        self._keep_alive, self._chunked = keep_alive, chunked
        self.task = self._loop.create_task(self._answer(request))

    async def _answer(self, request: Request) -> None:
        transport = self.transport
        try:
            try:
                reply = await self.server.handler(request)
                head = self._head(reply)
            except Exception as exc:  # a bug: one line in the log, a 500 to the client
                print(f"gateway: internal error ({type(exc).__name__}; a bug)", file=sys.stderr)
                reply = Reply(500, INTERNAL_ERROR)
                head = self._head(reply)
            try:
                done = await self._send(head, reply.body, request.method == "HEAD")
            except (ConnectionError, TimeoutError):
                transport.abort()  # a client that reads nothing (or is gone)
                return
            except Exception as exc:  # the answer's source failed midway (a bug): cut it
                print(f"gateway: internal error ({type(exc).__name__}; a bug)", file=sys.stderr)
                self._flush()
                transport.close()  # the client reads what came and an unfinished answer
                return
        except BaseException:  # cancelled (the client left, or stop): the connection ends
            transport.close()
            raise
        finally:
            self.task = None
        if not done or not self._keep_alive or self._eof:
            transport.close()
            return
        # the next request: one that came meanwhile (in part: its time starts now), or wait
        limits = self.limits
        wait = {IDLE: limits.idle, HEAD: limits.head}.get(self._phase, limits.body)
        self._wait_for(self._loop.time() + wait)
        if self._ready:
            self._answer_next()
        elif self._held:
            held = bytes(self._held)
            self._held.clear()
            self.transport.resume_reading()
            self._feed(held)

    def _head(self, reply: Reply) -> list[bytes]:
        """The status line and headers of ``reply`` (without the framing ones)."""
        reason = _REASONS.get(reply.status, b"")
        head = [b"HTTP/1.1 %d %s\r\nContent-Type: " % (reply.status, reason),
                reply.content_type.encode("latin-1")]  # fmt: skip
        for name, value in reply.headers:
            line = f"\r\n{name}: {value}"
            if "\n" in line[2:] or "\r" in line[2:]:
                raise ValueError(f"a header of the answer holds a line break: {name}")
            head.append(line.encode("latin-1"))
        if not self._chunked and not isinstance(reply.body, bytes):
            self._keep_alive = False  # an HTTP/1.0 client: the stream ends with the connection
        if not self._keep_alive or self._eof:
            head.append(b"\r\nConnection: close")
        return head

    async def _send(
        self, head: list[bytes], body: bytes | AsyncIterator[bytes], head_only: bool
    ) -> bool:
        """Write the answer; False when it was cut short (the connection must end)."""
        if isinstance(body, bytes):
            head.append(b"\r\nContent-Length: %d\r\n\r\n" % len(body))
            if not head_only:
                head.append(body)
            self._write(b"".join(head))
            self._flush()
            await self._drain()
            return True
        if self._chunked:
            head.append(b"\r\nTransfer-Encoding: chunked")
        head.append(b"\r\nCache-Control: no-cache\r\n\r\n")
        self._write(b"".join(head))
        try:
            if self._eof or head_only:
                return head_only and not self._eof
            async for piece in body:
                if piece:
                    self._pieces.append(piece)
                    self._queued += len(piece)
                    if not self._flush_soon:
                        self._flush_soon = True
                        self._loop.call_soon(self._flush)
                    if self._queued > HIGH_WATER:
                        self._flush()
                    if self._drained is not None:
                        await self._drain()
        finally:
            close = getattr(body, "aclose", None)
            if close is not None:
                await close()
        if self._chunked:
            self._frame()
            self._out.append(b"0\r\n\r\n")
        self._flush()
        await self._drain()
        return True

    def _write(self, data: bytes) -> None:
        self._out.append(data)
        self._queued += len(data)

    def _frame(self) -> None:
        pieces = self._pieces
        if pieces:
            data = pieces[0] if len(pieces) == 1 else b"".join(pieces)
            pieces.clear()
            if self._chunked:
                self._out += (b"%x\r\n" % len(data), data, b"\r\n")
            else:
                self._out.append(data)

    def _flush(self) -> None:
        self._flush_soon = False
        self._frame()
        if self._out:
            if not self.transport.is_closing():
                self.transport.write(b"".join(self._out))
            self._out.clear()
        self._queued = 0

    async def _drain(self) -> None:
        """Wait while the client reads too slowly, for ``limits.write`` at most."""
        drained = self._drained
        if drained is not None:
            async with asyncio.timeout(self.limits.write):
                await asyncio.shield(drained)
