"""Gateway benchmark: the same turns direct to a Venice stand-in and through ``openclaw serve``.

    python benchmarks/gateway.py [--runs N] [--chunks N] [--turns N] [--burst-runs N]

The streaming benchmark's server (``stream.py``, a child process on 127.0.0.1) stands in for
Venice; ``openclaw serve`` runs as a user runs it (the installed console script, a child
process, an isolated state dir) in front of it. Each client makes the same request both ways,
the two taking turns with the order flipped every time, so a busy moment of the machine hits
them alike, and every row says its ratio run by run and the load average:

* per-request overhead: ``--runs`` blocks of 200 one-chunk streamed turns each way through
  raw httpx (a client that costs almost nothing itself), alternating turn by turn; per block
  the medians and their difference (what the gateway adds to a turn: an HTTP exchange on
  loopback, reading the OpenAI request, the provider's request building, the answer
  re-encoded), and the gateway's own CPU per turn (``/proc``, its process only) next to the
  CPU of the same upstream turn made in-process by ``VeniceChat.stream`` (the provider's
  share of it);
* a ``--chunks`` stream (20,000) read by the openai SDK, the client agent runtimes use, and by
  raw httpx, ``--runs`` times each way;
* ``--turns`` (500) streamed turns at once, 100 chunks each, through one openai SDK client
  from a cold pool, ``--burst-runs`` times each way (``turns.in_turn``: the order flipped every
  run, the kernel's dropped SYNs said), with the gateway's CPU per chunk.
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
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stream  # the stand-in and the shapes of the streaming benchmark
import turns  # the order of runs, the load and the kernel's SYN counters (paced.py's)

Row = tuple[str, str, str]
OPENCLAW = Path(sys.executable).with_name("openclaw")
GATEWAY_MODEL = "venice/" + stream.MODEL
TURNS = 500
BURST_CHUNKS = 100
PER_BLOCK = 200  # one-chunk turns each way per block


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


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid`` so far (Linux ``/proc``; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load() -> float:
    return os.getloadavg()[0]


def each(values: list[float], form: str) -> str:
    return ", ".join(format(v, form) for v in values)


@dataclass
class OneChunk:
    """Per block: the median seconds of a one-chunk turn direct and through, the gateway's
    CPU seconds per turn through it, the load average."""

    direct: list[float] = field(default_factory=list)
    through: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    upstream_cpu: list[float] = field(default_factory=list)  # VeniceChat.stream, in-process
    load: list[float] = field(default_factory=list)


async def one_chunk(
    direct: str, through: tuple[str, str, int], blocks: int, per_block: int
) -> OneChunk:
    """``blocks`` blocks of ``per_block`` one-chunk turns each way, the two ways alternating
    turn by turn (the order flipped every turn); per block the medians, and the gateway's
    CPU (its process's ``/proc`` counters) over the block's turns through it, next to the CPU
    of the same upstream turn made in this process by ``VeniceChat.stream`` (what the gateway
    runs per request: the part of its CPU that is the provider's, not the gateway's)."""
    a, close_a = await raw_client(direct, stream.KEY, stream.MODEL)
    b, close_b = await raw_client(through[0], through[1], GATEWAY_MODEL)
    out = OneChunk()
    async with AsyncExitStack() as stack:
        chat = await stream.adapter(stack, direct)
        try:
            for _ in range(50):  # warm: pools, imports, the provider's session
                await a(1)
                await b(1)
                await chat(1)
            for _ in range(blocks):
                started = time.process_time()
                for _ in range(per_block):
                    await chat(1)
                out.upstream_cpu.append((time.process_time() - started) / per_block)
                await _block(a, b, through[2], per_block, out)
        finally:
            await close_a()
            await close_b()
    return out


async def _block(a: Once, b: Once, pid: int, per_block: int, out: OneChunk) -> None:
    """One block: ``a`` (direct) and ``b`` (through the gateway of process ``pid``)."""
    times: tuple[list[float], list[float]] = ([], [])
    cpu = cpu_seconds(pid)
    for turn in range(per_block):
        for way in (0, 1) if turn % 2 == 0 else (1, 0):
            started = time.perf_counter()
            await (a, b)[way](1)
            times[way].append(time.perf_counter() - started)
    out.cpu.append((cpu_seconds(pid) - cpu) / per_block)
    out.direct.append(statistics.median(times[0]))
    out.through.append(statistics.median(times[1]))
    out.load.append(load())


async def long_streams(
    make: Callable[..., Awaitable[tuple[Once, Callable[[], Awaitable[None]]]]],
    direct: str,
    through: tuple[str, str, int],
    runs: int,
    count: int,
) -> turns.Measured:
    """Seconds of one ``count``-chunk stream each way, ``runs`` times (after a warm-up), in
    turn, the order flipped every run."""
    ways = {
        "direct": await make(direct, stream.KEY, stream.MODEL),
        "through": await make(through[0], through[1], GATEWAY_MODEL),
    }
    measured = turns.Measured(seconds={"direct": [], "through": []})
    try:
        for run in range(runs + 1):
            for name in ("direct", "through") if run % 2 == 0 else ("through", "direct"):
                started = time.perf_counter()
                await ways[name][0](count)
                if run:
                    measured.seconds[name].append(time.perf_counter() - started)
                    measured.load.append(load())
    finally:
        for _, close in ways.values():
            await close()
    return measured


async def burst(base_url: str, key: str, model: str, turns_at_once: int) -> None:
    """``turns_at_once`` streamed turns at once through one openai SDK client, from a cold
    pool; every turn's chunks counted."""
    once, close = await sdk_client(base_url, key, model)
    try:
        counts = await asyncio.gather(*(once(BURST_CHUNKS) for _ in range(turns_at_once)))
    finally:
        await close()
    turns.check(counts, BURST_CHUNKS + 2)  # the content chunks, the finish, the usage


def bursts(
    direct: str, through: tuple[str, str, int], runs: int, turns_at_once: int
) -> tuple[turns.Measured, list[float]]:
    """The burst direct and through, in turn, the order flipped every run (``turns.in_turn``:
    the load and the kernel's dropped SYNs with it); the gateway's CPU per chunk in each
    burst through it."""
    cpu: list[float] = []

    async def via() -> None:
        before = cpu_seconds(through[2])
        await burst(through[0], through[1], GATEWAY_MODEL, turns_at_once)
        cpu.append((cpu_seconds(through[2]) - before) / (turns_at_once * BURST_CHUNKS))

    clients = {
        "direct": lambda: burst(direct, stream.KEY, stream.MODEL, turns_at_once),
        "through": via,
    }
    return turns.in_turn(clients, runs), cpu[1:]  # cpu[0]: the warm-up round


def rows(
    runs: int, chunks: int = stream.CHUNKS, turns_at_once: int = TURNS, burst_runs: int = 0
) -> list[Row]:
    """``runs``: blocks of one-chunk turns and long streams each way; ``burst_runs`` (default
    ``max(5, runs)``): bursts each way."""
    burst_runs = burst_runs or max(5, runs)
    out: list[Row] = []
    with stream.stream_server([1, chunks, BURST_CHUNKS]) as upstream, gateway(upstream) as through:
        one = asyncio.run(one_chunk(upstream, through, runs, PER_BLOCK))
        direct, via = statistics.median(one.direct), statistics.median(one.through)
        over = [(t - d) * 1000 for d, t in zip(one.direct, one.through, strict=True)]
        out.append(("gateway: one-chunk turn, raw httpx direct", f"{direct * 1000:.2f} ms",
                    f"(the floor; median of {runs} blocks of {PER_BLOCK} turns each way, "
                    f"alternating; load {statistics.median(one.load):.1f})"))  # fmt: skip
        out.append(("gateway: one-chunk turn through the gateway", f"{via * 1000:.2f} ms",
                    f"{statistics.median(over):+.2f} ms per request (block by block: "
                    f"{each(over, '+.2f')})"))  # fmt: skip
        if any(one.cpu):
            cpu = [c * 1000 for c in one.cpu]
            out.append(("gateway: its own CPU per one-chunk turn",
                        f"{statistics.median(cpu):.2f} ms",
                        f"(/proc; block by block: {each(cpu, '.2f')})"))  # fmt: skip
            up = [c * 1000 for c in one.upstream_cpu]
            out.append(("gateway: its upstream turn alone, in-process",
                        f"{statistics.median(up):.2f} ms",
                        f"(the same turn in-process, process_time; block by block: "
                        f"{each(up, '.2f')})"))  # fmt: skip
        for name, make in (("openai SDK", sdk_client), ("raw httpx", raw_client)):
            measured = asyncio.run(long_streams(make, upstream, through, runs, chunks))
            direct, via = measured.median("direct"), measured.median("through")
            out.append((f"gateway: {chunks:,} chunks, {name} direct", f"{direct * 1000:.0f} ms",
                        f"(load {statistics.median(measured.load):.1f})"))  # fmt: skip
            out.append((f"gateway: {chunks:,} chunks, {name} through it", f"{via * 1000:.0f} ms",
                        f"{via / direct:.2f}x direct (run by run: "
                        f"{each(measured.ratios('through', 'direct'), '.2f')})"))  # fmt: skip
        measured, cpu = bursts(upstream, through, burst_runs, turns_at_once)
        direct, via = measured.median("direct"), measured.median("through")
        out.append((f"gateway: {turns_at_once} turns at once, openai SDK direct",
                    f"{direct * 1000:.0f} ms",
                    f"({burst_runs} runs; {measured.note()})"))  # fmt: skip
        note = f"{via / direct:.2f}x direct (run by run: "
        note += f"{each(measured.ratios('through', 'direct'), '.2f')})"
        if any(cpu):
            note += f"; its CPU {statistics.median(cpu) * 1e6:.0f} µs per chunk"
        out.append((f"gateway: {turns_at_once} turns at once, through it", f"{via * 1000:.0f} ms",
                    note))  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument("--chunks", type=int, default=stream.CHUNKS)
    parser.add_argument("--turns", type=int, default=TURNS)
    parser.add_argument("--burst-runs", type=int, default=0, help="default: max(5, --runs)")
    args = parser.parse_args()
    print(f"load average at the start: {load():.1f} ({os.cpu_count()} CPUs)")
    for label, value, note in rows(args.runs, args.chunks, args.turns, args.burst_runs):
        print(f"{label:50} {value:>10}  {note}")


if __name__ == "__main__":
    main()
