"""Concurrency: many streamed turns through one client at once, and two processes onboarding
into one config file at once."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.chat.turn import DRAIN_SECONDS
from openclaw_venice.runtime.ai import Context, UserMessage
from openclaw_venice.runtime.config_file import parse_config_text
from openclaw_venice.runtime.config_lock import config_lock
from tests.conftest import OPENCLAW, REPO, run_cli
from tests.support import faults, venice_wire
from tests.support.hygiene import CANARY, allow_secret_in
from tests.support.requests_schema import assert_valid_request
from tests.support.server import LocalServer, Reply, Request

TURNS = 200
POOL = 20  # VeniceChat's max_connections for the test
MODEL = "venice/llama-3.3-70b"


def rss_bytes() -> int:
    """Resident memory of this process, now."""
    resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


def answer(request: Request) -> Reply:
    """A streamed answer naming the turn it answers, in pieces a few ms apart (so turns
    overlap and the pool is what limits them)."""
    question = request.json()["messages"][-1]["content"]
    text = f"answer to {question}: " + "lorem ipsum " * 4
    return Reply(
        200, _slowly(venice_wire.sse(venice_wire.text_stream(text, 5))), venice_wire.HEADERS
    )


def gated(server: LocalServer) -> Callable[[Request], Reply]:
    """:func:`answer`, each held until the pool's worth of requests is in flight or the
    round's last turn arrived (30 s at most): the turns meet at the server however slowly a
    loaded machine starts them, so "as many at once as allowed" is not a race."""

    def respond(request: Request) -> Reply:
        deadline = time.monotonic() + 30
        while (
            server.connections.in_flight < POOL
            and len(server.requests) < TURNS  # cleared after each round
            and time.monotonic() < deadline
        ):
            time.sleep(0.005)
        return answer(request)

    return respond


def _slowly(body: bytes) -> Iterator[bytes]:
    for event in body.split(b"\n\n")[:-1]:
        time.sleep(0.01)
        yield event + b"\n\n"


async def run_turns(chat: VeniceChat, count: int) -> list[str]:
    async def turn(number: int) -> str:
        context = Context(messages=[UserMessage(f"turn {number}")])
        return (await chat.complete(MODEL, context)).text

    return list(await asyncio.gather(*(turn(n) for n in range(count))))


def check_round(server: LocalServer, texts: list[str], bodies: list[Any]) -> None:
    """The answers; the request bodies are kept for validation after the rounds (validating
    200 of them takes seconds on a busy machine, past httpx's 5 s keep-alive expiry, which
    would close the warm pool between the rounds)."""
    expected = [f"answer to turn {n}: " + "lorem ipsum " * 4 for n in range(TURNS)]
    assert texts == expected
    chats = [r for r in server.requests if r.path.endswith("/chat/completions")]
    assert len(chats) == TURNS
    bodies.extend(request.body for request in chats)
    server.requests.clear()  # the server's own record is not the client's memory


def test_200_streamed_turns_through_one_client(server: LocalServer) -> None:
    server.respond(gated(server))
    chat = VeniceChat(
        CANARY, base_url=server.url + "/api/v1", catalog=load_bundle(), max_connections=POOL
    )
    measured: dict[str, Any] = {}
    bodies: list[bytes] = []

    async def scenario() -> None:
        check_round(server, await run_turns(chat, TURNS), bodies)  # warm-up: pool, caches
        measured["warm_up_ports"] = len(server.connections.ports)
        gc.collect()
        measured["rss_before"] = rss_bytes()
        server.connections.reset()
        start = time.perf_counter()
        texts = await run_turns(chat, TURNS)
        measured["seconds"] = time.perf_counter() - start
        check_round(server, texts, bodies)
        gc.collect()
        measured["rss_after"] = rss_bytes()
        await chat.aclose()

    asyncio.run(scenario())
    for body in bodies:
        assert_valid_request(json.loads(body))
    stats = server.connections
    print(
        f"{TURNS} turns in {measured['seconds']:.2f} s; at once: {stats.peak} connections, "
        f"{stats.peak_in_flight} requests, {measured['warm_up_ports']} + {len(stats.ports)} "
        "client ports (warm-up + measured); RSS "
        f"{measured['rss_before'] / 2**20:.1f} -> {measured['rss_after'] / 2**20:.1f} MiB"
    )
    # the turns ran side by side, as many as allowed and no more (the server holds answers
    # until the pool's worth is in flight, so this is no race with a loaded machine)
    assert stats.peak == POOL and stats.peak_in_flight == POOL
    # connections reused, not one per turn: 200 turns on the pool's 20, and a few more when
    # a loaded machine lets a trailer wait past DRAIN_SECONDS (its connection is closed)
    assert measured["warm_up_ports"] <= POOL
    assert len(stats.ports) <= POOL + TURNS // 10
    assert measured["rss_after"] <= measured["rss_before"] * 1.10


def test_an_answer_held_open_after_done_does_not_hold_the_turn(server: LocalServer) -> None:
    """Reading the rest of an answer after [DONE] (so its connection can be reused) waits
    at most DRAIN_SECONDS for a server that never ends it."""
    body = venice_wire.sse(venice_wire.text_stream("still here"))
    server.respond(faults.body_stalls(body, 30, "text/event-stream"))
    chat = VeniceChat(CANARY, base_url=server.url + "/api/v1", catalog=load_bundle())
    start = time.perf_counter()
    message = chat.complete_sync(MODEL, Context(messages=[UserMessage("hi")]))
    chat.close()
    assert message.text == "still here"
    assert time.perf_counter() - start < DRAIN_SECONDS + 1


# -- two processes onboarding into one config file ---------------------------------------------

ONBOARD = ("onboard", "--auth-choice", "venice-api-key", "--non-interactive", "--json")
# no keyring: each key goes into the config's env block, so the two results differ in the file
NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
KEYS = (f"{CANARY}-a", f"{CANARY}-b")
STARTS = {"no file": None, "TypeScript config": REPO / "fixtures" / "openclaw-ts.json5"}
WAITING = "waiting for another process"  # what a writer says when the config is locked


class Racer:
    """``openclaw onboard`` in a process of its own, its stderr read as it comes."""

    def __init__(self, key: str, state_dir: Path) -> None:
        args = [str(OPENCLAW), *ONBOARD, "--venice-api-key", key, "--store-key-in-config"]
        env = {**os.environ, **NO_KEYRING, "OPENCLAW_STATE_DIR": str(state_dir)}
        self.process = subprocess.Popen(
            args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.said: list[str] = []
        self.waiting = threading.Event()  # it has read the config and waits to write it
        self.reader = threading.Thread(target=self._read_stderr, daemon=True)
        self.reader.start()

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.said.append(line)
            if line.startswith(WAITING):
                self.waiting.set()

    def summary(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        out = self.process.stdout.read()  # one JSON object: far below a pipe's buffer
        code = self.process.wait(timeout=60)
        self.reader.join(timeout=60)
        err = "".join(self.said)
        assert code == 0, out + err
        assert "Traceback" not in out + err and CANARY not in out + err
        summary: dict[str, Any] = json.loads(out)
        return summary


def alone(key: str, state_dir: Path) -> dict[str, Any]:
    env = {**NO_KEYRING, "OPENCLAW_STATE_DIR": str(state_dir)}
    result = run_cli(*ONBOARD, "--venice-api-key", key, "--store-key-in-config", env=env)
    assert result.code == 0, result.output
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def prepared(state_dir: Path, start: Path | None) -> Path:
    state_dir.mkdir(parents=True)
    config = state_dir / "openclaw.json"
    for path in (config, config.with_name("openclaw.json.bak")):
        allow_secret_in(path)  # the env block holds the key: the user asked for it
    if start is not None:
        config.write_text(start.read_text())
    return config


def test_two_onboardings_racing_on_one_config(tmp_path: Path) -> None:
    """Two processes onboard into one config, both having read it before either writes: the
    test holds the config's lock (as a third writer would) until each says it is waiting for
    it, which it does only after reading the file. Both finish; the file and its .bak are
    valid JSON5, each exactly one of the two results (the last writer's, and the first's that
    it replaced): nothing mixed, torn or lost."""
    for name, start in STARTS.items():
        results: list[Any] = []
        for key in KEYS:  # each alone: the two possible results
            config = prepared(tmp_path / f"alone-{len(results)}-{name}", start)
            alone(key, config.parent)
            results.append(load(config))
        assert results[0] != results[1]
        config = prepared(tmp_path / f"race-{name}", start)
        with config_lock(config):
            racers = [Racer(key, config.parent) for key in KEYS]
            for racer in racers:
                assert racer.waiting.wait(timeout=60), "".join(racer.said)
        summaries = [racer.summary() for racer in racers]  # the lock is free: both go on
        # each planned its change from the file as it was before either wrote
        assert [s["defaultModelChanged"] for s in summaries] == [start is None] * 2
        final, backup = load(config), load(config.with_name("openclaw.json.bak"))
        assert final in results and backup in results and final != backup
        check_private(config)
        if start is not None:
            assert "// OpenClaw configuration" in config.read_text()


def load(path: Path) -> dict[str, Any]:
    """As JSON5 (the JSON fast path first, as the CLI reads it)."""
    return parse_config_text(path.read_text(), str(path))


def check_private(config: Path) -> None:
    names = sorted(p.name for p in config.parent.iterdir())
    assert names == ["openclaw.json", "openclaw.json.bak"], names  # no lock left (issue 24)
    for path in (config, config.with_name("openclaw.json.bak")):
        assert path.stat().st_mode & 0o777 == 0o600
