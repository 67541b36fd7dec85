"""One pool of thousands of connections as several httpcore pools of a few hundred each.

httpcore's pool looks at every one of its connections on every request it hands out and on
every answer that is closed (``AsyncConnectionPool._assign_requests_to_connections``: closed,
expired, idle, available, each a method call per connection). That is linear in the pool's
connections per request, so a burst of thousands of turns costs their square: at 2,000 turns
at once a third of the client's CPU was that scan (py-spy). Here the pool is split into
shards of at most :data:`SHARD_SIZE` connections, each its own httpcore pool, and each
request goes to the shard with the fewest answers open (the lowest such), so a request pays
for the connections of one shard only.

* Sequential requests all go to the first shard (every shard then has none open) and keep
  reusing its kept-alive connection; concurrent ones spread evenly.
* The first shard's transport is made with the pool (a proxy or certificate setting that
  cannot be used fails there), the others' the first time a request goes to them: one turn
  makes one.
* The shards' sizes add up to ``max_connections`` and their kept-alive connections to
  ``max_keepalive`` (split as evenly as the requests are, lower shards taking the remainder),
  so the idle connections stay bounded as before.
* A shard's count goes down when the answer is closed (no layer per piece of the body), or
  at once when the request fails.
* :meth:`ShardedPool.aclose` closes every shard made.

Why 256: a request then pays for at most 256 connections' checks, and the default 4,096
connections make 16 shards: choosing one is a ``min`` over 16 counts (about half a
microsecond, skipped while the first shard has none open), and each shard keeps 6 or 7 of
the 100 kept-alive connections, so up to about a hundred turns at once, spread evenly over
the shards, all find a kept-alive connection for their next turn. At 2,000 paced turns at
once (16 shards of about 125 connections) the scan no longer shows in a profile, and 64-,
128- or 512-connection shards measured the same CPU within noise; much smaller shards would
split the keep-alive too thin (httpcore closes an idle connection once its pool holds more
connections than its share).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from typing import Any

__all__ = ["SHARD_SIZE", "ShardedPool", "pooled", "split"]

SHARD_SIZE = 256

Maker = Callable[[httpx.Limits], httpx.AsyncBaseTransport]


def split(total: int, parts: int) -> list[int]:
    """``total`` in ``parts`` shares differing by one at most, the larger ones first."""
    share, left = divmod(total, parts)
    return [share + (index < left) for index in range(parts)]


def shard_limits(limits: httpx.Limits, shard_size: int = SHARD_SIZE) -> list[httpx.Limits]:
    """The limits of each shard of a pool of ``limits`` (``max_connections`` and
    ``max_keepalive_connections`` set; ``None``, httpx's "no limit", is one shard)."""
    connections, keepalive = limits.max_connections, limits.max_keepalive_connections
    if connections is None or keepalive is None or connections <= shard_size:
        return [limits]
    parts = -(-connections // shard_size)
    return [
        httpx.Limits(
            max_connections=size,
            max_keepalive_connections=kept,
            keepalive_expiry=limits.keepalive_expiry,
        )
        for size, kept in zip(split(connections, parts), split(keepalive, parts), strict=True)
    ]


def pooled(
    make: Maker, limits: httpx.Limits, shard_size: int = SHARD_SIZE
) -> httpx.AsyncBaseTransport:
    """The transport of a pool of ``limits``: ``make(limits)`` itself when it fits one shard,
    else a :class:`ShardedPool` of transports ``make`` builds."""
    each = shard_limits(limits, shard_size)
    if len(each) == 1:
        return make(each[0])
    return ShardedPool(make, each)


class ShardedPool(httpx.AsyncBaseTransport):
    """Transports made by ``make``, one per entry of ``limits``, used as one pool (see the
    module's note). The first is made now, so a setting ``make`` refuses fails here."""

    def __init__(self, make: Maker, limits: list[httpx.Limits]) -> None:
        self._make = make
        self.limits = limits
        self.shards: list[httpx.AsyncBaseTransport | None] = [None] * len(limits)
        self.shards[0] = make(limits[0])
        self.open = [0] * len(limits)  # answers open (or being asked for) per shard

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        counts = self.open
        index = counts.index(min(counts)) if counts[0] else 0
        shard = self.shards[index]
        if shard is None:
            shard = self.shards[index] = self._make(self.limits[index])
        counts[index] += 1
        try:
            response = await shard.handle_async_request(request)
        except BaseException:
            counts[index] -= 1
            raise
        response.stream = _Counted(response.stream, counts, index)  # type: ignore[arg-type]
        return response

    async def aclose(self) -> None:
        """Close every shard made (all of them, even when one fails to close)."""
        failed: BaseException | None = None
        for shard in self.shards:
            if shard is None:
                continue
            try:
                await shard.aclose()
            except BaseException as exc:  # the others still close
                failed = failed or exc
        if failed is not None:
            raise failed

    async def __aexit__(self, *args: Any) -> None:
        await self.aclose()


class _Counted(httpx.AsyncByteStream):
    """The answer's own stream (no layer per piece); closing it frees its shard's count."""

    __slots__ = ("_counts", "_index", "_stream")

    def __init__(self, stream: httpx.AsyncByteStream, counts: list[int], index: int) -> None:
        self._stream, self._counts, self._index = stream, counts, index

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._stream.__aiter__()

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if self._index >= 0:  # once, however often the stream is closed
                self._counts[self._index] -= 1
                self._index = -1
