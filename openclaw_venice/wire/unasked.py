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
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import h11
import httpx

__all__ = ["OneAnswerPerRequest", "unasked_bytes"]


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
        if unasked_bytes(self._stream, self._network):
            await self._network.aclose()  # httpcore sees a closed socket: it drops the connection
        await self._stream.aclose()


def unasked_bytes(stream: Any, network: Any) -> bool:
    """Whether bytes came after the end of the answer that ``stream`` (httpx's stream of an
    httpcore HTTP/1.1 response) has been read to: in h11's buffer, or on the socket. An
    answer not read to its end is no concern here: httpcore closes its connection."""
    connection = getattr(getattr(getattr(stream, "_httpcore_stream", None), "_stream", None),
                         "_connection", None)  # fmt: skip
    state = getattr(connection, "_h11_state", None)  # httpcore's HTTP/1.1 connection
    if state is not None:
        if state.their_state is not h11.DONE:
            return False
        if state.trailing_data[0]:  # h11's public property: received, not yet read
            return True
    return bool(network.get_extra_info("is_readable"))
