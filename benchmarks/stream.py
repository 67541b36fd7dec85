"""Streaming benchmark: one Venice-shaped SSE answer through three clients, side by side.

    python benchmarks/stream.py [--runs N] [--chunks N]

A socket server on 127.0.0.1 (a child process, so it never competes with the clients for
the GIL) serves the answer from bytes built in memory beforehand, one HTTP chunk per SSE
event as Venice sends them; reading a whole 20,000-chunk answer off its socket takes about
1 ms. The prompt says how many chunks to send. Through it, each the median of N runs, the
three clients taking turns (so a busy moment of the machine hits them alike):

* raw httpx: ``aiter_lines`` and ``json.loads`` per ``data:`` line, nothing else (the floor);
* our adapter: ``VeniceChat.stream``, every event consumed;
* the openai SDK: ``AsyncOpenAI(...).chat.completions.create(stream=True)``.

Then the adapter's peak traced memory (``tracemalloc``) at 2,000, 20,000 and 80,000 chunks,
next to the bytes streamed and the answer's text, which the final message has to hold.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, contextmanager, suppress

Row = tuple[str, str, str]
Once = Callable[[int], Awaitable[int]]  # stream a count-chunk answer once; events seen
MODEL = "kimi-k2-6"
TOKEN = "tok"
KEY = "bench-key"  # a dummy: the server never checks it
#: ``GET /models``, as Venice lists the model (a gateway in front of the server reads it)
_MODELS = json.dumps({"object": "list", "type": "text", "data": [{
    "id": MODEL, "type": "text", "created": 1776643200,
    "model_spec": {"name": "Kimi K2.6", "privacy": "private", "availableContextTokens": 256000,
                   "capabilities": {"supportsFunctionCalling": True, "supportsReasoning": True}},
}]}).encode()  # fmt: skip
MODELS_RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
    % (len(_MODELS), _MODELS)
)
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
    """Answers every request with the prebuilt stream of as many chunks as its prompt says."""

    def __init__(self, counts: list[int]) -> None:
        self._responses = {count: http_response(count) for count in counts}
        self._sock = socket.create_server(("127.0.0.1", 0), backlog=1024)  # bursts
        self.port: int = self._sock.getsockname()[1]

    def serve(self) -> None:
        while True:
            conn, _ = self._sock.accept()
            threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

    def _connection(self, conn: socket.socket) -> None:
        # as real servers do (nginx's tcp_nodelay): without it, the last segment of every
        # answer waits for the client's delayed ACK, some 20-40 ms per request
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with conn, conn.makefile("rb") as reader, suppress(OSError):  # a client hung up
            while request_line := reader.readline():
                length = 0
                while (line := reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if request_line.startswith(b"GET "):  # a client's catalog: the one model
                    conn.sendall(MODELS_RESPONSE)
                    continue
                body = json.loads(reader.read(length))
                conn.sendall(self._responses[int(body["messages"][-1]["content"])])


def serve(counts: list[int]) -> None:
    """The child process: print the port, serve until the parent closes our stdin."""
    server = StreamServer(counts)
    threading.Thread(target=server.serve, daemon=True).start()
    print(server.port, flush=True)
    sys.stdin.read()


@contextmanager
def stream_server(counts: list[int]) -> Iterator[str]:
    """The server in a child process; yields its base URL."""
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", *map(str, counts)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        port = int(child.stdout.readline())
        yield f"http://127.0.0.1:{port}/api/v1"
    finally:
        child.stdin.close()
        child.wait(timeout=10)


# -- the three clients: each opens its client on the stack and returns its `Once` -------------


async def raw_httpx(stack: AsyncExitStack, base_url: str) -> Once:
    import httpx

    client = await stack.enter_async_context(httpx.AsyncClient(trust_env=False))
    headers = {"Authorization": f"Bearer {KEY}", "Accept": "text/event-stream"}
    url = base_url + "/chat/completions"

    async def once(count: int) -> int:
        seen = 0
        body = {"model": MODEL, "messages": [{"role": "user", "content": str(count)}]}
        async with client.stream("POST", url, json={**body, "stream": True}, headers=headers) as r:
            async for line in r.aiter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    json.loads(line[6:])
                    seen += 1
        return seen

    return once


async def adapter(stack: AsyncExitStack, base_url: str) -> Once:
    from openclaw_venice import Context, UserMessage, VeniceChat
    from openclaw_venice.catalog import load_bundle

    chat = await stack.enter_async_context(
        VeniceChat(KEY, base_url=base_url, catalog=load_bundle(), env={})
    )

    async def once(count: int) -> int:
        seen = 0
        async for event in chat.stream(MODEL, Context(messages=[UserMessage(str(count))])):
            seen += 1
            if event.type == "error":
                raise SystemExit(f"adapter stream failed: {event.error}")
        return seen

    return once


async def openai_sdk(stack: AsyncExitStack, base_url: str) -> Once:
    from openai import AsyncOpenAI

    client = await stack.enter_async_context(
        AsyncOpenAI(base_url=base_url, api_key=KEY, max_retries=0)
    )

    async def once(count: int) -> int:
        seen = 0
        stream = await client.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": str(count)}], stream=True
        )
        async for _chunk in stream:
            seen += 1
        return seen

    return once


CLIENTS = {"raw httpx": raw_httpx, "VeniceChat.stream": adapter, "openai SDK": openai_sdk}


async def medians(base_url: str, runs: int, count: int) -> dict[str, float]:
    """Median seconds per stream for each client; the clients take turns, run by run."""
    async with AsyncExitStack() as stack:
        clients = {name: await make(stack, base_url) for name, make in CLIENTS.items()}
        samples: dict[str, list[float]] = {name: [] for name in clients}
        for run in range(runs + 1):  # run 0 warms up: connections, imports, caches
            for name, once in clients.items():
                started = time.perf_counter()
                await once(count)
                if run:
                    samples[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in samples.items()}


async def adapter_peaks(base_url: str, counts: tuple[int, ...]) -> list[int]:
    """Peak bytes traced while the adapter streams each count once (after a warm-up)."""
    async with AsyncExitStack() as stack:
        once = await adapter(stack, base_url)
        await once(counts[0])
        peaks = []
        tracemalloc.start()
        try:
            for count in counts:
                tracemalloc.reset_peak()
                base = tracemalloc.get_traced_memory()[0]
                await once(count)
                peaks.append(tracemalloc.get_traced_memory()[1] - base)
        finally:
            tracemalloc.stop()
    return peaks


def rows(runs: int, chunks: int = CHUNKS) -> list[Row]:
    with stream_server([chunks, *MEMORY_SIZES]) as base_url:
        times = asyncio.run(medians(base_url, runs, chunks))
        peaks = asyncio.run(adapter_peaks(base_url, MEMORY_SIZES))
    raw = times["raw httpx"]
    out: list[Row] = []
    for name, seconds in times.items():
        note = f"{seconds / chunks * 1e6:.1f} µs/chunk"
        note += " (the floor)" if name == "raw httpx" else f", {seconds / raw:.2f}x raw httpx"
        out.append((f"stream {chunks:,} chunks: {name}", f"{seconds * 1000:.0f} ms", note))
    for count, peak in zip(MEMORY_SIZES, peaks, strict=True):
        streamed = len(http_response(count)) / 2**20
        note = f"{streamed:.1f} MiB streamed, answer text {count * len(TOKEN) / 1024:.0f} KiB"
        out.append((f"VeniceChat.stream peak memory, {count:,} chunks", _kib(peak), note))
    return out


def _kib(size: int) -> str:
    return f"{size / 1024:.0f} KiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement (median)")
    parser.add_argument("--chunks", type=int, default=CHUNKS, help="content chunks per stream")
    parser.add_argument("--serve", type=int, nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    for label, value, note in rows(args.runs, args.chunks):
        print(f"{label:45} {value:>10}  {note}")


if __name__ == "__main__":
    main()
