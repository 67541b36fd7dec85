"""Benchmarks for openclaw-venice: one command, one table of medians.

    python benchmarks/run.py [--runs N] [--check] [--startup]

Measured side by side in the same run, each the median of N runs:

* ``openclaw --version`` and ``openclaw models list`` (offline after a first failed
  discovery, and from the cache) wall time and peak memory, each in a fresh process, beside a
  bare ``python -c pass`` run in turn with them (``--check``: fail at 5x or more), and a first
  offline run against a closed port (no failure remembered yet);
* ``import openclaw_venice`` time;
* merging a 300-model ``/models`` payload with the bundled catalog;
* ``openclaw models list`` and ``openclaw models set`` on a 5 MB hand-written JSON5 config
  (benchmarks/big_config.py);
* 500 concurrent streamed turns from a cold pool through raw httpx (pool N, keep-alive 100,
  the openai SDK's setting), ``VeniceChat`` and the openai SDK, with the open files right
  after each client closed (benchmarks/burst.py);
* paced turns (20 chunks 50 ms apart) at 100, 500 and 2,000 at once, 500 cold turns answered
  at once, one 10,000-message turn: ``VeniceChat`` against raw httpx with pool N and
  keep-alive 100 (benchmarks/paced.py);
* opening one sealed E2EE delta against libsecp256k1's own ECDH + HKDF + AES-GCM
  (benchmarks/e2ee.py);
* the same turns direct and through ``openclaw serve`` (benchmarks/gateway.py): per-request
  overhead, a 20,000-chunk stream, 500 streamed turns at once;
* Hermes Agent's provider discovery without and with our plugin folders (benchmarks/hermes.py,
  where hermes-agent is installed);
* streaming (if benchmarks/stream.py is present): 20,000 SSE chunks through raw httpx,
  our adapter and the openai SDK, and the adapter's peak memory at 2,000 to 80,000 chunks.

Everything runs against servers on 127.0.0.1; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OPENCLAW = Path(sys.executable).with_name("openclaw")
Row = tuple[str, str, str]


def fake_rows(count: int) -> list[dict[str, Any]]:
    """``count`` /models rows shaped like Venice's, half known to the bundle, half new."""
    from openclaw_venice.catalog import load_bundle

    known = [m.id for m in load_bundle().models]
    rows = []
    for i in range(count):
        model_id = known[i] if i < len(known) and i % 2 == 0 else f"bench-model-{i}"
        rows.append(
            {
                "id": model_id,
                "type": "text",
                "model_spec": {
                    "name": f"Bench {i}",
                    "privacy": "private" if i % 3 else "anonymized",
                    "availableContextTokens": 128_000 + i,
                    "maxCompletionTokens": 8192,
                    "capabilities": {
                        "supportsFunctionCalling": True,
                        "supportsVision": i % 2 == 0,
                        "supportsReasoning": i % 5 == 0,
                    },
                    "pricing": {"input": {"usd": 0.5}, "output": {"usd": 1.5}},
                },
            }
        )
    return rows


@contextmanager
def models_server(rows: list[dict[str, Any]]) -> Iterator[str]:
    body = json.dumps({"object": "list", "data": rows}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/api/v1"
    finally:
        httpd.shutdown()


#: runs one command and reports its wall time and peak RSS: the command is forked from this
#: small process, as ru_maxrss of a child forked from a large one (the benchmark, or pytest)
#: reports the larger parent's RSS at the fork, carried over through exec
_LAUNCH = """
import os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:  # the command, its output discarded
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - started, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run_process(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one child process (``args[0]`` a path)."""
    launcher = [sys.executable, "-c", _LAUNCH, *args]
    shown = subprocess.run(launcher, env=env, capture_output=True, text=True, check=True)
    elapsed, peak, code = shown.stdout.split()
    if int(code) != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(args)}")
    return float(elapsed), int(peak)


#: issue 13: `--version` and an offline `models list` each under this many `python -c pass`
STARTUP_LIMIT = 5.0


