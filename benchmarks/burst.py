"""Concurrency benchmark: many streamed turns at once through one client, from a cold pool.

    python benchmarks/burst.py [--runs N] [--turns N] [--chunks N]

The streaming benchmark's server (``stream.py``, a child process on 127.0.0.1) answers each
of ``--turns`` requests, all started at once, with a ``--chunks``-chunk Venice-shaped event
stream. Each client starts cold (a new pool every run, so connections are opened under the
burst) and is closed after the turns; the median of N runs, the clients taking turns:

* raw httpx: one ``httpx.AsyncClient`` with a pool of N connections (N: the turns) and 100
  kept alive, as the openai SDK sets it (httpx's defaults, 100 and 20, queue the turns in
  httpcore and make a slow floor), ``aiter_lines`` and ``json.loads`` per ``data:`` line,
  nothing else (the floor);
* ``VeniceChat.complete``: whole turns (typed events, the final message) through one
  ``VeniceChat`` with its default pool;
* the openai SDK: ``AsyncOpenAI(...).chat.completions.create(stream=True)``.

The open files of the process are counted before each client and right after it closed:
a client that leaves sockets for the garbage collector shows them here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stream  # the server and the shapes of the streaming benchmark

Row = tuple[str, str, str]
Burst = Callable[[str, int, int], Awaitable[None]]  # base URL, turns, chunks
TURNS = 500
CHUNKS = 100


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


async def raw_httpx(base_url: str, turns: int, chunks: int) -> None:
    import httpx

    headers = {"Authorization": f"Bearer {stream.KEY}", "Accept": "text/event-stream"}
    body = {"model": stream.MODEL, "messages": [{"role": "user", "content": str(chunks)}]}
    limits = httpx.Limits(max_connections=turns, max_keepalive_connections=100)
    async with httpx.AsyncClient(trust_env=False, timeout=120, limits=limits) as client:

        async def once() -> int:
            seen = 0
            url = base_url + "/chat/completions"
            payload = {**body, "stream": True}
            async with client.stream("POST", url, json=payload, headers=headers) as response:
                async for line in response.aiter_lines():
                    if line.startswith("data: ") and line != "data: [DONE]":
                        json.loads(line[6:])
                        seen += 1
            return seen

        counts = await asyncio.gather(*(once() for _ in range(turns)))
    _check(counts, chunks + 2)


async def venice_chat(base_url: str, turns: int, chunks: int) -> None:
    from openclaw_venice import Context, UserMessage, VeniceChat
    from openclaw_venice.catalog import load_bundle

    async with VeniceChat(stream.KEY, base_url=base_url, catalog=load_bundle(), env={}) as chat:

        async def once() -> int:
            context = Context(messages=[UserMessage(str(chunks))])
            message = await chat.complete(stream.MODEL, context)
            return len(message.text) // len(stream.TOKEN)

        counts = await asyncio.gather(*(once() for _ in range(turns)))
    _check(counts, chunks)


async def openai_sdk(base_url: str, turns: int, chunks: int) -> None:
    from openai import AsyncOpenAI

    async with AsyncOpenAI(
        base_url=base_url, api_key=stream.KEY, max_retries=0, timeout=120.0
    ) as client:

        async def once() -> int:
            seen = 0
            answer = await client.chat.completions.create(
                model=stream.MODEL,
                messages=[{"role": "user", "content": str(chunks)}],
                stream=True,
            )
            async for _chunk in answer:
                seen += 1
            return seen

        counts = await asyncio.gather(*(once() for _ in range(turns)))
    _check(counts, chunks + 2)


def _check(counts: list[int], expected: int) -> None:
    if any(count != expected for count in counts):
        raise SystemExit(f"a turn came back incomplete: {sorted(set(counts))} != {expected}")


CLIENTS: dict[str, Burst] = {
    "raw httpx": raw_httpx,
    "VeniceChat.complete": venice_chat,
    "openai SDK": openai_sdk,
}


def rows(runs: int, turns: int = TURNS, chunks: int = CHUNKS) -> list[Row]:
    samples: dict[str, list[float]] = {name: [] for name in CLIENTS}
    left_open: dict[str, int] = dict.fromkeys(CLIENTS, 0)
    with stream.stream_server([chunks]) as base_url:
        for run in range(runs + 1):  # run 0 warms up: imports, the server's threads
            for name, burst in CLIENTS.items():
                before = open_files()
                started = time.perf_counter()
                asyncio.run(burst(base_url, turns, chunks))
                elapsed = time.perf_counter() - started
                left_open[name] = max(left_open[name], open_files() - before)
                if run:
                    samples[name].append(elapsed)
    raw = statistics.median(samples["raw httpx"])
    out: list[Row] = []
    for name, values in samples.items():
        seconds = statistics.median(values)
        note = "(the floor)" if name == "raw httpx" else f"{seconds / raw:.2f}x raw httpx"
        note += f"; open files after close: {left_open[name]:+d}"
        label = f"{turns} turns at once, {chunks} chunks each: {name}"
        out.append((label, f"{seconds * 1000:.0f} ms", note))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument("--turns", type=int, default=TURNS, help="turns started at once")
    parser.add_argument("--chunks", type=int, default=CHUNKS, help="content chunks per turn")
    args = parser.parse_args()
    for label, value, note in rows(args.runs, args.turns, args.chunks):
        print(f"{label:55} {value:>10}  {note}")


if __name__ == "__main__":
    main()
