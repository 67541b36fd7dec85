"""Streaming benchmark: one Venice-shaped SSE answer through three clients, side by side.

    python benchmarks/stream.py [--runs N] [--chunks N]

A socket server on 127.0.0.1 (a thread of this process) serves the answer from bytes built
in memory beforehand, one HTTP chunk per SSE event as Venice sends them, so the server costs
next to nothing. Through it, each the median of N runs:

* raw httpx: ``aiter_lines`` and ``json.loads`` per ``data:`` line, nothing else (the floor);
* our adapter: ``VeniceChat.stream``, every event consumed;
* the openai SDK: ``AsyncOpenAI(...).chat.completions.create(stream=True)``.

Then the adapter's peak traced memory (``tracemalloc``) at 2,000, 20,000 and 80,000 chunks,
next to the size of the answer's text, which the final message has to hold.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import threading
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

Row = tuple[str, str, str]
MODEL = "kimi-k2-6"
TOKEN = "tok"
KEY = "bench-key"  # a dummy: the server never checks it
CHUNKS = 20_000
MEMORY_SIZES = (2_000, 20_000, 80_000)


def sse_events(count: int) -> list[bytes]:
    """``count`` content chunks, a final one with ``finish_reason``, usage, ``[DONE]``."""

    def event(choices: list[object], **extra: object) -> bytes:
        chunk = {
            "id": "chatcmpl-bench",
            "object": "chat.completion.chunk",
            "created": 1_760_000_000,
            "model": MODEL,
            "choices": choices,
            **extra,
        }
        return b"data: " + json.dumps(chunk, separators=(",", ":")).encode() + b"\n\n"

    token = event([{"index": 0, "delta": {"content": TOKEN}, "finish_reason": None}])
    usage = {"prompt_tokens": 9, "completion_tokens": count, "total_tokens": count + 9}
    return [
        *([token] * count),
        event([{"index": 0, "delta": {}, "finish_reason": "stop"}]),
        event([], usage=usage),
        b"data: [DONE]\n\n",
    ]


def http_response(count: int) -> bytes:
    """The whole HTTP response, chunked transfer encoding, one chunk per event."""
    head = (
        b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
        b"transfer-encoding: chunked\r\ncache-control: no-cache\r\n\r\n"
    )
    framed = [b"%x\r\n%b\r\n" % (len(e), e) for e in sse_events(count)]
    return head + b"".join(framed) + b"0\r\n\r\n"


class StreamServer:
    """Answers every request to ``/n/<count>/...`` with the prebuilt ``count``-chunk stream."""

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._responses: dict[int, bytes] = {}
        self._lock = threading.Lock()
        self.port: int = self._sock.getsockname()[1]

    def base_url(self, count: int) -> str:
        with self._lock:
            if count not in self._responses:
                self._responses[count] = http_response(count)
        return f"http://127.0.0.1:{self.port}/n/{count}/api/v1"

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

    def _connection(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as reader:
            while True:
                request_line = reader.readline()
                if not request_line:
                    return
                length = 0
                while (line := reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                reader.read(length)
                count = int(request_line.split(b" ")[1].split(b"/")[2])
                conn.sendall(self._responses[count])

    def close(self) -> None:
        self._sock.close()


@contextmanager
def stream_server() -> Iterator[StreamServer]:
    server = StreamServer()
    threading.Thread(target=server.serve, daemon=True).start()
    try:
        yield server
    finally:
        server.close()


# -- the three clients: each returns a coroutine factory that streams once -------------------

Once = Callable[[], Awaitable[int]]
BODY = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "stream": True}


async def raw_httpx(base_url: str, runs: int) -> list[float]:
    import httpx

    headers = {"Authorization": f"Bearer {KEY}", "Accept": "text/event-stream"}
    async with httpx.AsyncClient(trust_env=False) as client:

        async def once() -> int:
            seen = 0
            url = base_url + "/chat/completions"
            async with client.stream("POST", url, json=BODY, headers=headers) as response:
                async for line in response.aiter_lines():
                    if line.startswith("data: ") and line != "data: [DONE]":
                        json.loads(line[6:])
                        seen += 1
            return seen

        return await _timed(once, runs)


async def adapter(base_url: str, runs: int) -> list[float]:
    from openclaw_venice import Context, UserMessage, VeniceChat

    async with VeniceChat(KEY, base_url=base_url, env={}) as chat:
        context = Context(messages=[UserMessage("hi")])

        async def once() -> int:
            seen = 0
            async for event in chat.stream(MODEL, context):
                seen += 1
                if event.type == "error":
                    raise SystemExit(f"adapter stream failed: {event.error}")
            return seen

        return await _timed(once, runs)


async def openai_sdk(base_url: str, runs: int) -> list[float]:
    from openai import AsyncOpenAI

    async with AsyncOpenAI(base_url=base_url, api_key=KEY, max_retries=0) as client:

        async def once() -> int:
            seen = 0
            stream = await client.chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": "hi"}], stream=True
            )
            async for _chunk in stream:
                seen += 1
            return seen

        return await _timed(once, runs)


async def _timed(once: Once, runs: int) -> list[float]:
    await once()  # warm-up: connection, imports, first-call caches
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await once()
        samples.append(time.perf_counter() - started)
    return samples


# -- memory -----------------------------------------------------------------------------------


def adapter_peak(base_url: str) -> int:
    """Peak bytes traced while the adapter streams once (after a warm-up stream)."""
    asyncio.run(adapter(base_url, 0))
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        asyncio.run(adapter(base_url, 1))
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def rows(runs: int, chunks: int = CHUNKS) -> list[Row]:
    out: list[Row] = []
    with stream_server() as server:
        url = server.base_url(chunks)
        medians: dict[str, float] = {}
        for name, client in (("raw", raw_httpx), ("adapter", adapter), ("openai", openai_sdk)):
            medians[name] = statistics.median(asyncio.run(client(url, runs)))
        per = f"{chunks:,} chunks"
        raw = medians["raw"]
        out.append((f"stream {per}: raw httpx", _ms(raw), f"{raw / chunks * 1e6:.1f} µs/chunk"))
        for name, label in (("adapter", "VeniceChat.stream"), ("openai", "openai SDK")):
            value = medians[name]
            note = f"{value / chunks * 1e6:.1f} µs/chunk, {value / raw:.2f}x raw"
            out.append((f"stream {per}: {label}", _ms(value), note))
        for size in MEMORY_SIZES:
            peak = adapter_peak(server.base_url(size))
            text = size * len(TOKEN)
            note = f"answer text {text / 1024:.0f} KiB"
            out.append((f"adapter peak memory, {size:,} chunks", f"{peak / 1024:.0f} KiB", note))
    return out


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement (median)")
    parser.add_argument("--chunks", type=int, default=CHUNKS, help="content chunks per stream")
    args = parser.parse_args()
    for label, value, note in rows(args.runs, args.chunks):
        print(f"{label:45} {value:>10}  {note}")


if __name__ == "__main__":
    main()
