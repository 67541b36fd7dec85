"""A 5 MB hand-written JSON5 config: ``openclaw models list`` and ``openclaw models set``.

    python benchmarks/big_config.py [--runs N]

The file is what a config grows into over a year: comments on most lines, unquoted keys,
single-quoted strings, trailing commas, ``NaN``, 300 of the user's own model rows and
aliases, and a long session history another part of the runtime keeps. Each command runs in
a fresh process, offline (discovery failed a moment before and is remembered), so the
figure is the cost of reading, checking and editing the file.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OPENCLAW = Path(sys.executable).with_name("openclaw")
SIZE = 5_000_000
Row = tuple[str, str, str]


def big_config(size: int = SIZE) -> str:
    rnd = random.Random(5)
    parts = [
        "// OpenClaw configuration, grown over a year\n{\n",
        '  gateway: { port: 18789, mode: "local", },\n',
        "  models: {\n    mode: 'merge',\n    providers: {\n      venice: {\n",
        '        baseUrl: "https://api.venice.ai/api/v1",\n',
        '        apiKey: "${VENICE_API_KEY}",\n        models: [\n',
    ]
    for i in range(300):
        parts.append(
            f"          {{ id: 'my-model-{i}', name: 'My model {i}', contextWindow: "
            f"{8000 + i}, }}, // mine\n"
        )
    parts.append("        ],\n      },\n    },\n  },\n  agents: {\n    defaults: {\n")
    parts.append('      model: { primary: "venice/kimi-k2-6", },\n      models: {\n')
    for i in range(200):
        parts.append(f'        "venice/my-model-{i}": {{ alias: "m{i}" }},\n')
    parts.append("      },\n    },\n  },\n  /* session history kept by the gateway */\n")
    parts.append("  sessions: [\n")
    total = sum(map(len, parts))
    i = 0
    while total < size:
        entry = (
            f'    {{ id: "s{i}", started: {1_700_000_000 + i}, tokens: {rnd.randint(0, 99999)},'
            f' ratio: .{rnd.randint(1, 9)}, title: "Talk about topic {rnd.randint(0, 10**6)}'
            f" with \\\"quotes\\\"\", tags: ['a', 'b', 'c',], meta: {{ channel: \"telegram\","
            f" ok: true, score: NaN, }}, }}, // entry {i}\n"
        )
        parts.append(entry)
        total += len(entry)
        i += 1
    parts.append("  ],\n}\n")
    return "".join(parts)


def _run(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def rows(runs: int) -> list[Row]:
    home = tempfile.mkdtemp(prefix="openclaw-bench-big-")
    path = Path(home) / "state" / "openclaw.json"
    path.parent.mkdir(parents=True)
    text = big_config()
    path.write_text(text)
    env = {
        **os.environ,
        "HOME": home,
        "XDG_CACHE_HOME": f"{home}/cache",
        "OPENCLAW_STATE_DIR": str(path.parent),
        "VENICE_BASE_URL": "http://127.0.0.1:9/api/v1",
        "VENICE_API_KEY": "bench",
    }
    openclaw = str(OPENCLAW)
    _run([openclaw, "models", "list"], env)  # discovery fails once and is remembered
    listing = [_run([openclaw, "models", "list"], env) for _ in range(runs)]
    refs = ["venice/llama-3.3-70b", "venice/kimi-k2-6"]
    setting = [_run([openclaw, "models", "set", refs[i % 2]], env) for i in range(runs)]
    kept = "// entry 1\n" in path.read_text()
    size = f"{len(text.encode()) / 1e6:.1f} MB JSON5"
    return [
        (f"openclaw models list ({size})", f"{statistics.median(listing) * 1000:.0f} ms", ""),
        (
            f"openclaw models set ({size})",
            f"{statistics.median(setting) * 1000:.0f} ms",
            "comments kept" if kept else "COMMENTS LOST",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for label, value, note in rows(args.runs):
        print(f"{label:45}  {value:>10}  {note}")


if __name__ == "__main__":
    main()
