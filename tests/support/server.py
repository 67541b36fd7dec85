"""A real HTTP server on 127.0.0.1 for tests: each test sets how it answers.

``server.respond(fn)`` installs ``fn(request) -> Reply | None``; ``fn`` may also write to
``request.handler`` itself (streaming, resets, stalls) and return None. Every request is
recorded in ``server.requests``; ``server.connections`` counts the connections open at once.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    handler: BaseHTTPRequestHandler

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    after: bytes = b""  # written right after the answer, unasked (a stray second response)


def json_reply(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return Reply(
        status,
        json.dumps(payload).encode(),
        {"Content-Type": "application/json", **(headers or {})},
    )


Responder = Callable[[Request], Reply | None]


@dataclass
class ConnectionStats:
    """Connections open now and the most open at once (since ``reset``), and the client
    ports seen; requests being answered now and the most at once."""

    open: int = 0
    peak: int = 0
    ports: set[int] = field(default_factory=set)
    in_flight: int = 0
    peak_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def change(self, connections: int = 0, requests: int = 0, port: int | None = None) -> None:
        with self.lock:
            self.open += connections
            self.peak = max(self.peak, self.open)
            self.in_flight += requests
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            if port is not None:
                self.ports.add(port)

    def reset(self) -> None:
        with self.lock:
            self.peak, self.peak_in_flight, self.ports = self.open, self.in_flight, set()


class _QuietServer(ThreadingHTTPServer):
    request_queue_size = 256  # a burst of clients connecting at once waits, is not refused

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer is a test scenario, not a server error."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LocalServer:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._responder: Responder = lambda request: Reply(404, b"no responder")
        self._lock = threading.Lock()
        self.connections = ConnectionStats()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def setup(self) -> None:
                super().setup()
                outer.connections.change(connections=1, port=self.client_address[1])

            def finish(self) -> None:
                outer.connections.change(connections=-1)
                super().finish()

            def _handle(self) -> None:
                outer.connections.change(requests=1)
                self._in_flight = True
                try:
                    self._answer()
                finally:
                    self._answered()

            def _answered(self) -> None:
                """The request stops counting as in flight: before the answer's last bytes
                are written (a client that has read them may send its next request before
                this thread runs again, and the two must not be counted at once)."""
                if self._in_flight:
                    self._in_flight = False
                    outer.connections.change(requests=-1)

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = Request(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                    self,
                )
                with outer._lock:
                    outer.requests.append(request)
                    responder = outer._responder
                reply = responder(request)
                if reply is None:
                    self.close_connection = True
                    return
                self._send(reply)

            def _send(self, reply: Reply) -> None:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if isinstance(reply.body, bytes):
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self._answered()
                    self.wfile.write(reply.body + reply.after)
                    return
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for piece in reply.body:
                    if piece:
                        self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                        self.wfile.flush()
                self._answered()
                self.wfile.write(b"0\r\n\r\n" + reply.after)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def respond(self, responder: Responder) -> None:
        with self._lock:
            self._responder = responder

    def start(self) -> LocalServer:
        from tests.support import faults

        faults.release.clear()
        self.thread.start()
        return self

    def stop(self) -> None:
        from tests.support import faults

        faults.release.set()  # let stalled handlers finish
        self.httpd.shutdown()
        self.httpd.server_close()
