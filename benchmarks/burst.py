"""Concurrency benchmark: many streamed turns at once through one client, from a cold pool.

    python benchmarks/burst.py [--runs N] [--turns N] [--chunks N]

The streaming benchmark's server (``stream.py``, a child process on 127.0.0.1) answers each
of ``--turns`` requests, all started at once, with a ``--chunks``-chunk Venice-shaped event
stream. Each client starts cold (a new pool every run, so connections are opened under the
burst) and is closed after the turns; the median of N runs, the clients taking turns:

* raw httpx: pool N, keep-alive 100, as the openai SDK sets it (the floor; ``turns.py``,
  shared with ``paced.py``);
* ``VeniceChat.complete``: whole turns (typed events, the final message) through one
  ``VeniceChat`` with its default pool;
* the openai SDK: ``AsyncOpenAI(...).chat.completions.create(stream=True)``.

The open files of the process are counted before each client and right after it closed:
a client that leaves sockets for the garbage collector shows them here.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stream  # the server and the shapes of the streaming benchmark
import turns as turns_  # the clients and the measuring, shared with paced.py
from turns import Turns

Row = tuple[str, str, str]
TURNS = 500
CHUNKS = 100


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


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
    turns_.check(counts, chunks + 2)


def clients(base_url: str, turns: int, chunks: int) -> dict[str, Turns]:
    payload = {"model": stream.MODEL, "messages": [{"role": "user", "content": str(chunks)}]}
    context = turns_.conversation([str(chunks)])
    return {
        "raw httpx": lambda: turns_.raw_httpx(base_url, turns, payload, chunks + 2, stream.KEY),
        "VeniceChat.complete": lambda: turns_.venice_chat(
            base_url, turns, stream.MODEL, context, stream.TOKEN, chunks, stream.KEY
        ),
        "openai SDK": lambda: openai_sdk(base_url, turns, chunks),
    }


def rows(runs: int, turns: int = TURNS, chunks: int = CHUNKS) -> list[Row]:
    with stream.stream_server([chunks]) as base_url:
        measured = turns_.in_turn(clients(base_url, turns, chunks), runs, watch=open_files)
    raw = measured.median("raw httpx")
    out: list[Row] = []
    for name in measured.seconds:
        seconds = measured.median(name)
        note = "(the floor)" if name == "raw httpx" else f"{seconds / raw:.2f}x raw httpx"
        note += f"; open files after close: {measured.grown[name]:+d}"
        if name == "raw httpx":
            note += f"; {measured.note()}"
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
