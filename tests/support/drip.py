"""Servers that keep a client waiting while still sending bytes: response headers dripped a
byte at a time, and an event stream of nothing but keep-alive comments. A timeout for "no
byte for N seconds" never fires on them; only an overall deadline does."""

from __future__ import annotations

import time

from tests.support import faults
from tests.support.server import Request, Responder


def headers_drip(interval: float = 0.1, seconds: float = 30) -> Responder:
    """A status line, then one header byte every ``interval`` s; the blank line never comes."""

    def respond(request: Request) -> None:
        wfile = request.handler.wfile
        try:
            wfile.write(b"HTTP/1.1 200 OK\r\nCF-RAY: drip-1\r\nX-Drip: ")
            wfile.flush()
            stop = time.monotonic() + seconds
            while time.monotonic() < stop and not faults.release.is_set():
                wfile.write(b"a")
                wfile.flush()
                time.sleep(interval)
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
            stop = time.monotonic() + seconds
            while time.monotonic() < stop and not faults.release.is_set():
                handler.wfile.write(b": keep-alive\n\n")
                handler.wfile.flush()
                time.sleep(interval)
        except OSError:
            pass

    return respond
