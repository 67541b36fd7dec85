"""Servers that keep a client waiting while still sending bytes: response headers dripped a
byte at a time, a JSON body dripped a byte at a time, and an event stream of nothing but
keep-alive comments. A timeout for "no byte for N seconds" never fires on them; only an
overall deadline does."""

from __future__ import annotations

import time
from typing import BinaryIO

from tests.support import faults
from tests.support.server import Request, Responder


def _drip(wfile: BinaryIO, piece: bytes, interval: float, seconds: float) -> None:
    """``piece`` every ``interval`` s for ``seconds``, or until the test releases its servers."""
    stop = time.monotonic() + seconds
    while time.monotonic() < stop and not faults.release.is_set():
        wfile.write(piece)
        wfile.flush()
        time.sleep(interval)


def headers_drip(interval: float = 0.1, seconds: float = 30) -> Responder:
    """A status line, then one header byte every ``interval`` s; the blank line never comes."""

    def respond(request: Request) -> None:
        wfile = request.handler.wfile
        try:
            wfile.write(b"HTTP/1.1 200 OK\r\nCF-RAY: drip-1\r\nX-Drip: ")
            wfile.flush()
            _drip(wfile, b"a", interval, seconds)
        except OSError:
            pass  # the client gave up, as it should

    return respond


def body_drip(interval: float = 0.05, seconds: float = 30) -> Responder:
    """A 200 whose JSON body comes a byte every ``interval`` s and never ends."""

    def respond(request: Request) -> None:
        handler = request.handler
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", "10000000")
            handler.end_headers()
            handler.wfile.write(b'{"model": "')
            _drip(handler.wfile, b"a", interval, seconds)
        except OSError:
            pass  # the client gave up, as it should

    return respond


def keep_alive_forever(first: bytes = b"", interval: float = 0.1, seconds: float = 30) -> Responder:
    """An event stream: ``first`` (some real events), then ``: keep-alive`` comments."""

    def respond(request: Request) -> None:
        handler = request.handler
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", "text/event-stream")
            handler.send_header("CF-RAY", "drip-2")
            handler.end_headers()
            handler.wfile.write(first)
            _drip(handler.wfile, b": keep-alive\n\n", interval, seconds)
        except OSError:
            pass

    return respond
