"""The wire's own httpcore network backend (wire/asyncio_backend.py), on real sockets.

The wire's connections are made and read by an asyncio-native backend instead of httpcore's
anyio one (issue 22 item 5, issue 23 item 6: anyio's per-read cancel scopes and per-connect
task group were ~15 % of the gateway's CPU). What a user sees must not change: every
failure below is the same one-line message as with httpcore's own backend (each scenario
runs through both, in the same test), plain http, https and both kinds of proxy tunnel
really go through the new one, a stream nobody reads closes its socket at once, and
nothing is left for ``python -X dev`` to warn about.

The backend's own promises (a read that finds bytes buffered does not wait; reading stops
past a high-water mark; timeouts; the socket closed when ``aclose`` returns) are tested on
plain loopback sockets at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import socket
import ssl
import struct
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpcore
import httpx
import pytest
from pydantic import SecretStr

from openclaw_venice import errors
from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.chat.options import StreamOptions
from openclaw_venice.runtime.ai import Context, UserMessage
from openclaw_venice.wire import asyncio_backend, route
from openclaw_venice.wire.asyncio_backend import BACKEND, AsyncioStream
from openclaw_venice.wire.client import Wire
from tests.support import faults, venice_wire
from tests.support.endless import EndlessStream
from tests.support.hygiene import CANARY
from tests.support.proxies import TunnelProxy
from tests.support.server import LocalServer, Reply, Request
from tests.support.tls import ca_file, https_server, https_url

MODEL = "venice/llama-3.3-70b"
PROMPT = Context(messages=[UserMessage("hi")])
ROWS = venice_wire.LLAMA_ROWS
BACKENDS = ["asyncio", "httpcore's own"]


answer = venice_wire.models_and_chat  # /models, then an "ok" stream


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    from openclaw_venice.wire import retry

    monkeypatch.setattr(retry, "backoff", lambda *args, **kwargs: 0.01)


@contextlib.contextmanager
def backend(kind: str) -> Iterator[None]:
    """The wire on the asyncio backend, or on httpcore's own (anyio's) as before."""
    if kind == "asyncio":
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(asyncio_backend, "install", lambda transport: False)
        yield


def turn_text(base_url: str, env: dict[str, str], timeout: float = 5.0) -> str:
    """The answer of one turn, or its one-line error message."""

    async def go() -> str:
        async with VeniceChat(
            CANARY, base_url=base_url, catalog=load_bundle(), env=env
        ) as chat:
            try:
                options = StreamOptions(timeout=timeout)
                return (await chat.complete(MODEL, PROMPT, options, stream=False)).text
            except errors.VeniceError as exc:
                return f"{type(exc).__name__}: {exc}"

    return asyncio.run(go())


def on_both(scenario: Callable[[], str]) -> dict[str, str]:
    out = {}
    for kind in BACKENDS:
        with backend(kind):
            out[kind] = scenario()
    return out


# -- what a user sees: the same one-line errors --------------------------------------------------


def test_a_refused_connection_is_the_same_error(quick: None) -> None:
    with faults.refused_url() as url:
        seen = on_both(lambda: turn_text(url + "/api/v1", {}))
    host = url.removeprefix("http://")
    assert seen["asyncio"] == (
        f"VeniceConnectionError: could not reach Venice at {host} (ConnectError, 3 attempts); "
        "check your connection and try again"
    )
    assert seen["asyncio"] == seen["httpcore's own"]


def test_a_server_that_closes_mid_body_is_the_same_error(
    server: LocalServer, quick: None
) -> None:
    def cut(request: Request) -> None:
        handler = request.handler
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", "5000")
        handler.end_headers()
        handler.wfile.write(b'{"id": "chatcmpl-1", "choi')
        handler.wfile.flush()
        handler.connection.shutdown(socket.SHUT_RDWR)

    server.respond(cut)
    seen = on_both(lambda: turn_text(server.url + "/api/v1", {}))
    assert seen["asyncio"] == (
        "StreamFormatError: the answer was cut (RemoteProtocolError); try again"
    )
    assert seen["asyncio"] == seen["httpcore's own"]


def test_a_reset_mid_body_is_the_same_error(server: LocalServer, quick: None) -> None:
    server.respond(faults.reset_mid_stream(b'{"id": "chatcmpl-1"', content_type="application/json"))
    seen = on_both(lambda: turn_text(server.url + "/api/v1", {}))
    assert seen["asyncio"] == "StreamFormatError: the answer was cut (ReadError); try again"
    assert seen["asyncio"] == seen["httpcore's own"]


def test_a_body_that_stalls_is_the_same_timeout(server: LocalServer) -> None:
    server.respond(faults.body_stalls(b'{"id": "chatcmpl-1"', seconds=10))
    seen = on_both(lambda: turn_text(server.url + "/api/v1", {}, timeout=0.5))
    assert seen["asyncio"] == (
        "VeniceTimeoutError: Venice did not answer within 0.5 s; try again, or raise the timeout"
    )
    assert seen["asyncio"] == seen["httpcore's own"]


def test_an_untrusted_certificate_is_the_same_error(
    https: LocalServer, tmp_path: Path, quick: None
) -> None:
    url = https_url(https) + "/api/v1"  # the throwaway CA is not trusted: no SSL_CERT_FILE
    seen = on_both(lambda: turn_text(url, {}))
    port = https.httpd.server_address[1]
    assert seen["asyncio"] == (
        f"VeniceConnectionError: could not reach Venice at localhost:{port} "
        "(ConnectError, 3 attempts); check your connection and try again"
    )
    assert seen["asyncio"] == seen["httpcore's own"]
    assert https.requests == []  # nothing got past a handshake


def test_a_certificate_for_another_host_is_the_same_error(tmp_path: Path, quick: None) -> None:
    other = https_server(names=("venice.example",))
    other.respond(answer)
    try:
        url = https_url(other) + "/api/v1"
        env = {"SSL_CERT_FILE": ca_file(tmp_path)}  # trusted, but not for localhost
        seen = on_both(lambda: turn_text(url, env))
        assert "(ConnectError, 3 attempts)" in seen["asyncio"]
        assert seen["asyncio"] == seen["httpcore's own"]
        assert other.requests == []
        # and the handshake failed on the name, not on trust
        with pytest.raises(httpx.ConnectError, match=r"not valid for 'localhost'"):
            asyncio.run(_get(url + "/models", env))
    finally:
        other.stop()


async def _get(url: str, env: dict[str, str]) -> None:
    transport = route.async_transport(url, env)
    async with httpx.AsyncClient(transport=transport) as client:
        await client.get(url)


# -- the backend is the one in use ---------------------------------------------------------------


async def _network_stream(base_url: str, env: dict[str, str]) -> tuple[Any, bool]:
    """The network stream under one answer of the wire, and whether it speaks TLS."""
    wire = Wire(base_url, SecretStr(CANARY), env=env)
    async with wire, wire.open("GET", "/models", headers=wire.headers(), timeout=5) as response:
        await response.aread()
        network = response.extensions["network_stream"]
        return network, network.get_extra_info("ssl_object") is not None


def test_plain_http_goes_through_the_asyncio_backend(server: LocalServer) -> None:
    server.respond(answer)
    network, tls = asyncio.run(_network_stream(server.url + "/api/v1", {}))
    assert isinstance(network, AsyncioStream) and not tls


def test_https_goes_through_the_asyncio_backend(https: LocalServer, tmp_path: Path) -> None:
    env = {"SSL_CERT_FILE": ca_file(tmp_path)}
    network, tls = asyncio.run(_network_stream(https_url(https) + "/api/v1", env))
    assert isinstance(network, AsyncioStream) and tls
    assert len(https.requests) == 1


@pytest.mark.parametrize("kind", ["http", "socks5"])
def test_a_proxy_tunnel_goes_through_the_asyncio_backend(
    https: LocalServer, tmp_path: Path, kind: str
) -> None:
    proxy = TunnelProxy(kind).start()
    try:
        variables = (
            {"HTTPS_PROXY": proxy.url}
            if kind == "http"
            else {"ALL_PROXY": f"socks5h://127.0.0.1:{proxy.port}"}
        )
        env = {"SSL_CERT_FILE": ca_file(tmp_path), **variables}
        network, tls = asyncio.run(_network_stream(https_url(https) + "/api/v1", env))
        assert isinstance(network, AsyncioStream) and tls  # TLS started inside the tunnel
        assert proxy.targets == [("localhost", https.httpd.server_address[1])]
        assert proxy.tunnelled[:1] == b"\x16"  # a TLS handshake record went through it
        assert len(https.requests) == 1
    finally:
        proxy.stop()


def test_the_transport_carries_the_backend() -> None:
    transport = route.async_transport("https://api.venice.ai/api/v1", {})
    assert transport.inner._pool._network_backend is BACKEND  # type: ignore[attr-defined]


def test_without_httpcores_pool_the_transport_keeps_its_own_and_warns_once(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(asyncio_backend, "_warned", [])
    with caplog.at_level(logging.WARNING, logger="openclaw_venice.wire"):
        assert asyncio_backend.install(SimpleNamespace()) is False
        assert asyncio_backend.install(SimpleNamespace(_pool=SimpleNamespace())) is False
    said = [r.getMessage() for r in caplog.records if r.name == "openclaw_venice.wire"]
    assert len(said) == 1 and "httpcore's own" in said[0], said
    assert asyncio_backend.install(httpx.AsyncHTTPTransport()) is True


# -- closed at once ------------------------------------------------------------------------------


def test_closing_an_answer_mid_stream_closes_its_socket_at_once(server: LocalServer) -> None:
    endless = EndlessStream()
    server.respond(endless)

    async def scenario() -> tuple[int, int, bool]:
        async with Wire(server.url + "/api/v1", SecretStr(CANARY), env={}) as wire:
            headers = wire.headers("text/event-stream")
            async with wire.open("GET", "/endless", headers=headers, timeout=5) as response:
                sock = response.extensions["network_stream"].get_extra_info("socket")
                before = sock.fileno()
                async for _ in response.aiter_raw():
                    break
            after = sock.fileno()  # nothing ran on the loop since the answer closed...
            hung_up = endless.ended.wait(2.0)  # ...and the server saw it (loop blocked)
            return before, after, hung_up

    before, after, hung_up = asyncio.run(scenario())
    assert before >= 0 and after == -1 and hung_up


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_closing_the_wire_closes_its_kept_connections_at_once(
    server: LocalServer, https: LocalServer, tmp_path: Path, scheme: str
) -> None:
    server.respond(answer)
    base = server.url if scheme == "http" else https_url(https)
    env = {"SSL_CERT_FILE": ca_file(tmp_path)}

    async def scenario() -> tuple[int, int]:
        wire = Wire(base + "/api/v1", SecretStr(CANARY), env=env)
        async with wire.open("GET", "/models", headers=wire.headers(), timeout=5) as response:
            await response.aread()
            sock = response.extensions["network_stream"].get_extra_info("socket")
        kept = sock.fileno()  # read to its end: back in the pool, open
        await wire.aclose()
        return kept, sock.fileno()

    kept, closed = asyncio.run(scenario())
    assert kept >= 0 and closed == -1


def test_nothing_for_python_dev_mode_to_warn_about(
    server: LocalServer, https: LocalServer, tmp_path: Path
) -> None:
    """Answers read, an answer dropped mid-stream, a refused connect, a failed handshake and
    a tunnel, each closed as a user would, under ``python -X dev`` (every ResourceWarning
    shown: an unclosed socket, transport or event loop)."""
    endless = EndlessStream()
    chats: list[Request] = []

    def respond(request: Request) -> Reply | None:
        if "chat" in request.path:
            chats.append(request)
            if len(chats) == 1:
                return endless(request)
        return answer(request)

    server.respond(respond)
    proxy = TunnelProxy("http").start()
    refused = contextlib.ExitStack()
    refused_url = refused.enter_context(faults.refused_url())
    script = tmp_path / "use_the_wire.py"
    script.write_text(textwrap.dedent(f"""
        import asyncio
        from openclaw_venice.catalog import load_bundle
        from openclaw_venice.chat.client import VeniceChat
        from openclaw_venice.runtime.ai import Context, UserMessage
        from openclaw_venice.errors import VeniceError

        KEY = "sk-not-a-real-key-0123456789"
        PROMPT = Context(messages=[UserMessage("hi")])

        async def main():
            async with VeniceChat(KEY, base_url={server.url + "/api/v1"!r},
                                  catalog=load_bundle(), env={{}}) as chat:
                events = chat.stream("venice/llama-3.3-70b", PROMPT)
                async for event in events:
                    if event.type == "text_delta":
                        break
                await events.aclose()
            for url, env in [
                ({server.url + "/api/v1"!r}, {{}}),
                ({https_url(https) + "/api/v1"!r}, {{"SSL_CERT_FILE": {ca_file(tmp_path)!r}}}),
                ({https_url(https) + "/api/v1"!r},
                 {{"SSL_CERT_FILE": {ca_file(tmp_path)!r}, "HTTPS_PROXY": {proxy.url!r}}}),
                ({https_url(https) + "/api/v1"!r}, {{}}),  # untrusted: the handshake fails
                ({refused_url + "/api/v1"!r}, {{}}),  # refused
            ]:
                async with VeniceChat(KEY, base_url=url, catalog=load_bundle(), env=env) as chat:
                    try:
                        await chat.complete("venice/llama-3.3-70b", PROMPT)
                    except VeniceError as exc:
                        print("failed:", type(exc).__name__)
                    else:
                        print("answered")

        asyncio.run(main())
    """))
    try:
        done = subprocess.run(
            [sys.executable, "-X", "dev", str(script)],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        proxy.stop()
        refused.close()
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:3] == ["answered"] * 3, done.stdout
    assert done.stdout.count("failed:") == 2, done.stdout
    assert "ResourceWarning" not in done.stderr and "unclosed" not in done.stderr, done.stderr
    assert "Traceback" not in done.stderr, done.stderr


# -- the backend itself, on plain loopback sockets -----------------------------------------------


class Peer:
    """One loopback connection's far end, run by ``serve(conn)`` in a thread."""

    def __init__(self, serve: Callable[[socket.socket], None]) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(serve,), daemon=True)
        self.thread.start()

    def _run(self, serve: Callable[[socket.socket], None]) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:  # closed before the thread got here
            self.done.set()
            return
        with conn:
            try:
                serve(conn)
            except OSError:
                pass
            finally:
                self.done.set()

    def close(self) -> None:
        self.listener.close()
        self.thread.join(5)


