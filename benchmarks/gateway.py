"""Gateway benchmark: the same turns direct to a Venice stand-in and through ``openclaw serve``.

    python benchmarks/gateway.py [--runs N] [--chunks N] [--turns N]

The streaming benchmark's server (``stream.py``, a child process on 127.0.0.1) stands in for
Venice; ``openclaw serve`` runs as a user runs it (the installed console script, a child
process, an isolated state dir) in front of it. Each client makes the same request both ways,
the two taking turns run by run, so a busy moment of the machine hits them alike:

* per-request overhead: a one-chunk streamed turn through raw httpx (a client that costs
  almost nothing itself), median direct and median through the gateway; the difference is
  what the gateway adds to a turn (an HTTP exchange on loopback, reading the OpenAI request,
  the provider's request building, the answer re-encoded);
* a ``--chunks`` stream (20,000) read by the openai SDK, the client agent runtimes use, and by
  raw httpx;
* ``--turns`` (500) streamed turns at once, 100 chunks each, through one openai SDK client
  from a cold pool.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stream  # the stand-in and the shapes of the streaming benchmark

Row = tuple[str, str, str]
OPENCLAW = Path(sys.executable).with_name("openclaw")
GATEWAY_MODEL = "venice/" + stream.MODEL
TURNS = 500
BURST_CHUNKS = 100


@contextmanager
def gateway(upstream: str) -> Iterator[tuple[str, str, int]]:
    """``openclaw serve --port 0`` in front of ``upstream``; yields its URL, token, pid."""
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "HOME": home,
            "OPENCLAW_STATE_DIR": os.path.join(home, "state"),
            "XDG_CACHE_HOME": os.path.join(home, "cache"),
            "VENICE_BASE_URL": upstream,
            "VENICE_API_KEY": stream.KEY,
        }
        child = subprocess.Popen(
            [str(OPENCLAW), "serve", "--port", "0"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        assert child.stdout is not None
        line = child.stdout.readline()
        try:
            url = line.split(" at ", 1)[1].split(" ", 1)[0]
            token_file = line.rsplit("bearer token in ", 1)[1].rstrip(")\n")
        except IndexError:
            child.kill()
            raise SystemExit(f"openclaw serve did not start: {line!r}") from None
        try:
            yield url, Path(token_file).read_text().strip(), child.pid
        finally:
            child.terminate()
            child.wait(timeout=30)


Once = Callable[[int], Awaitable[int]]


async def raw_client(
    base_url: str, key: str, model: str
) -> tuple[Once, Callable[[], Awaitable[None]]]:
    import httpx

    client = httpx.AsyncClient(trust_env=False, timeout=300)
    headers = {"Authorization": f"Bearer {key}", "Accept": "text/event-stream"}

    async def once(count: int) -> int:
        seen = 0
        body = {
            "model": model,
            "stream": True,
            "messages": [{"role": "user", "content": str(count)}],
        }
        async with client.stream(
            "POST", base_url + "/chat/completions", json=body, headers=headers
        ) as r:
            async for line in r.aiter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    json.loads(line[6:])
                    seen += 1
        if r.status_code != 200:
            raise SystemExit(f"HTTP {r.status_code} from {base_url}")
        return seen

    return once, client.aclose


async def sdk_client(
    base_url: str, key: str, model: str
) -> tuple[Once, Callable[[], Awaitable[None]]]:
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=base_url, api_key=key, max_retries=0, timeout=300)

    async def once(count: int) -> int:
        seen = 0
        answer = await client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": str(count)}], stream=True
        )
        async for _ in answer:
            seen += 1
        return seen

    return once, client.close


async def paired(
    make: Callable[..., Awaitable[tuple[Once, Callable[[], Awaitable[None]]]]],
    direct: str,
    through: tuple[str, str],
    runs: int,
    count: int,
) -> tuple[float, float]:
    """Median seconds of one ``count``-chunk turn direct and through the gateway, in turns."""
    a, close_a = await make(direct, stream.KEY, stream.MODEL)
    b, close_b = await make(through[0], through[1], GATEWAY_MODEL)
    times: dict[str, list[float]] = {"direct": [], "gateway": []}
    try:
        for run in range(runs + 1):
            for name, once in (("direct", a), ("gateway", b)):
                started = time.perf_counter()
                await once(count)
                if run:
                    times[name].append(time.perf_counter() - started)
    finally:
        await close_a()
        await close_b()
    return statistics.median(times["direct"]), statistics.median(times["gateway"])


async def burst(base_url: str, key: str, model: str, turns: int) -> float:
    once, close = await sdk_client(base_url, key, model)
    started = time.perf_counter()
    try:
        await asyncio.gather(*(once(BURST_CHUNKS) for _ in range(turns)))
    finally:
        await close()
    return time.perf_counter() - started


async def bursts(
    direct: str, through: tuple[str, str], runs: int, turns: int
) -> tuple[float, float]:
    times: dict[str, list[float]] = {"direct": [], "gateway": []}
    for _ in range(runs):
        times["direct"].append(await burst(direct, stream.KEY, stream.MODEL, turns))
        times["gateway"].append(await burst(through[0], through[1], GATEWAY_MODEL, turns))
    return statistics.median(times["direct"]), statistics.median(times["gateway"])


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid`` so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def gateway_cpu(through: tuple[str, str, int], turns: int) -> float:
    """The gateway's own CPU time per one-chunk turn (what it costs the machine, whatever
    else runs on it)."""
    once, close = await raw_client(through[0], through[1], GATEWAY_MODEL)
    try:
        await once(1)
        before = cpu_seconds(through[2])
        for _ in range(turns):
            await once(1)
        return (cpu_seconds(through[2]) - before) / turns
    finally:
        await close()


def rows(runs: int, chunks: int = stream.CHUNKS, turns: int = TURNS) -> list[Row]:
    out: list[Row] = []
    with stream.stream_server([1, chunks, BURST_CHUNKS]) as upstream, gateway(upstream) as through:
        direct, via = asyncio.run(paired(raw_client, upstream, through, runs * 10, 1))
        out.append(("gateway: one-chunk turn, raw httpx direct", f"{direct * 1000:.2f} ms", ""))
        out.append(
            ("gateway: one-chunk turn through the gateway", f"{via * 1000:.2f} ms",
             f"+{(via - direct) * 1000:.2f} ms per request")
        )  # fmt: skip
        if Path("/proc/self/stat").exists():
            cpu = asyncio.run(gateway_cpu(through, runs * 100))
            out.append(("gateway: its own CPU per one-chunk turn", f"{cpu * 1000:.2f} ms", ""))
        for name, make in (("openai SDK", sdk_client), ("raw httpx", raw_client)):
            direct, via = asyncio.run(paired(make, upstream, through, runs, chunks))
            out.append(
                (f"gateway: {chunks:,} chunks, {name} direct", f"{direct * 1000:.0f} ms", "")
            )
            out.append(
                (f"gateway: {chunks:,} chunks, {name} through it", f"{via * 1000:.0f} ms",
                 f"{via / direct:.2f}x direct")
            )  # fmt: skip
        direct, via = asyncio.run(bursts(upstream, through, max(3, runs // 2), turns))
        out.append(
            (f"gateway: {turns} turns at once, openai SDK direct", f"{direct * 1000:.0f} ms", "")
        )
        out.append(
            (f"gateway: {turns} turns at once, through it", f"{via * 1000:.0f} ms",
             f"{via / direct:.2f}x direct")
        )  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument("--chunks", type=int, default=stream.CHUNKS)
    parser.add_argument("--turns", type=int, default=TURNS)
    args = parser.parse_args()
    for label, value, note in rows(args.runs, args.chunks, args.turns):
        print(f"{label:50} {value:>10}  {note}")


if __name__ == "__main__":
    main()
