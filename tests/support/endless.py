"""A streamed answer that never ends, and the moment its client hangs up.

``EndlessStream`` is a responder for :class:`tests.support.server.LocalServer`: it sends the
headers of an event stream, then one text delta every few milliseconds for as long as the
client listens, watching the socket between writes. ``ended`` is set the moment the client
closed the connection (end of file, a reset, or a failed write), as Venice would notice it.
"""

from __future__ import annotations

import select
import socket
import threading
import time

from tests.support import venice_wire
from tests.support.server import Request

DELTA = venice_wire.sse([venice_wire.chunk({"content": "x"})], done=False)
FIRST = venice_wire.sse([venice_wire.chunk({"role": "assistant", "content": ""})], done=False)


class EndlessStream:
    def __init__(self, interval: float = 0.005, limit: float = 30.0) -> None:
        self.interval, self.limit = interval, limit
        self.started = threading.Event()  # headers and a first delta are out
        self.ended = threading.Event()  # the client closed the connection
        self.sent = 0

    def __call__(self, request: Request) -> None:
        handler = request.handler
        handler.send_response(200)
        for name, value in venice_wire.HEADERS.items():
            handler.send_header(name, value)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        sock: socket.socket = handler.connection
        stop = time.monotonic() + self.limit
        try:
            self._write(handler, FIRST)
            while time.monotonic() < stop:
                self._write(handler, DELTA)
                self.started.set()
                if _hung_up(sock, self.interval):
                    break
        except OSError:
            pass  # reset by the client, or a write after its close
        else:
            if time.monotonic() >= stop:
                return  # the client never hung up: ``ended`` stays unset
        self.ended.set()

    def _write(self, handler: object, event: bytes) -> None:
        wfile = handler.wfile  # type: ignore[attr-defined]
        wfile.write(f"{len(event):x}\r\n".encode() + event + b"\r\n")
        wfile.flush()
        self.sent += 1


def _hung_up(sock: socket.socket, wait: float) -> bool:
    """Whether the client closed its end (readable with nothing to read), within ``wait``."""
    readable, _, _ = select.select([sock], [], [], wait)
    if not readable:
        return False
    return sock.recv(1, socket.MSG_PEEK) == b""