@contextlib.contextmanager
def peer(serve: Callable[[socket.socket], None]) -> Iterator[Peer]:
    running = Peer(serve)
    try:
        yield running
    finally:
        running.close()


async def connect(port: int) -> AsyncioStream:
    stream = await BACKEND.connect_tcp("127.0.0.1", port, timeout=5)
    assert isinstance(stream, AsyncioStream)
    return stream


def test_a_read_that_finds_bytes_buffered_does_not_wait() -> None:
    sent = threading.Event()

    def serve(conn: socket.socket) -> None:
        conn.sendall(b"hello")
        sent.set()
        conn.recv(1)

    async def scenario() -> tuple[bytes, bool]:
        with peer(serve) as running:
            stream = await connect(running.port)
            sent.wait(5)
            while not stream.get_extra_info("is_readable"):  # the loop reads it in
                await asyncio.sleep(0.01)
            step = stream.read(1024, timeout=5)
            try:
                step.send(None)  # runs it to its end, or to its first wait
            except StopIteration as finished:
                got, waited = finished.value, False
            else:  # pragma: no cover (the failure being tested for)
                step.close()
                got, waited = b"", True
            await stream.aclose()
            return got, waited

    assert asyncio.run(scenario()) == (b"hello", False)


def test_a_read_waits_for_bytes_and_ends_at_the_peers_end() -> None:
    def serve(conn: socket.socket) -> None:
        conn.recv(100)  # after our write
        conn.sendall(b"one")
        conn.shutdown(socket.SHUT_WR)
        conn.recv(1)

    async def scenario() -> list[bytes]:
        with peer(serve) as running:
            stream = await connect(running.port)
            await stream.write(b"go", timeout=5)
            got = [await stream.read(1024, timeout=5), await stream.read(1024, timeout=5)]
            assert stream.get_extra_info("is_readable")  # an ended connection reads as ready
            await stream.aclose()
            return got

    assert asyncio.run(scenario()) == [b"one", b""]


