"""A connect timeout is retried: nothing was sent (issue 22, item 5: thousands of turns).

When thousands of connections open at once, a server's listen queue can overflow: the kernel
drops the SYNs past it and the client's kernel sends them again after 1, 3, 7 s. Last session
a 2,000-turn run on a loaded machine ended 1,742 turns on the wire's 10 s connect timeout,
each as "Venice did not answer within 60 s" (a chat turn never retried a timeout). A connect
timeout means no byte of the request left, so it is now retried as a refused connection is;
a timeout after the request was sent is still never retried for a chat turn (Venice may be
working on it).

The server here is a real listening socket whose queue is full (backlog 0, one connection
waiting in it) and nobody accepting, so a connect gets no answer; the connect timeout is
0.2 s. In the first test the server starts accepting (and answering) 0.3 s in.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator

import pytest

from openclaw_venice import errors
from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.runtime.ai import Context, UserMessage
from openclaw_venice.wire import client as wire_client
from openclaw_venice.wire import retry
from tests.support import venice_wire
from tests.support.hygiene import CANARY

MODEL = "venice/llama-3.3-70b"
ANSWER = json.dumps(venice_wire.completion("answered")).encode()


class FullQueue:
    """A listening socket on loopback whose accept queue is full: connects get no answer
    until :meth:`serve` starts accepting and answering every request with ``ANSWER``."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=0)
        self.port = self.listener.getsockname()[1]
        # backlog 0 still queues one connection: after it the kernel drops SYNs
        self.waiting = [socket.create_connection(("127.0.0.1", self.port), timeout=5)]
        self.requests = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def serve(self) -> None:
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _accept(self) -> None:
        self.listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._answer, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _answer(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as reader:
            while reader.readline():
                length = 0
                while (line := reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                reader.read(length)
                self.requests += 1
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    b"content-length: %d\r\n\r\n%b" % (len(ANSWER), ANSWER)
                )

    def close(self) -> None:
        self._stop.set()
        for sock in self.waiting:
            sock.close()
        self.listener.close()
        for thread in self._threads:
            thread.join(2)


@pytest.fixture
def full_queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[FullQueue]:
    monkeypatch.setattr(wire_client, "CONNECT_TIMEOUT", 0.2)
    monkeypatch.setattr(retry, "backoff", lambda *args, **kwargs: 0.3)
    server = FullQueue()
    try:
        yield server
    finally:
        server.close()


def turn(port: int, later: float | None = None, then: object = None) -> object:
    async def go() -> object:
        url = f"http://127.0.0.1:{port}/api/v1"
        async with VeniceChat(CANARY, base_url=url, catalog=load_bundle()) as chat:
            if later is not None:
                asyncio.get_running_loop().call_later(later, then)  # type: ignore[arg-type]
            try:
                ask = Context(messages=[UserMessage("hi")])
                return (await chat.complete(MODEL, ask, stream=False)).text
            except errors.VeniceError as exc:
                return exc

    return asyncio.run(go())


def test_a_connect_timeout_is_tried_again(full_queue: FullQueue) -> None:
    assert turn(full_queue.port, later=0.3, then=full_queue.serve) == "answered"
    assert full_queue.requests == 1  # the timed-out attempt sent nothing


def test_connects_that_never_complete_say_venice_could_not_be_reached(
    full_queue: FullQueue,
) -> None:
    """Every attempt's connect timing out ends, after the policy's 3 attempts, in the
    connection error (check your connection), not in "did not answer within 60 s"."""
    result = turn(full_queue.port)
    assert isinstance(result, errors.VeniceConnectionError), repr(result)
    assert str(result) == (
        f"could not reach Venice at 127.0.0.1:{full_queue.port} (ConnectTimeout, 3 attempts); "
        "check your connection and try again"
    )
