"""Many turns at once through one client: the clients and the measuring shared by
``paced.py`` and ``burst.py``.

The floor is raw httpx as the openai SDK configures it: one ``httpx.AsyncClient`` with a
pool of N connections (N: the turns at once) and 100 kept alive, ``aiter_lines`` and
``json.loads`` per ``data:`` line, nothing else; with one TLS context for all runs and
TCP_NODELAY, as the wire has (:func:`tls_context`). httpx's defaults (100 connections, 20 kept
alive) would queue turns in httpcore and make a slow floor. Each client starts from a cold
pool and is closed after its turns; every turn's answer is counted, so a client that drops
or cuts turns stops the benchmark instead of looking fast.

The clients take turns, and the order flips every run (the second client of a pair meets
the server still closing the first one's connections). On Linux the kernel's counters of
dropped SYNs (``ListenOverflows``) and SYN retransmissions are read around each run: a run
where the server's listen queue overflowed waited on the kernel's SYN backoff (1, 3, 7, 15 s)
and says so in its row.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import os
import socket
import ssl
import statistics
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

KEY = "bench-key"
KEEPALIVE = 100  # the openai SDK's max_keepalive_connections
Turns = Callable[[], Awaitable[None]]  # one burst: every turn at once, checked, client closed


NODELAY = (socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every run of the floor, as the wire keeps one (a new
    ``httpx.AsyncClient`` loads the CA bundle again: some 20-50 ms a run, which made the
    short rows' floor slow). With TCP_NODELAY (the wire sets it too: without it a reused
    connection's request body can wait for the server's delayed ACK), the floor pays for
    nothing the wire does not."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def check(counts: list[int], expected: int) -> None:
    if any(count != expected for count in counts):
        raise SystemExit(f"a turn came back incomplete: {sorted(set(counts))} != {expected}")


async def raw_httpx(
    base_url: str, turns: int, payload: Mapping[str, Any], expected: int, key: str = KEY,
    sharded: bool = False,
) -> None:  # fmt: skip
    """``turns`` streamed requests of ``payload`` at once, each with ``expected`` events.
    ``sharded``: the pool split as the wire splits its own (``wire/shards.py``: httpcore
    pools of at most 256 connections), to show what is left of the difference once the
    floor no longer pays httpcore's scan of every connection per request."""
    import httpx

    headers = {"Authorization": f"Bearer {key}", "Accept": "text/event-stream"}
    limits = httpx.Limits(max_connections=turns, max_keepalive_connections=KEEPALIVE)

    def make(limits: httpx.Limits) -> httpx.AsyncBaseTransport:
        return httpx.AsyncHTTPTransport(
            limits=limits, verify=tls_context(), socket_options=[NODELAY]
        )

    if sharded:
        from openclaw_venice.wire.shards import pooled

        transport = pooled(make, limits)
    else:
        transport = make(limits)
    body = {**payload, "stream": True}
    async with httpx.AsyncClient(transport=transport, trust_env=False, timeout=120) as client:

        async def once() -> int:
            seen = 0
            url = base_url + "/chat/completions"
            async with client.stream("POST", url, json=body, headers=headers) as response:
                async for line in response.aiter_lines():
                    if line.startswith("data: ") and line != "data: [DONE]":
                        json.loads(line[6:])
                        seen += 1
            return seen

        counts = await asyncio.gather(*(once() for _ in range(turns)))
    check(counts, expected)


async def venice_chat(
    base_url: str, turns: int, model: str, context: Any, token: str, expected: int,
    key: str = KEY,
) -> None:  # fmt: skip
    """``turns`` whole turns at once through one ``VeniceChat`` (its defaults), each asked
    ``context`` (:func:`conversation`) and answered ``expected`` times ``token``."""
    from openclaw_venice import VeniceChat
    from openclaw_venice.catalog import load_bundle

    async with VeniceChat(key, base_url=base_url, env={}, catalog=load_bundle()) as chat:

        async def once() -> int:
            message = await chat.complete(model, context)
            return len(message.text) // len(token)

        counts = await asyncio.gather(*(once() for _ in range(turns)))
    check(counts, expected)


def conversation(texts: list[str]) -> Any:
    """``texts`` as the ``Context`` a ``VeniceChat`` caller holds: made before the clock
    starts, as the floor's list of message dicts is (each client is handed its own form of the
    same conversation, ready; the row times the turns alone)."""
    from openclaw_venice import Context, UserMessage

    return Context(messages=[UserMessage(text) for text in texts])


def kernel_counters() -> dict[str, int]:
    """TcpExt ListenOverflows and TCPSynRetrans (empty off Linux)."""
    try:
        with open("/proc/net/netstat") as source:
            lines = source.read().splitlines()
    except OSError:
        return {}
    values: dict[str, int] = {}
    for names, numbers in zip(lines[::2], lines[1::2], strict=False):
        values.update(zip(names.split()[1:], map(int, numbers.split()[1:]), strict=False))
    return {name: values.get(name, 0) for name in ("ListenOverflows", "TCPSynRetrans")}


@dataclass
class Measured:
    """Seconds per client (one entry per run), the kernel's SYN trouble seen, the load."""

    seconds: dict[str, list[float]] = field(default_factory=dict)
    syn_trouble: dict[str, int] = field(default_factory=dict)
    load: list[float] = field(default_factory=list)
    grown: dict[str, int] = field(default_factory=dict)  # the most ``watch`` grew in a run

    def median(self, name: str) -> float:
        return statistics.median(self.seconds[name])

    def ratios(self, name: str, floor: str) -> list[float]:
        """``name`` over ``floor``, run by run (each pair measured back to back)."""
        return [a / b for a, b in zip(self.seconds[name], self.seconds[floor], strict=True)]

    def note(self) -> str:
        """What a reader needs to trust the row: dropped SYNs, the load average."""
        trouble = {k: v for k, v in self.syn_trouble.items() if v}
        said = f"load {statistics.median(self.load):.1f}"
        if trouble:  # machine-wide counters: another process may have grown them
            said += "; kernel " + ", ".join(f"{k} +{v}" for k, v in trouble.items())
        return said


def in_turn(
    clients: Mapping[str, Turns], runs: int, watch: Callable[[], int] | None = None
) -> Measured:
    """Each client's burst ``runs`` times (after one warm-up round), in turn, the order
    flipped every run. ``watch``: a count taken before and after each burst, its event loop
    closed (open files: a client that leaves sockets to the garbage collector shows)."""
    measured = Measured(seconds={name: [] for name in clients}, grown=dict.fromkeys(clients, 0))
    names = list(clients)
    for run in range(runs + 1):  # run 0 warms up: imports, the server's first accepts
        for name in names if run % 2 == 0 else names[::-1]:
            gc.collect()  # no client pays for the garbage of the one before it
            before, watched = kernel_counters(), watch() if watch else 0
            started = time.perf_counter()
            asyncio.run(clients[name]())
            elapsed = time.perf_counter() - started
            if watch:
                measured.grown[name] = max(measured.grown[name], watch() - watched)
            if run:
                measured.seconds[name].append(elapsed)
                measured.load.append(os.getloadavg()[0])
                for counter, value in kernel_counters().items():
                    grown = value - before.get(counter, value)
                    measured.syn_trouble[counter] = measured.syn_trouble.get(counter, 0) + grown
    return measured
