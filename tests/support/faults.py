"""Fault injection for the loopback server: each fault is a responder (see server.py).

Stalls wait on ``release`` (set when the test's server stops) so no thread outlives a test.
"""

from __future__ import annotations

import gzip
import json
import socket
import struct
import threading
from collections.abc import Iterator
from typing import Any

from tests.support.server import Reply, Request, Responder

release = threading.Event()


def reset_before_headers() -> Responder:
    def respond(request: Request) -> None:
        _reset(request)

    return respond


def reset_mid_stream(
    first: bytes, status: int = 200, content_type: str = "text/event-stream"
) -> Responder:
    """Send headers and ``first``, then reset the connection."""

    def respond(request: Request) -> None:
        _start_body(request, status, content_type, first)
        _reset(request)

    return respond


def headers_never_come(seconds: float = 30) -> Responder:
    def respond(request: Request) -> None:
        release.wait(seconds)

    return respond


def body_stalls(
    first: bytes, seconds: float = 30, content_type: str = "application/json"
) -> Responder:
    def respond(request: Request) -> None:
        _start_body(request, 200, content_type, first)
        release.wait(seconds)

    return respond


def status(code: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Responder:
    return lambda request: Reply(code, body, headers or {})


def html_error(code: int) -> Responder:
    page = f"<html><body><h1>{code} Bad Gateway</h1>cloudflare</body></html>".encode()
    return status(code, page, {"Content-Type": "text/html"})


def huge_body(megabytes: int = 50) -> Responder:
    """A 200 answer streaming ``megabytes`` MB of a JSON-looking prefix and filler."""

    def chunks() -> Iterator[bytes]:
        yield b'{"data": ["'
        block = b"x" * 65536
        for _ in range(megabytes * 16):
            yield block

    return lambda request: Reply(200, chunks(), {"Content-Type": "application/json"})


def gzip_json(payload: Any) -> Responder:
    body = gzip.compress(json.dumps(payload).encode())
    return status(200, body, {"Content-Type": "application/json", "Content-Encoding": "gzip"})


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


def _start_body(request: Request, code: int, content_type: str, first: bytes) -> None:
    """Headers promising more than ``first``, then ``first``: the rest never comes."""
    handler = request.handler
    handler.send_response(code)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(first) + 100_000))
    handler.end_headers()
    handler.wfile.write(first)
    handler.wfile.flush()
