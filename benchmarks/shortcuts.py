"""What each start-up shortcut saves: the library it replaces, timed beside it (issue 26).

    python benchmarks/shortcuts.py [--runs N]

Each row runs the library's way and our way of doing one thing, each in a fresh process,
interleaved with a bare ``python -c pass`` and an offline ``openclaw models list`` (the
start-up bar: under 5x ``python -c pass``), medians of N runs. "models list with it" adds
the library's extra cost to the measured ``models list``: a shortcut stays only where that
figure would break the bar (or the row is not on that path at all and another bar holds it).
Both ways must give the same answer; the tests that hold them equal are named per row.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OPENCLAW = Path(sys.executable).with_name("openclaw")
LIMIT = 5.0

CONFIG = """// a hand-written config
{
  gateway: { port: 18789 }, // the port
  models: { mode: 'merge', providers: { venice: {
    baseUrl: "https://api.venice.ai/api/v1", apiKey: "${VENICE_API_KEY}",
    models: [ { id: 'mine', contextWindow: 8000, }, ],
  } } },
  agents: { defaults: { model: { primary: "venice/kimi-k2-6" } } },
}
"""

#: (what, the library's way, our way, the test holding them equal); both ways import the
#: same modules of ours, so the difference is the library's
ROWS = [
    (
        "cache dir",
        "from openclaw_venice.runtime import settings; "
        "from platformdirs import user_cache_dir; user_cache_dir('openclaw', appauthor=False)",
        "from openclaw_venice.runtime import settings; settings.cache_dir()",
        "tests/test_settings_dirs.py",
    ),
    (
        "cache file name",
        "import hashlib; hashlib.sha256(b'https://api.venice.ai/api/v1').hexdigest()",
        "import zlib; zlib.crc32(b'https://api.venice.ai/api/v1')",
        "(a name, not an answer: each file records its base URL, test_discovery)",
    ),
    (
        "bundled catalog file",
        "import importlib.resources as r, openclaw_venice; "
        "r.files('openclaw_venice').joinpath('data/catalog.json').read_text('utf-8')",
        "import pathlib, openclaw_venice; "
        "(pathlib.Path(openclaw_venice.__file__).parent / 'data/catalog.json').read_text('utf-8')",
        "tests/test_startup_shortcuts.py",
    ),
    (
        "commented config (JSON5)",
        "from openclaw_venice.runtime.json5_fast import loads; import json5; "
        f"json5.loads({CONFIG!r})",
        f"from openclaw_venice.runtime.json5_fast import loads; loads({CONFIG!r})",
        "tests/test_config_keeps.py (property: the json5 package's answer)",
    ),
    (
        "parser: every command vs the table",
        "from openclaw_venice.runtime.cli import build_parser; "
        "from openclaw_venice.runtime.plugins import load_plugins; "
        "build_parser(load_plugins()).parse_args(['models', 'list'])",
        "from openclaw_venice.runtime.cli import build_parser; "
        "from openclaw_venice.runtime.plugins import load_plugins; "
        "build_parser(load_plugins, lazy=True).parse_args(['models', 'list'])",
        "tests/test_cli_parser_words.py (not a shortcut: argparse reads every word)",
    ),
    (
        "SecretStr (chat only)",
        "from openclaw_venice.runtime import secret; "
        "from pydantic import SecretStr; SecretStr('k')",
        "from openclaw_venice.runtime.secret import SecretStr; SecretStr('k')",
        "tests/test_secrets.py",
    ),
]


def run(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(__file__).parents[1])])
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "HOME": home,
            "XDG_CACHE_HOME": f"{home}/cache",
            "OPENCLAW_STATE_DIR": f"{home}/state",
            "VENICE_BASE_URL": "http://127.0.0.1:9/api/v1",
        }
        env.pop("OPENCLAW_CONFIG_PATH", None)
        listing = [str(OPENCLAW), "models", "list"]
        run(listing, env)  # discovery fails once and is remembered: offline from here on
        commands = {"python -c pass": [sys.executable, "-c", "pass"], "models list": listing}
        for what, library, ours, _ in ROWS:
            commands[f"{what}: library"] = [sys.executable, "-c", library]
            commands[f"{what}: ours"] = [sys.executable, "-c", ours]
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            run(listing, env)  # a failure is remembered for a minute: remembered again
            for name, argv in commands.items():
                samples[name].append(run(argv, env))
    median = {name: statistics.median(times) for name, times in samples.items()}
    floor, listing_time = median["python -c pass"], median["models list"]
    print(f"python -c pass {floor * 1000:.0f} ms; offline models list {listing_time * 1000:.0f} "
          f"ms = {listing_time / floor:.1f}x (bar {LIMIT:g}x)")  # fmt: skip
    print(f"{'shortcut':<36} {'library':>8} {'ours':>8} {'saves':>7}  models list with it")
    for what, _, _, test in ROWS:
        library, ours = median[f"{what}: library"], median[f"{what}: ours"]
        saved = library - ours
        with_it = (listing_time + saved) / floor
        print(f"{what:<36} {library * 1000:6.0f}ms {ours * 1000:6.0f}ms {saved * 1000:5.0f}ms"
              f"  {with_it:.1f}x  [{test}]")  # fmt: skip
    print(f"\n{runs} runs each; Python {sys.version.split()[0]}; load average "
          f"{os.getloadavg()[0]:.1f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