def compile_package() -> None:
    """Write the package's bytecode, as ``pip install`` of a wheel does: an editable install
    under ``PYTHONDONTWRITEBYTECODE`` (set on some machines) would otherwise recompile every
    module on every run and time the compiler, not the command."""
    import compileall

    import openclaw_venice

    compileall.compile_dir(Path(openclaw_venice.__file__).parent, quiet=1)


def command_rows(runs: int, check: bool = False) -> list[Row]:
    """Each command in a fresh process, interleaved with a bare ``python -c pass`` so that
    the ratio compares runs made under the same load."""
    compile_package()
    home = tempfile.mkdtemp(prefix="openclaw-bench-")
    base = {
        **os.environ,
        "HOME": home,
        "XDG_CACHE_HOME": f"{home}/cache",
        "OPENCLAW_STATE_DIR": f"{home}/state",
    }
    offline = {**base, "VENICE_BASE_URL": "http://127.0.0.1:9/api/v1"}
    run_process([str(OPENCLAW), "models", "list"], offline)  # first run: fails, is remembered
    with models_server(fake_rows(120)) as url:
        cached = {**base, "VENICE_BASE_URL": url}
        run_process([str(OPENCLAW), "models", "list"], cached)  # fills the cache
        cases = [
            ("python -c pass", [sys.executable, "-c", "pass"], base),
            ("openclaw --version", [str(OPENCLAW), "--version"], base),
            ("openclaw models list (offline)", [str(OPENCLAW), "models", "list"], offline),
            ("openclaw models list (cache)", [str(OPENCLAW), "models", "list"], cached),
            (
                "openclaw models list --json (cache)",
                [str(OPENCLAW), "models", "list", "--json"],
                cached,
            ),
        ]
        samples: dict[str, list[tuple[float, int]]] = {label: [] for label, _, _ in cases}
        for _ in range(runs):
            # a failure is remembered for a minute: renewed, so every offline row stays offline
            run_process([str(OPENCLAW), "models", "list"], offline)
            for label, args, env in cases:
                samples[label].append(run_process(args, env))
    first = [first_offline_run() for _ in range(runs)]
    floor = statistics.median(s[0] for s in samples["python -c pass"])
    rows: list[Row] = []
    failures: list[str] = []
    for label, _, _ in cases:
        wall = statistics.median(s[0] for s in samples[label])
        peak = statistics.median(s[1] for s in samples[label])
        note = f"{peak / 1024:.1f} MiB peak RSS"
        if label != "python -c pass":
            note += f", {wall / floor:.1f}x python -c pass"
        limited = label in ("openclaw --version", "openclaw models list (offline)")
        if limited and wall / floor >= STARTUP_LIMIT:
            failures.append(f"{label}: {wall / floor:.1f}x python -c pass")
        rows.append((label, f"{wall * 1000:.0f} ms", note))
    wall = statistics.median(first)
    rows.append(("openclaw models list (first run, port closed)", f"{wall * 1000:.0f} ms",
                 "no failure remembered yet: a refused connection is not retried"))  # fmt: skip
    if check and wall - floor > 1.0:
        failures.append(f"first offline run: {wall:.2f} s")
    if check and failures:
        raise SystemExit("over the limits: " + "; ".join(failures))
    return rows


def first_offline_run() -> float:
    """``models list`` in a fresh home against a closed port: discovery fails for the first
    time (no failure memory, no cache), so this is every retry and back-off it makes."""
    home = tempfile.mkdtemp(prefix="openclaw-bench-first-")
    env = {
        **os.environ,
        "HOME": home,
        "XDG_CACHE_HOME": f"{home}/cache",
        "OPENCLAW_STATE_DIR": f"{home}/state",
        "VENICE_BASE_URL": "http://127.0.0.1:9/api/v1",
    }
    return run_process([str(OPENCLAW), "models", "list"], env)[0]


def import_row(runs: int) -> Row:
    code = (
        "import time; t=time.perf_counter(); import openclaw_venice, openclaw_venice.plugin;"
        " print(time.perf_counter()-t)"
    )
    samples = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(runs)
    ]
    return ("import openclaw_venice (+ plugin)", f"{statistics.median(samples) * 1000:.1f} ms", "")