def test_a_read_past_its_timeout_is_read_timeout() -> None:
    def serve(conn: socket.socket) -> None:
        conn.recv(1)  # sends nothing; returns when the client closes

    async def scenario() -> float:
        with peer(serve) as running:
            stream = await connect(running.port)
            loop = asyncio.get_running_loop()
            started = loop.time()
            with pytest.raises(httpcore.ReadTimeout):
                await stream.read(1024, timeout=0.2)
            waited = loop.time() - started
            assert not stream.get_extra_info("is_readable")
            await stream.aclose()
            return waited

    assert 0.19 <= asyncio.run(scenario()) < 3


def test_a_reset_is_read_error_and_a_closed_stream_refuses() -> None:
    def serve(conn: socket.socket) -> None:
        conn.recv(1)  # once the client is surely connected: a reset
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    async def scenario() -> None:
        with peer(serve) as running:
            stream = await connect(running.port)
            await stream.write(b"x", timeout=5)
            with pytest.raises(httpcore.ReadError):
                await stream.read(1024, timeout=5)
            with pytest.raises(httpcore.WriteError):
                await stream.write(b"more", timeout=5)
            await stream.aclose()
            await stream.aclose()  # twice is fine
        with peer(lambda conn: conn.recv(1)) as running:
            stream = await connect(running.port)
            await stream.aclose()
            with pytest.raises(httpcore.ReadError):
                await stream.read(1024)
            with pytest.raises(httpcore.WriteError):
                await stream.write(b"x")
            with pytest.raises(httpcore.ConnectError):
                await stream.start_tls(ssl.create_default_context(), "localhost")

    asyncio.run(scenario())


