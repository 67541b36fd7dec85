"""Concurrency at scale: paced turns, cold turns and one long context, against the fair floor.

    python benchmarks/paced.py [--runs N] [--turns 100,500,2000]

The floor is raw httpx as the openai SDK configures it: one ``httpx.AsyncClient`` with a pool
of N connections (N: the turns at once) and 100 kept alive, ``aiter_lines`` and
``json.loads`` per ``data:`` line, nothing else. httpx's defaults (100 connections, 20 kept
alive) would queue turns in httpcore and make a slow floor. Each row runs the floor and
``VeniceChat`` (its defaults) alternately in the same run, on a server in a child process:

* paced: each answer is 20 chunks 50 ms apart (about a second, like a real turn), 100, 500
  and 2,000 turns at once;
* cold: 500 turns at once on a new pool, answered at once;
* long context: one turn carrying 10,000 messages (the request body is encoded once).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

KEY = "bench-key"
MODEL = "venice/llama-3.3-70b"
PACED_CHUNKS = 20
PACE = 0.05
KEEPALIVE = 100  # the openai SDK's max_keepalive_connections
PACED_TURNS = [100, 500, 2000]
Row = tuple[str, str, str]
Turns = Callable[[str, int, list[dict[str, str]]], Awaitable[None]]


# -- the server (a child process) ---------------------------------------------------------------
def _event(content: str | None, finish: str | None = None) -> bytes:
    delta = {} if content is None else {"content": content}
    chunk = {"id": "c", "object": "chat.completion.chunk", "model": "llama-3.3-70b",
             "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}  # fmt: skip
    return b"data: " + json.dumps(chunk).encode() + b"\n\n"


def _framed(data: bytes) -> bytes:
    return b"%x\r\n%b\r\n" % (len(data), data)


HEAD = (
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
    b"transfer-encoding: chunked\r\ncache-control: no-cache\r\n\r\n"
)
TOKEN = _framed(_event("tok "))
TAIL = _framed(_event(None, "stop")) + _framed(b"data: [DONE]\n\n") + b"0\r\n\r\n"


async def _connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while line := await reader.readline():
            del line
            length = 0
            while (header := await reader.readline()) not in (b"\r\n", b"\n", b""):
                name, _, value = header.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            body = json.loads(await reader.readexactly(length))
            paced = body["messages"][-1]["content"] == "paced"
            writer.write(HEAD)
            for _ in range(PACED_CHUNKS):
                writer.write(TOKEN)
                if paced:
                    await writer.drain()
                    await asyncio.sleep(PACE)
            writer.write(TAIL)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def _serve() -> None:
    server = await asyncio.start_server(_connection, "127.0.0.1", 0, backlog=4096)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


@contextmanager
def paced_server() -> Iterator[str]:
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        yield f"http://127.0.0.1:{int(child.stdout.readline())}/api/v1"
    finally:
        child.stdin.close()
        child.wait(10)


# -- the clients ---------------------------------------------------------------------------------
async def raw_httpx(base_url: str, turns: int, messages: list[dict[str, str]]) -> None:
    import httpx

    headers = {"Authorization": f"Bearer {KEY}", "Accept": "text/event-stream"}
    limits = httpx.Limits(max_connections=turns, max_keepalive_connections=KEEPALIVE)
    payload = {"model": "llama-3.3-70b", "messages": messages, "stream": True}
    async with httpx.AsyncClient(trust_env=False, timeout=120, limits=limits) as client:

        async def once() -> int:
            seen = 0
            url = base_url + "/chat/completions"
            async with client.stream("POST", url, json=payload, headers=headers) as response:
                async for line in response.aiter_lines():
                    if line.startswith("data: ") and line != "data: [DONE]":
                        json.loads(line[6:])
                        seen += 1
            return seen

        counts = await asyncio.gather(*(once() for _ in range(turns)))
    _check(counts, PACED_CHUNKS + 1)


async def venice_chat(base_url: str, turns: int, messages: list[dict[str, str]]) -> None:
    from openclaw_venice import Context, UserMessage, VeniceChat
    from openclaw_venice.catalog import load_bundle

    context = Context(messages=[UserMessage(m["content"]) for m in messages])
    async with VeniceChat(KEY, base_url=base_url, env={}, catalog=load_bundle()) as chat:

        async def once() -> int:
            message = await chat.complete(MODEL, context)
            return len(message.text) // len("tok ")

        counts = await asyncio.gather(*(once() for _ in range(turns)))
    _check(counts, PACED_CHUNKS)


def _check(counts: list[int], expected: int) -> None:
    if any(count != expected for count in counts):
        raise SystemExit(f"a turn came back incomplete: {sorted(set(counts))} != {expected}")


CLIENTS: dict[str, Turns] = {"raw httpx": raw_httpx, "VeniceChat": venice_chat}


def _measure(
    base_url: str, runs: int, turns: int, messages: list[dict[str, str]]
) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in CLIENTS}
    for run in range(runs + 1):  # run 0 warms up
        for name, client in CLIENTS.items():
            started = time.perf_counter()
            asyncio.run(client(base_url, turns, messages))
            if run:
                samples[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in samples.items()}


def rows(runs: int, paced: list[int], cold: int = 500, history: int = 10_000) -> list[Row]:
    cases: list[tuple[str, int, list[dict[str, str]]]] = [
        (f"{n:,} paced turns at once (20 chunks 50 ms apart)", n, [_user("paced")]) for n in paced
    ]
    cases.append((f"{cold:,} cold turns at once, answered at once", cold, [_user("now")]))
    long = [_user(f"message {i}") for i in range(history - 1)] + [_user("now")]
    cases.append((f"one turn of {history:,} messages", 1, long))
    out: list[Row] = []
    with paced_server() as base_url:
        for label, turns, messages in cases:
            times = _measure(base_url, runs, turns, messages)
            floor = times["raw httpx"]
            out.append((f"{label}: raw httpx, pool N, keep-alive 100", f"{floor * 1000:.0f} ms",
                        "(the floor)"))  # fmt: skip
            mine = times["VeniceChat"]
            out.append((f"{label}: VeniceChat defaults", f"{mine * 1000:.0f} ms",
                        f"{mine / floor:.2f}x raw httpx"))  # fmt: skip
    return out


def _user(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def main() -> None:
    if sys.argv[1:] == ["--serve"]:
        asyncio.run(_serve())
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument(
        "--turns", default=",".join(map(str, PACED_TURNS)), help="paced turns at once, a list"
    )
    args = parser.parse_args()
    paced = [int(n) for n in args.turns.split(",") if n]
    for label, value, note in rows(args.runs, paced):
        print(f"{label:75} {value:>9}  {note}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
