"""Fault injection for the loopback server: each fault is a responder (see server.py).

Stalls wait on ``release`` (set when the test's server stops) so no thread outlives a test.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import socket
import struct
import threading
import zlib
from collections.abc import Iterator
from typing import Any

from tests.support import venice_wire
from tests.support.server import Reply, Request, Responder

release = threading.Event()


def reset_before_headers() -> Responder:
    def respond(request: Request) -> None:
        _reset(request)

    return respond


def reset_mid_stream(
    first: bytes,
    status: int = 200,
    content_type: str = "text/event-stream",
    headers: dict[str, str] | None = None,
) -> Responder:
    """Send headers and ``first``, then reset the connection."""

    def respond(request: Request) -> None:
        _start_body(request, status, content_type, first, headers)
        _reset(request)

    return respond


def headers_never_come(seconds: float = 30) -> Responder:
    def respond(request: Request) -> None:
        release.wait(seconds)

    return respond


def body_stalls(
    first: bytes,
    seconds: float = 30,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> Responder:
    def respond(request: Request) -> None:
        _start_body(request, 200, content_type, first, headers)
        release.wait(seconds)

    return respond


def status(code: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Responder:
    return lambda request: Reply(code, body, headers or {})


def html_error(code: int, headers: dict[str, str] | None = None) -> Responder:
    page = f"<html><body><h1>{code} Bad Gateway</h1>cloudflare</body></html>".encode()
    return status(code, page, {"Content-Type": "text/html", **(headers or {})})


def huge_body(
    megabytes: int = 50,
    prefix: bytes = b'{"data": ["',
    content_type: str = "application/json",
    code: int = 200,
) -> Responder:
    """An answer streaming ``prefix`` and ``megabytes`` MB of filler (no newline in it)."""

    def chunks() -> Iterator[bytes]:
        yield prefix
        block = b"x" * 65536
        for _ in range(megabytes * 16):
            yield block

    return lambda request: Reply(code, chunks(), {"Content-Type": content_type})


def gzip_json(payload: Any) -> Responder:
    body = gzip.compress(json.dumps(payload).encode())
    return status(200, body, {"Content-Type": "application/json", "Content-Encoding": "gzip"})


def gzip_pieces(pieces: list[bytes], headers: dict[str, str]) -> Responder:
    """A chunked gzip answer, flushed after every piece (how a proxy compresses a stream)."""

    def body() -> Iterator[bytes]:
        packer = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        for piece in pieces:
            yield packer.compress(piece) + packer.flush(zlib.Z_SYNC_FLUSH)
        yield packer.flush()

    return lambda request: Reply(200, body(), {**headers, "Content-Encoding": "gzip"})


@functools.cache
def gzip_bomb_bytes(megabytes: int, prefix: bytes) -> bytes:
    """``prefix`` and ``megabytes`` MB of "x", gzipped: about 1 KB per MB."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = b"x" * 2**20
    out = [packer.compress(prefix), *(packer.compress(block) for _ in range(megabytes))]
    return b"".join([*out, packer.flush()])


def gzip_bomb(
    megabytes: int, prefix: bytes = b'{"data": ["', content_type: str = "application/json"
) -> Responder:
    body = gzip_bomb_bytes(megabytes, prefix)
    return status(200, body, {"Content-Type": content_type, "Content-Encoding": "gzip"})


def sse_without_done(chunks: list[Any]) -> Responder:
    """A chat event stream that ends cleanly but never sends ``data: [DONE]``."""
    return lambda request: venice_wire.stream_reply(chunks, done=False)


def in_band_error(message: str, before: list[Any] | None = None) -> Responder:
    """A 200 chat event stream: ``before`` chunks, then ``{"error": ...}`` and the end."""
    chunks = [*(before or []), {"error": {"message": message, "code": "upstream_error"}}]
    return lambda request: venice_wire.stream_reply(chunks, done=False)


def sse_chunks_of(body: bytes) -> list[bytes]:
    """An SSE body cut into its events, one network write each."""
    return [event + b"\n\n" for event in body.split(b"\n\n") if event]


def by_mode(stream: Responder, complete: Responder) -> Responder:
    """``stream`` for a chat request that asks for a stream, ``complete`` for one that does not."""
    return lambda request: (stream if request.json().get("stream") else complete)(request)


@contextlib.contextmanager
def refused_url() -> Iterator[str]:
    """A loopback URL whose port is taken but not listening: connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def sequence(*responders: Responder) -> Responder:
    """Answer the n-th request with the n-th responder; the last one repeats."""
    queue = list(responders)
    lock = threading.Lock()

    def respond(request: Request) -> Reply | None:
        with lock:
            current = queue.pop(0) if len(queue) > 1 else queue[0]
        return current(request)

    return respond


def _reset(request: Request) -> None:
    sock: socket.socket = request.handler.connection
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _start_body(
    request: Request,
    code: int,
    content_type: str,
    first: bytes,
    headers: dict[str, str] | None = None,
) -> None:
    """Headers promising more than ``first``, then ``first``: the rest never comes."""
    handler = request.handler
    handler.send_response(code)
    handler.send_header("Content-Type", content_type)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(first) + 100_000))
    handler.end_headers()
    handler.wfile.write(first)
    handler.wfile.flush()