def test_reading_stops_past_the_high_water_mark_and_nothing_is_lost() -> None:
    body = bytes(range(256)) * (16 * 1024)  # 4 MiB
    wrote = threading.Event()

    def serve(conn: socket.socket) -> None:
        conn.sendall(body)
        wrote.set()
        conn.recv(1)

    async def scenario() -> tuple[int, bool, str]:
        with peer(serve) as running:
            stream = await connect(running.port)
            for _ in range(100):  # the loop reads until it pauses
                await asyncio.sleep(0.01)
            held, paused = stream._size, stream._reading_paused
            digest = hashlib.sha256()
            size = 0
            while size < len(body):
                piece = await stream.read(65536, timeout=5)
                assert 0 < len(piece) <= 65536
                digest.update(piece)
                size += len(piece)
            assert wrote.wait(5)  # reading again let the peer finish
            await stream.aclose()
            return held, paused, digest.hexdigest()

    held, paused, digest = asyncio.run(scenario())
    assert paused and held <= asyncio_backend.HIGH_WATER + 256 * 1024  # one read past it
    assert digest == hashlib.sha256(body).hexdigest()


def test_a_write_the_peer_never_reads_is_write_timeout() -> None:
    stop = threading.Event()

    async def scenario() -> None:
        with peer(lambda conn: stop.wait(10)) as running:
            stream = await connect(running.port)
            with pytest.raises(httpcore.WriteTimeout):
                for _ in range(1000):  # kernel buffers take a few MB, then it waits
                    await stream.write(b"x" * 1024 * 1024, timeout=0.2)
            await stream.aclose()
            stop.set()

    asyncio.run(scenario())


