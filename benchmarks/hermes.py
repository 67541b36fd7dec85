"""What the Hermes bridge costs Hermes Agent: its provider discovery (every ``hermes``
command runs it) in a fresh process, without and with ``openclaw hermes install``'s folders.

    python benchmarks/hermes.py [--runs N]   (also part of benchmarks/run.py)

Needs hermes-agent in this environment (the test extra brings it); offline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

OPENCLAW = Path(sys.executable).with_name("openclaw")
DISCOVER = (
    "import time; t = time.perf_counter(); import providers; providers.list_providers(); "
    "print(time.perf_counter() - t)"
)
Row = tuple[str, str, str]


def available() -> bool:
    probe = [sys.executable, "-c", "import providers.base"]
    return subprocess.run(probe, capture_output=True).returncode == 0


def discovery_seconds(home: Path, env: dict[str, str]) -> float:
    run_env = {**env, "HERMES_HOME": str(home)}
    out = subprocess.run(
        [sys.executable, "-c", DISCOVER], capture_output=True, text=True, env=run_env, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def rows(runs: int) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        env = {
            **os.environ,
            "HOME": str(base / "home"),
            "XDG_CACHE_HOME": str(base / "cache"),
            "OPENCLAW_STATE_DIR": str(base / "state"),
            "VENICE_API_KEY": "bench-key",  # no keyring lookup
            "VENICE_BASE_URL": "http://127.0.0.1:9/api/v1",
        }
        empty, installed = base / "empty", base / "installed"
        empty.mkdir()
        install_env = {**env, "HERMES_HOME": str(installed)}
        subprocess.run([str(OPENCLAW), "hermes", "install"], env=install_env, check=True,
                       capture_output=True)  # fmt: skip
        without = [discovery_seconds(empty, env) for _ in range(runs)]
        with_ours = [discovery_seconds(installed, env) for _ in range(runs)]
    a, b = statistics.median(without), statistics.median(with_ours)
    extra = f"+{(b - a) * 1000:.0f} ms"
    return [
        ("hermes provider discovery, no openclaw folder", f"{a * 1000:.0f} ms", "fresh process"),
        ("hermes provider discovery, with openclaw's", f"{b * 1000:.0f} ms", extra),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not available():
        raise SystemExit("hermes-agent is not installed here: pip install -e '.[test]'")
    for label, value, note in rows(args.runs):
        print(f"{label}  {value}  {note}")


if __name__ == "__main__":
    main()