def timed(fn: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def merge_row(runs: int) -> Row:
    from openclaw_venice.catalog import load_bundle, merge_catalog

    rows, bundle = fake_rows(300), load_bundle()
    seconds = timed(lambda: merge_catalog(rows, bundle), max(runs, 20))
    return ("merge a 300-model /models payload", f"{seconds * 1000:.2f} ms", "")


def stream_rows(runs: int) -> list[Row]:
    if not (HERE / "stream.py").exists():
        return []
    sys.path.insert(0, str(HERE))
    import stream

    result: list[Row] = stream.rows(runs)
    return result


def big_config_rows(runs: int) -> list[Row]:
    sys.path.insert(0, str(HERE))
    import big_config

    result: list[Row] = big_config.rows(max(3, runs // 2))
    return result


def hermes_rows(runs: int) -> list[Row]:
    """The Hermes bridge's cost to Hermes' start-up (benchmarks/hermes.py), where Hermes is
    installed."""
    sys.path.insert(0, str(HERE))
    import hermes

    if not hermes.available():
        return []
    result: list[Row] = hermes.rows(runs)
    return result


def burst_rows(runs: int) -> list[Row]:
    """500 streamed turns at once through one client from a cold pool (benchmarks/burst.py):
    raw httpx, VeniceChat and the openai SDK side by side, open files after close."""
    sys.path.insert(0, str(HERE))
    import burst

    result: list[Row] = burst.rows(max(3, runs // 2))
    return result


def e2ee_rows(runs: int) -> list[Row]:
    """Opening one sealed E2EE delta beside libsecp256k1's own ECDH (benchmarks/e2ee.py)."""
    sys.path.insert(0, str(HERE))
    import e2ee

    result: list[Row] = e2ee.rows(runs)
    return result


def paced_rows(runs: int) -> list[Row]:
    """Concurrency at scale against the fair floor (benchmarks/paced.py)."""
    sys.path.insert(0, str(HERE))
    import paced

    result: list[Row] = paced.rows(max(1, runs // 3), paced.PACED_TURNS)
    return result


def wire_cost_rows(runs: int) -> list[Row]:
    """The wire's CPU per request over raw httpx, warm pool (benchmarks/wire_cost.py)."""
    sys.path.insert(0, str(HERE))
    import wire_cost

    result: list[Row] = wire_cost.rows(max(5, runs))
    return result


def gateway_rows(runs: int) -> list[Row]:
    """The same turns direct and through ``openclaw serve`` (benchmarks/gateway.py):
    per-request overhead, a 20,000-chunk stream, 500 streamed turns at once."""
    sys.path.insert(0, str(HERE))
    import gateway

    result: list[Row] = gateway.rows(max(3, runs // 2))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement (median)")
    parser.add_argument(
        "--check", action="store_true",
        help=f"exit 1 when startup is {STARTUP_LIMIT:g}x python -c pass or more (issue 13)",
    )  # fmt: skip
    parser.add_argument(
        "--startup", action="store_true", help="only the commands' start-up rows (seconds)"
    )
    args = parser.parse_args()
    rows = command_rows(args.runs, args.check)
    if not args.startup:
        rows += [import_row(args.runs), merge_row(args.runs)]
        rows += big_config_rows(args.runs)
        rows += stream_rows(args.runs)
        rows += burst_rows(args.runs)
        rows += paced_rows(args.runs)
        rows += wire_cost_rows(args.runs)
        rows += e2ee_rows(args.runs)
        rows += gateway_rows(args.runs)
        rows += hermes_rows(args.runs)
    width = max(len(r[0]) for r in rows)
    print(f"{'measurement'.ljust(width)}  {'median':>10}  notes")
    print(f"{'-' * width}  {'-' * 10}  -----")
    for label, value, note in rows:
        print(f"{label.ljust(width)}  {value:>10}  {note}")
    print(f"\n{args.runs} runs each; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