def test_a_connect_past_its_timeout_is_connect_timeout() -> None:
    listener = socket.create_server(("127.0.0.1", 0), backlog=0)
    port = listener.getsockname()[1]
    waiting = socket.create_connection(("127.0.0.1", port), timeout=5)  # fills the queue
    try:
        with pytest.raises(httpcore.ConnectTimeout):
            asyncio.run(BACKEND.connect_tcp("127.0.0.1", port, timeout=0.2))
    finally:
        waiting.close()
        listener.close()


def test_socket_options_are_set() -> None:
    async def scenario() -> int:
        with peer(lambda conn: conn.recv(1)) as running:
            stream = await BACKEND.connect_tcp(
                "127.0.0.1", running.port, timeout=5,
                socket_options=[(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)],
            )  # fmt: skip
            value = int(
                stream.get_extra_info("socket").getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)
            )
            assert stream.get_extra_info("server_addr") == ("127.0.0.1", running.port)
            assert stream.get_extra_info("client_addr")[0] == "127.0.0.1"
            await stream.aclose()
            return value

    assert asyncio.run(scenario()) == 1


def test_a_requests_head_and_body_leave_in_one_send() -> None:
    """httpcore writes a request's head, then its body: on loopback each send also does the
    receiver's TCP work, so the two go to the transport as one write."""
    got: list[bytes] = []

    def serve(conn: socket.socket) -> None:
        got.append(conn.recv(65536))
        conn.sendall(b"answer")
        conn.recv(1)

    async def scenario() -> tuple[int, bytes]:
        with peer(serve) as running:
            stream = await connect(running.port)
            transport: Any = stream._transport
            writes: list[bytes] = []
            real = transport.write
            transport.write = lambda data: (writes.append(data), real(data))
            await stream.write(b"POST / HTTP/1.1\r\ncontent-length: 4\r\n\r\n", timeout=5)
            await stream.write(b"body", timeout=5)
            answer = await stream.read(1024, timeout=5)
            await stream.aclose()
            return len(writes), answer

    assert asyncio.run(scenario()) == (1, b"answer")
    assert got == [b"POST / HTTP/1.1\r\ncontent-length: 4\r\n\r\nbody"]


