"""Concurrency at scale: paced turns, cold turns and one long context, against the fair floor.

    python benchmarks/paced.py [--runs N] [--turns 100,500,2000]

The floor is raw httpx as the openai SDK configures it (pool N, keep-alive 100; see
``turns.py``, shared with ``burst.py``, for the clients, the order of runs and the kernel's
SYN counters). Each row runs the floor and ``VeniceChat`` (its defaults) in turn, on a server
in a child process (listen backlog 4,096; the kernel caps it at ``net.core.somaxconn``):

* paced: each answer is 20 chunks 50 ms apart (about a second, like a real turn), 100, 500
  and 2,000 turns at once;
* cold: 500 turns at once on a new pool, answered at once;
* long context: one turn carrying 10,000 messages (the request body is encoded once).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import turns as turns_  # the clients and the measuring, shared with burst.py
from turns import Turns

MODEL = "venice/llama-3.3-70b"
PACED_CHUNKS = 20
PACE = 0.05
PACED_TURNS = [100, 500, 2000]
SHARD = 256  # the wire's shard size (wire/shards.py SHARD_SIZE)
Row = tuple[str, str, str]


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


# -- the clients (benchmarks/turns.py) -----------------------------------------------------------
def clients(base_url: str, turns: int, messages: list[dict[str, str]]) -> dict[str, Turns]:
    context = turns_.conversation([m["content"] for m in messages])
    payload = {"model": "llama-3.3-70b", "messages": messages}
    out: dict[str, Turns] = {
        "raw httpx": lambda: turns_.raw_httpx(base_url, turns, payload, PACED_CHUNKS + 1),
        "VeniceChat": lambda: turns_.venice_chat(
            base_url, turns, MODEL, context, "tok ", PACED_CHUNKS
        ),
    }
    if turns > SHARD:  # below that the pool is one shard: the two floors are the same
        out["raw httpx, sharded"] = lambda: turns_.raw_httpx(
            base_url, turns, payload, PACED_CHUNKS + 1, sharded=True
        )
    return out


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
            measured = turns_.in_turn(clients(base_url, turns, messages), runs)
            floor, mine = measured.median("raw httpx"), measured.median("VeniceChat")
            each = ", ".join(f"{r:.2f}" for r in measured.ratios("VeniceChat", "raw httpx"))
            out.append((f"{label}: raw httpx, pool N, keep-alive 100", f"{floor * 1000:.0f} ms",
                        f"(the floor; {measured.note()})"))  # fmt: skip
            out.append((f"{label}: VeniceChat defaults", f"{mine * 1000:.0f} ms",
                        f"{mine / floor:.2f}x raw httpx (run by run: {each})"))  # fmt: skip
            if turns > SHARD:
                split = measured.median("raw httpx, sharded")
                out.append((f"{label}: raw httpx over the wire's shards", f"{split * 1000:.0f} ms",
                            f"VeniceChat {mine / split:.2f}x this (what is left once the floor "
                            "skips httpcore's scan too)"))  # fmt: skip
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
