"""The wire's own CPU cost per request, over raw httpx, on a warm pool.

    python benchmarks/wire_cost.py [--blocks N] [--requests N]

One request at a time against the streaming benchmark's server (``stream.py``, a child
process on 127.0.0.1), each answered with a one-chunk Venice stream, so that what is
measured is the cost of a request, not of reading a long answer. The clients take turns in
blocks of ``--requests`` requests; each block's CPU time of this process (``process_time``:
the server's is not counted) over its requests is one sample, and a row shows the least
(the block the rest of the machine disturbed least) and the median:

* raw httpx: ``httpx.AsyncClient(...).stream("POST", ...)`` with the same body and headers,
  the body read to its end (the floor);
* ``Wire.open``: the same request through the wire (key check, headers, slot, retry loop,
  deadline, the unasked-answer check), the body read with ``wire.client.pieces``;
* a one-chunk turn, raw httpx with ``json.loads`` per ``data:`` line (``stream.py``'s floor)
  and ``VeniceChat.stream`` (what ``openclaw serve`` runs per request: the gateway's
  upstream cost);
* ``Wire.open`` and the turn again with the wire's pool on httpcore's own network backend
  and locks (anyio's), as before ``wire/asyncio_backend.py``: what it saves, same run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import stream  # the server and the shapes of the streaming benchmark

Row = tuple[str, str, str]
Once = Callable[[], Awaitable[object]]
BODY = json.dumps(
    {"model": stream.MODEL, "messages": [{"role": "user", "content": "1"}], "stream": True}
).encode()


async def raw_request(stack: AsyncExitStack, base_url: str) -> Once:
    import httpx

    client = await stack.enter_async_context(httpx.AsyncClient(trust_env=False, timeout=60))
    url = base_url + "/chat/completions"
    headers = {
        "Authorization": f"Bearer {stream.KEY}",
        "Accept": "text/event-stream",
        "Content-Type": "application/json",
    }

    async def once() -> int:
        size = 0
        async with client.stream("POST", url, content=BODY, headers=headers) as response:
            async for piece in response.aiter_bytes():
                size += len(piece)
        return size

    return once


async def wire_request(stack: AsyncExitStack, base_url: str) -> Once:
    from pydantic import SecretStr

    from openclaw_venice.wire.client import Wire, pieces

    wire = await stack.enter_async_context(Wire(base_url, SecretStr(stream.KEY), env={}))

    async def once() -> int:
        size = 0
        headers = wire.headers("text/event-stream", body=True)
        async with wire.open(
            "POST", "/chat/completions", content=BODY, headers=headers, timeout=60, slot=True
        ) as response:
            async for piece in pieces(response, timed_out="slow", undecodable="bad"):
                size += len(piece)
        return size

    return once


async def raw_turn(stack: AsyncExitStack, base_url: str) -> Once:
    once = await stream.raw_httpx(stack, base_url)
    return lambda: once(1)


async def chat_turn(stack: AsyncExitStack, base_url: str) -> Once:
    once = await stream.adapter(stack, base_url)
    return lambda: once(1)


@contextlib.contextmanager
def httpcores_own_backend() -> Iterator[None]:
    """While open, the wire's new pools keep httpcore's own network backend."""
    from openclaw_venice.wire import asyncio_backend

    real = asyncio_backend.install
    setattr(asyncio_backend, "install", lambda transport: False)  # noqa: B010
    try:
        yield
    finally:
        setattr(asyncio_backend, "install", real)  # noqa: B010


ANYIO = ", httpcore's own backend and locks"
# (name, client, whether it is a floor the rows after it compare with)
PAIRS: list[tuple[str, Callable[[AsyncExitStack, str], Awaitable[Once]], bool]] = [
    ("one request: raw httpx", raw_request, True),
    ("one request: Wire.open", wire_request, False),
    ("one request: Wire.open" + ANYIO, wire_request, False),
    ("one one-chunk turn: raw httpx + json.loads", raw_turn, True),
    ("one one-chunk turn: VeniceChat.stream", chat_turn, False),
    ("one one-chunk turn: VeniceChat.stream" + ANYIO, chat_turn, False),
]


async def samples(base_url: str, blocks: int, requests: int) -> dict[str, list[float]]:
    async with AsyncExitStack() as stack:
        clients: dict[str, Once] = {}
        for name, make, _ in PAIRS:
            with httpcores_own_backend() if name.endswith(ANYIO) else nullcontext():
                once = clients[name] = await make(stack, base_url)
                for _ in range(50):  # warm: imports, the pool (made by the first request)
                    await once()
        out: dict[str, list[float]] = {name: [] for name in clients}
        for _ in range(blocks):
            for name, once in clients.items():
                started = time.process_time()
                for _ in range(requests):
                    await once()
                out[name].append((time.process_time() - started) / requests)
        return out


def rows(blocks: int = 10, requests: int = 200) -> list[Row]:
    with stream.stream_server([1]) as base_url:
        measured = asyncio.run(samples(base_url, blocks, requests))
    out: list[Row] = []
    floor = 0.0
    for (name, values), (_, _, is_floor) in zip(measured.items(), PAIRS, strict=True):
        least, median = min(values), statistics.median(values)
        if is_floor:
            floor = least
            note = f"(the floor; median {median * 1e6:.0f} µs)"
        else:
            over = f"{(least - floor) * 1e6:+.0f} µs, {least / floor:.2f}x"
            note = f"{over}; median {median * 1e6:.0f} µs"
        out.append((f"CPU per {name}", f"{least * 1e6:.0f} µs", note))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blocks", type=int, default=10, help="blocks per client")
    parser.add_argument("--requests", type=int, default=200, help="requests per block")
    args = parser.parse_args()
    for label, value, note in rows(args.blocks, args.requests):
        print(f"{label:78} {value:>9}  {note}")


if __name__ == "__main__":
    main()
