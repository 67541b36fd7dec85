"""httpcore's network backend written on asyncio's own transports and protocols.

httpcore reads and writes through a network backend (``httpcore.AsyncNetworkBackend`` and
its ``AsyncNetworkStream``, a documented seam). Its default, on asyncio, is anyio's, which
pays per read and per write for a ``fail_after`` cancel scope, ``current_async_library()``
and a checkpoint, pauses and resumes the socket's reading around every read, and spawns a
task group per connect (happy eyeballs, even for one address): about 15 % of the gateway's
CPU per turn went there (profiles in the wire's notes; ``benchmarks/wire_cost.py``).

Here a connection is one :class:`asyncio.Protocol` that is also httpcore's stream:

* bytes the loop receives go into a buffer; a read that finds bytes buffered returns them
  at once (no await, no timer); only a read that has to wait makes one future, and arms
  one timer when it has a timeout. Past ``HIGH_WATER`` bytes buffered the socket stops
  being read until a read takes the buffer below ``LOW_WATER`` (flow control);
* a write hands the bytes to the transport (which sends at once what the socket takes) and
  waits only while the transport's buffer is over its limit; small writes made one after
  the other (httpcore writes a request's head, then its body) are held until the task
  reads or lets the loop run, and go out in one ``send``: on loopback each ``send`` also
  does the receiver's TCP work, and the upstream request's two sends were a fifth of the
  gateway's samples (py-spy);
* whether an idle connection is readable (httpcore drops a kept-alive connection the
  server closed or wrote to) is known from what the loop already received: no ``poll``;
* TLS (https, and inside a proxy's CONNECT tunnel) is ``loop.start_tls``; closing aborts
  the transport and lets the loop run once, so the socket is closed when ``aclose``
  returns (a stream nobody reads stops at once: Venice bills for what it generates).

The exceptions are httpcore's, mapped as its anyio backend maps them: a refused or failed
connect is ``ConnectError`` (carrying the ``OSError``), a connect or TLS handshake past its
timeout ``ConnectTimeout``, a failed handshake (certificate) ``ConnectError`` carrying the
``ssl.SSLError``, then ``ReadError`` / ``ReadTimeout`` / ``WriteError`` / ``WriteTimeout``.

It runs on asyncio only (the wire is asyncio's). httpx 0.28 has no parameter for a
backend: :func:`install` sets the private ``_network_backend`` of the transport's httpcore
pool; when that is not where httpcore 1.0 keeps it, the transport keeps httpcore's own
backend and one warning on ``openclaw_venice.wire`` says so (``tests/test_wire_backend.py``
pins that the backend is in use).

httpcore's locks are anyio's too (``anyio.Lock``: its acquire yields to the loop even when
nobody holds it; a request takes three, so a one-chunk turn took 5 rounds of the loop instead
of 2). :func:`install` also has each connection of the pool swap them for
:class:`AsyncioLock`: the connection's private ``_request_lock`` / ``_connect_lock`` when it is
made, its HTTP/1.1 connection's ``_state_lock`` once its first request is answered; where
httpcore keeps them elsewhere they stay anyio's (slower, the same behaviour), and a test pins
the swap.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import ipaddress
import logging
import ssl
import typing

import httpcore

__all__ = ["BACKEND", "AsyncioBackend", "AsyncioStream", "install"]

HIGH_WATER = 256 * 1024  # bytes buffered before the socket stops being read
LOW_WATER = 64 * 1024  # ...and is read again below this
HOLD_LIMIT = 64 * 1024  # writes held to go out in one send, at most
HAPPY_EYEBALLS_DELAY = 0.25  # seconds before the next address of a name is tried too

SocketOption = typing.Any  # httpcore's SOCKET_OPTION: (level, option, value[, length])


class AsyncioStream(asyncio.Protocol, httpcore.AsyncNetworkStream):
    """One connection: the protocol its transport feeds and the stream httpcore reads."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._transport: asyncio.Transport | None = None
        self._chunks: collections.deque[bytes] = collections.deque()
        self._offset = 0  # bytes of the first chunk already read
        self._size = 0  # bytes buffered, not yet read
        self._reading_paused = False
        self._eof = False  # the peer will send no more
        self._lost = False  # the connection is gone (``_error``: why, if not a clean end)
        self._error: BaseException | None = None
        self._closed = False  # closed on our side
        self._waiter: asyncio.Future[None] | None = None  # a read waiting for bytes
        self._writing_paused = False  # the transport's buffer is over its limit
        self._held: list[bytes] = []  # small writes not yet handed to the transport
        self._held_size = 0
        self._drained: asyncio.Future[None] | None = None  # a write waiting for room

    # -- asyncio.Protocol: called by the loop ------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = typing.cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self._chunks.append(data)
        self._size += len(data)
        if self._size > HIGH_WATER and not self._reading_paused and self._transport:
            self._reading_paused = True
            self._transport.pause_reading()
        self._wake()

    def eof_received(self) -> None:
        self._eof = True
        self._wake()
        # None: the transport closes itself (an HTTP/1.1 peer that stops sending is done)

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost, self._eof = True, True
        self._error = exc
        self._wake()
        self._writing_paused = False
        _resolve(self._drained)

    def pause_writing(self) -> None:
        self._writing_paused = True

    def resume_writing(self) -> None:
        self._writing_paused = False
        _resolve(self._drained)

    def _wake(self) -> None:
        _resolve(self._waiter)

    # -- httpcore.AsyncNetworkStream ----------------------------------------------------

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self._held:
            self._flush()
        while not self._size:
            if self._closed:
                raise httpcore.ReadError("the connection was closed")
            if self._eof:
                if self._error is not None:
                    raise httpcore.ReadError(self._error) from self._error
                return b""
            await self._wait_for_bytes(timeout)
        return self._take(max_bytes)

    async def _wait_for_bytes(self, timeout: float | None) -> None:
        waiter = self._waiter = self._loop.create_future()
        timer = None if timeout is None else self._loop.call_later(timeout, _expire, waiter)
        try:
            await waiter
        except TimeoutError:
            raise httpcore.ReadTimeout(f"no byte within {_seconds(timeout)}") from None
        finally:
            self._waiter = None
            if timer is not None:
                timer.cancel()

    def _take(self, max_bytes: int) -> bytes:
        """Up to ``max_bytes`` of the first buffered chunk (one slice copied at most)."""
        chunks = self._chunks
        head, start = chunks[0], self._offset
        if start == 0 and len(head) <= max_bytes:
            piece = chunks.popleft()  # the common case: the chunk as the loop received it
        else:
            end = start + max_bytes
            piece = head[start:end]
            if end >= len(head):
                chunks.popleft()
                self._offset = 0
            else:
                self._offset = end
        self._size -= len(piece)
        if self._reading_paused and self._size <= LOW_WATER and not self._lost:
            self._reading_paused = False
            if self._transport is not None:
                self._transport.resume_reading()
        return piece

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        if self._closed or self._lost or self._transport is None:
            cause = self._error
            raise httpcore.WriteError(cause or "the connection was closed") from cause
        if self._held_size + len(buffer) <= HOLD_LIMIT and not self._writing_paused:
            if not self._held:  # out when the task reads or waits, whichever comes first
                self._loop.call_soon(self._flush)
            self._held.append(buffer)
            self._held_size += len(buffer)
            return
        self._flush()
        self._transport.write(buffer)
        if not self._writing_paused:
            return  # sent, or buffered under the transport's limit
        drained = self._drained = self._loop.create_future()
        timer = None if timeout is None else self._loop.call_later(timeout, _expire, drained)
        try:
            await drained
        except TimeoutError:
            raise httpcore.WriteTimeout(f"could not write within {_seconds(timeout)}") from None
        finally:
            self._drained = None
            if timer is not None:
                timer.cancel()
        if self._lost:
            cause = self._error
            raise httpcore.WriteError(cause or "the connection was closed") from cause

    def _flush(self) -> None:
        held = self._held
        if held and not (self._closed or self._lost) and self._transport is not None:
            self._transport.write(held[0] if len(held) == 1 else b"".join(held))
        held.clear()
        self._held_size = 0

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._held.clear()
        transport = self._transport
        if transport is None or self._lost:
            return
        transport.abort()  # the loop closes the socket in its next round...
        await asyncio.sleep(0)  # ...which runs before this task resumes

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        transport = self._transport
        if transport is None or self._closed or self._lost:
            raise httpcore.ConnectError("the connection closed before TLS began")
        self._flush()
        tls = AsyncioStream(self._loop)
        try:
            async with asyncio.timeout(timeout):
                inner = await self._loop.start_tls(
                    transport, tls, ssl_context, server_hostname=server_hostname
                )
        except TimeoutError as exc:
            await self.aclose()
            raise httpcore.ConnectTimeout(f"no TLS handshake within {_seconds(timeout)}") from exc
        except (OSError, EOFError) as exc:  # ssl.SSLError is an OSError
            await self.aclose()
            raise httpcore.ConnectError(exc) from exc
        except BaseException:
            await self.aclose()
            raise
        if inner is None:  # pragma: no cover (the loop closed the connection)
            raise httpcore.ConnectError("the connection closed during the TLS handshake")
        tls.connection_made(inner)
        return tls

    def get_extra_info(self, info: str) -> typing.Any:
        transport = self._transport
        if info == "is_readable":  # bytes, an end or a close: what a poll would say
            return bool(self._size) or self._eof or self._closed or transport is None
        if transport is None:
            return None
        if info == "ssl_object":
            return transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return transport.get_extra_info("sockname")
        if info == "server_addr":
            return transport.get_extra_info("peername")
        if info == "socket":
            return transport.get_extra_info("socket")
        return None


