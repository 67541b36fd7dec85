"""A response that arrives without a request is dropped with its connection.

HTTP/1.1 keeps a connection open for the next request, and h11 reads the next response from
whatever bytes follow the last one. A server (or anything in between) that sends a second,
complete response behind the first one on a kept-alive connection therefore answers the
*next* request on that connection before it was even sent: one turn's answer became the
next turn's. httpcore drops an idle connection whose socket is readable when it hands the
connection out again, but not one whose stray bytes were already read into h11's buffer
along with the end of the previous answer.

:class:`OneAnswerPerRequest` wraps a transport: when an answer's body has been read to its
end, any byte already received past it (in h11's buffer, or waiting on the socket) means
the connection carries something nobody asked for, and the connection is closed before it
goes back to the pool (checked as the answer is closed: no layer per piece). httpcore then
opens a new one for the next request.

h11's buffer is reached through httpcore's private objects (httpx's response stream ->
httpcore's pool stream -> its HTTP/1.1 connection -> ``_h11_state``; from there h11's public
``their_state`` and ``trailing_data``): no public seam exposes it. When that chain is not
where it was (an httpcore upgrade), the check fails safe: every connection is closed after
its answer (no stray answer can be read, turns only pay a new connection each) and one
warning on ``openclaw_venice.wire`` says why. ``tests/test_wire_unasked.py`` pins both: a
clean connection is reused (so the chain is found), and a missing chain closes it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import h11
import httpx

__all__ = ["OneAnswerPerRequest", "h11_state", "unasked_bytes"]


class OneAnswerPerRequest(httpx.AsyncBaseTransport):
    """``inner`` (an :class:`httpx.AsyncHTTPTransport`), whose connections never carry an
    answer past the request it belongs to."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        network = response.extensions.get("network_stream")
        if network is not None and isinstance(response.stream, httpx.AsyncByteStream):
            response.stream = _Checked(response.stream, network)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()

    async def __aexit__(self, *args: Any) -> None:
        await self.aclose()


class _Checked(httpx.AsyncByteStream):
    """The answer's own stream (no layer per piece); the check runs as it is closed."""

    def __init__(self, stream: httpx.AsyncByteStream, network: Any) -> None:
        self._stream, self._network = stream, network

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._stream.__aiter__()

    async def aclose(self) -> None:
        if unasked_bytes(self._stream):
            await self._network.aclose()  # httpcore sees a closed socket: it drops the connection
        await self._stream.aclose()


def unasked_bytes(stream: Any) -> bool:
    """Whether bytes came after the end of the answer that ``stream`` (httpx's stream of an
    httpcore HTTP/1.1 response) has been read to, into h11's buffer. An
    answer not read to its end is no concern here: httpcore closes its connection. When
    h11's state cannot be found, True (see the module's note: drop the connection)."""
    state = h11_state(stream)
    if state is None:
        _cannot_check()
        return True
    if state.their_state is not h11.DONE:
        return False
    # h11's public property: received, not yet read. Bytes still on the socket need no
    # check here: httpcore drops an idle connection whose socket is readable when it hands
    # it out again, which is later than now (and saves a poll per answer).
    return bool(state.trailing_data[0])


def h11_state(stream: Any) -> h11.Connection | None:
    """The h11 connection under httpx's stream of an httpcore HTTP/1.1 answer (None: not
    where httpcore 1.0 keeps it)."""
    connection = getattr(getattr(getattr(stream, "_httpcore_stream", None), "_stream", None),
                         "_connection", None)  # fmt: skip
    state = getattr(connection, "_h11_state", None)
    return state if isinstance(state, h11.Connection) else None


_warned: list[bool] = []


def _cannot_check() -> None:
    if not _warned:
        _warned.append(True)
        import httpcore

        logging.getLogger("openclaw_venice.wire").warning(
            "httpcore %s keeps its HTTP/1.1 state where openclaw_venice does not look; "
            "connections are closed after each answer instead of reused (slower, still "
            "safe): report it with your httpcore version",
            getattr(httpcore, "__version__", "?"),
        )