def test_a_held_write_goes_out_as_soon_as_the_task_waits() -> None:
    arrived = threading.Event()
    got: list[bytes] = []

    def serve(conn: socket.socket) -> None:
        got.append(conn.recv(100))
        arrived.set()
        conn.recv(1)

    async def scenario() -> bool:
        with peer(serve) as running:
            stream = await connect(running.port)
            await stream.write(b"ping", timeout=5)
            seen = await asyncio.to_thread(arrived.wait, 5)  # no read: the task waits
            await stream.aclose()
            return seen

    assert asyncio.run(scenario()) and got == [b"ping"]


def _kept_connection_locks(base_url: str, env: dict[str, str]) -> list[type]:
    """The lock types of the pool's one connection after two requests on it."""

    async def scenario() -> list[type]:
        transport: Any = route.async_transport(base_url, env)
        async with httpx.AsyncClient(transport=transport) as client:
            for _ in range(2):
                (await client.get(base_url + "/models")).raise_for_status()
            [connection] = transport.inner._pool.connections
            inner = connection._connection
            found = [
                type(getattr(holder, name))
                for holder in (connection, inner)
                for name in asyncio_backend.LOCKS
                if hasattr(holder, name)
            ]
        return found

    return asyncio.run(scenario())


def test_a_kept_connection_locks_with_asyncios_own_lock(server: LocalServer) -> None:
    server.respond(answer)
    locks = _kept_connection_locks(server.url + "/api/v1", {})
    assert locks == [asyncio_backend.AsyncioLock] * 2  # the request lock, the HTTP/1.1 state
    assert len(server.connections.ports) == 1


def test_a_kept_tunnel_locks_with_asyncios_own_lock(https: LocalServer, tmp_path: Path) -> None:
    proxy = TunnelProxy("http").start()
    try:
        env = {"SSL_CERT_FILE": ca_file(tmp_path), "HTTPS_PROXY": proxy.url}
        locks = _kept_connection_locks(https_url(https) + "/api/v1", env)
    finally:
        proxy.stop()
    # the tunnel's connect lock, its HTTP/1.1 connection's state lock
    assert locks == [asyncio_backend.AsyncioLock] * 2
    assert len(proxy.targets) == 1 and len(https.requests) == 2


def test_a_new_connection_takes_asyncios_lock_before_its_first_request() -> None:
    """A cold burst's first requests on new connections take one anyio lock fewer."""
    transport: Any = route.async_transport("http://127.0.0.1:9/api/v1", {})
    origin = httpcore.Origin(b"http", b"127.0.0.1", 9)
    connection = transport.inner._pool.create_connection(origin)
    assert type(connection._request_lock) is asyncio_backend.AsyncioLock


def test_without_httpcores_locks_where_they_were_nothing_is_swapped() -> None:
    holder = SimpleNamespace(_state_lock="not a lock", _request_lock=None)
    asyncio_backend._swap_locks(holder)
    asyncio_backend._swap_locks(None)
    assert (holder._state_lock, holder._request_lock) == ("not a lock", None)


def test_the_pool_closes_connections_through_the_wire_and_skips_empty_closes(
    server: LocalServer,
) -> None:
    """httpcore's pool closes the connections it drops through ``_close_connections``;
    with nothing to close it is skipped (an anyio cancel scope around an empty loop, twice
    a request). A connection past the kept-alive limit is still closed."""
    server.respond(answer)
    base = server.url + "/api/v1"

    async def scenario() -> tuple[str, int, list[int]]:
        limits = httpx.Limits(max_connections=4, max_keepalive_connections=1)
        transport: Any = route.async_transport(base, {}, limits)
        async with httpx.AsyncClient(transport=transport) as client:
            answers = await asyncio.gather(*(client.get(base + "/models") for _ in range(4)))
            assert all(a.status_code == 200 for a in answers)
            sockets = [a.extensions["network_stream"].get_extra_info("socket") for a in answers]
            kept = len(transport.inner._pool.connections)
            name = transport.inner._pool._close_connections.__qualname__
            return name, kept, sorted(sock.fileno() for sock in sockets)

    name, kept, fds = asyncio.run(scenario())
    assert name.startswith("_only_when_closing")
    assert len(server.connections.ports) == 4  # four connections at once...
    assert kept == 1 and fds[:3] == [-1, -1, -1] and fds[3] >= 0  # ...three closed through it