def _seconds(timeout: float | None) -> str:
    """A TimeoutError may also be the kernel's (ETIMEDOUT), with no timeout of ours."""
    return "the time allowed" if timeout is None else f"{timeout:g} s"


def _resolve(future: asyncio.Future[None] | None) -> None:
    if future is not None and not future.done():
        future.set_result(None)


def _expire(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_exception(TimeoutError())


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Connections as :class:`AsyncioStream` on the running asyncio loop."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        local = None if local_address is None else (local_address, 0)
        # a name may have several addresses: race them (RFC 8305), as anyio did; an address
        # needs no race (and no task for one)
        delay = None if _is_address(host) else HAPPY_EYEBALLS_DELAY
        try:
            async with asyncio.timeout(timeout):
                _, stream = await loop.create_connection(
                    lambda: AsyncioStream(loop), host, port,
                    local_addr=local, happy_eyeballs_delay=delay,
                )  # fmt: skip
        except TimeoutError as exc:  # before OSError: a TimeoutError is one
            raise httpcore.ConnectTimeout(f"no connection within {_seconds(timeout)}") from exc
        except OSError as exc:
            raise httpcore.ConnectError(exc) from exc
        return _with_options(stream, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                _, stream = await loop.create_unix_connection(lambda: AsyncioStream(loop), path)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"no connection within {_seconds(timeout)}") from exc
        except OSError as exc:
            raise httpcore.ConnectError(exc) from exc
        return _with_options(stream, socket_options)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def _with_options(
    stream: AsyncioStream, options: typing.Iterable[SocketOption] | None
) -> AsyncioStream:
    if options:
        sock = stream.get_extra_info("socket")
        try:
            for option in options:
                sock.setsockopt(*option)
        except OSError as exc:
            if stream._transport is not None:
                stream._transport.abort()
            raise httpcore.ConnectError(exc) from exc
    return stream


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


try:
    from httpcore._synchronization import AsyncLock as _HTTPCORE_LOCK
except ImportError:  # pragma: no cover (moved: nothing is swapped)
    _HTTPCORE_LOCK = None  # type: ignore[assignment,misc]

BACKEND = AsyncioBackend()
"""One backend serves every pool: it keeps no state of its own."""


def install(transport: typing.Any) -> bool:
    """Make ``transport`` (an ``httpx.AsyncHTTPTransport``) connect through :data:`BACKEND`,
    its connections locking with :class:`AsyncioLock`; False (and one warning) when its
    httpcore pool is not where httpcore 1.0 keeps it."""
    pool = getattr(transport, "_pool", None)
    if isinstance(getattr(pool, "_network_backend", None), httpcore.AsyncNetworkBackend):
        pool._network_backend = BACKEND  # type: ignore[union-attr]
        make = getattr(pool, "create_connection", None)
        if callable(make):
            pool.create_connection = _with_asyncio_locks(make)  # type: ignore[union-attr]
        return True
    _cannot_install()
    return False


class AsyncioLock:
    """httpcore's ``AsyncLock`` on asyncio's own lock. httpcore's takes an ``anyio.Lock``,
    whose acquire yields to the loop even when nobody holds it (6.3 µs against 0.33 µs, and
    one more round of the loop each): a request takes three (the connection's request lock,
    its HTTP/1.1 state lock as it starts and as its answer is closed; through a proxy, one
    more)."""

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> AsyncioLock:
        await self._lock.acquire()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._lock.release()


# AsyncHTTPConnection's, AsyncHTTP11Connection's, a proxy connection's (one a request each)
LOCKS = ("_request_lock", "_state_lock", "_connect_lock")


def _with_asyncio_locks(make: typing.Callable[[typing.Any], typing.Any]) -> typing.Any:
    """``pool.create_connection`` whose connections swap httpcore's locks for
    :class:`AsyncioLock`: their own at once, their HTTP/1.1 connection's once the first
    request is answered (it exists only from then; none of its locks is held between
    requests). Where httpcore keeps them elsewhere, nothing is swapped: the locks stay
    httpcore's (slower, the same behaviour)."""

    def create_connection(origin: typing.Any) -> typing.Any:
        connection = make(origin)
        _swap_locks(connection)  # its own, unused yet (a cold burst's first requests)
        first_request = connection.handle_async_request

        async def handle_async_request(request: typing.Any) -> typing.Any:
            try:
                return await first_request(request)
            finally:
                with contextlib.suppress(AttributeError):
                    del connection.handle_async_request  # the class's own from now on
                _swap_locks(connection)
                _swap_locks(getattr(connection, "_connection", None))

        connection.handle_async_request = handle_async_request
        return connection

    return create_connection


def _swap_locks(connection: typing.Any) -> None:
    for name in LOCKS:
        lock = getattr(connection, name, None)
        if lock is not None and type(lock) is _HTTPCORE_LOCK and not _held(lock):
            setattr(connection, name, AsyncioLock())


def _held(lock: typing.Any) -> bool:
    inner = getattr(lock, "_anyio_lock", None)  # made at its first use
    return inner is not None and bool(inner.locked())


_warned: list[bool] = []


def _cannot_install() -> None:
    if not _warned:
        _warned.append(True)
        logging.getLogger("openclaw_venice.wire").warning(
            "httpcore %s keeps its network backend where openclaw_venice does not look; "
            "using httpcore's own (slower, same behaviour): report it with your httpcore "
            "version",
            getattr(httpcore, "__version__", "?"),
        )
