"""TypeScript OpenClaw itself on the files we write, and we on the files it writes (issue 24
item 4). Opt-in: set ``OPENCLAW_TS_BIN`` to a TypeScript OpenClaw ``openclaw`` executable
(npm ``openclaw@2026.9.6``; it needs Node 24: put it on PATH, or name the ``node`` binary in
``OPENCLAW_TS_NODE``). The Venice provider plugin is installed into a scratch home with
TypeScript's own ``openclaw plugins install`` (``OPENCLAW_TS_VENICE_PLUGIN``, default
``@openclaw/venice-provider@2026.9.3``; this needs the npm registry). Every request either
side sends goes to a Venice stand-in on loopback. Slow: TypeScript takes 15-90 s a command.

    OPENCLAW_TS_BIN=/opt/openclaw-ts/node_modules/.bin/openclaw \\
    OPENCLAW_TS_NODE=/opt/node24/bin/node \\
        python -m pytest -q tests/test_with_typescript_openclaw.py

The default suite holds what TypeScript wrote, as fixtures (tests/test_shared_with_ts.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.support import venice_wire
from tests.support.server import LocalServer, Request, json_reply

TS_BIN = os.environ.get("OPENCLAW_TS_BIN", "")
TS_NODE = os.environ.get("OPENCLAW_TS_NODE", "")
PLUGIN = os.environ.get("OPENCLAW_TS_VENICE_PLUGIN", "@openclaw/venice-provider@2026.9.3")
MODEL = "llama-3.3-70b"
ROWS = [{"id": MODEL, "type": "text", "model_spec": {
    "name": "Llama 3.3 70B", "privacy": "private", "availableContextTokens": 131072,
    "capabilities": {"supportsFunctionCalling": True}}}]  # fmt: skip
OURS_KEY = "vk-written-by-python-0002"
TS_KEY = "vk-written-by-typescript-0003"

pytestmark = pytest.mark.skipif(
    not TS_BIN, reason="opt-in: OPENCLAW_TS_BIN names a TypeScript OpenClaw install"
)


def ts_env(home: Path, **extra: str) -> dict[str, str]:
    """TypeScript's environment: its home, no VENICE_* or OPENCLAW_* of ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VENICE_", "OPENCLAW_"))}
    if TS_NODE:
        env["PATH"] = f"{Path(TS_NODE).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(HOME=str(home), OPENCLAW_STATE_DIR=str(home / ".openclaw"), **extra)
    return env


def ts(home: Path, *args: str, timeout: float = 300, **extra: str) -> tuple[int, str, float]:
    """Run TypeScript OpenClaw: exit code, output, seconds taken."""
    started = time.monotonic()
    proc = subprocess.run(
        [TS_BIN, *args], env=ts_env(home, **extra), capture_output=True, text=True,
        stdin=subprocess.DEVNULL, timeout=timeout,
    )  # fmt: skip
    return proc.returncode, proc.stdout + proc.stderr, time.monotonic() - started


def ours(home: Path, *args: str, **extra: str) -> Any:
    return run_cli(*args, env={"OPENCLAW_STATE_DIR": str(home / ".openclaw"), **extra})


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home where TypeScript installed its Venice provider plugin (once per run)."""
    home = tmp_path_factory.mktemp("ts-template")
    code, output, _ = ts(home, "plugins", "install", PLUGIN, timeout=900)
    assert code == 0, output
    return home


@pytest.fixture
def home(template: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "ts-home"
    shutil.copytree(template, copy, symlinks=True)
    return copy


@pytest.fixture
def stand_in() -> Iterator[LocalServer]:
    def respond(request: Request) -> Any:
        if request.path.endswith("/models"):
            return json_reply({"object": "list", "data": ROWS})
        return venice_wire.stream_reply(venice_wire.text_stream("Hello from the stand-in."))

    server = LocalServer().start()
    server.respond(respond)
    try:
        yield server
    finally:
        server.stop()


def config_file(home: Path) -> Path:
    return home / ".openclaw" / "openclaw.json"


def point_venice_at(home: Path, url: str) -> None:
    """What a user does by hand: models.providers.venice.baseUrl (the file stays JSON)."""
    data = json.loads(config_file(home).read_text())
    providers = data.setdefault("models", {}).setdefault("providers", {})
    providers.setdefault("venice", {})["baseUrl"] = url
    config_file(home).write_text(json.dumps(data, indent=2))


def turns(server: LocalServer) -> list[Request]:
    return [r for r in server.requests if r.path.endswith("/chat/completions")]


def authorization(request: Request) -> str:
    return {k.lower(): v for k, v in request.headers.items()}["authorization"]


def test_typescript_accepts_the_files_we_write(home: Path, stand_in: LocalServer) -> None:
    """Our onboarding and ``models set`` on the file TypeScript made when it installed the
    plugin; then TypeScript lists, sets a default (a config write of its own, under its
    lock: it failed with "file lock timeout" after 27 s while our empty lock file stayed)
    and runs a turn against the stand-in, with the key we stored exported for it."""
    url = stand_in.url + "/api/v1"
    point_venice_at(home, url)
    done = ours(home, "onboard", "--non-interactive", "--auth-choice", "venice-api-key",
                "--venice-api-key", OURS_KEY, VENICE_BASE_URL=url)  # fmt: skip
    assert done.code == 0, done.output
    done = ours(home, "models", "set", f"venice/{MODEL}", VENICE_BASE_URL=url)
    assert done.code == 0, done.output
    assert not (home / ".openclaw" / "openclaw.json.lock").exists()

    code, output, _ = ts(home, "models", "status", "--plain", VENICE_API_KEY=OURS_KEY)
    assert code == 0 and f"venice/{MODEL}" in output, output
    code, output, _ = ts(home, "models", "list", "--json", VENICE_API_KEY=OURS_KEY)
    assert code == 0, output
    code, output, took = ts(home, "models", "set", f"venice/{MODEL}", VENICE_API_KEY=OURS_KEY)
    assert code == 0, output
    assert "lock" not in output.lower(), output
    assert not (home / ".openclaw" / "openclaw.json.lock").exists()
    code, output, _ = ts(home, "agent", "--local", "-m", "hi", "--json", VENICE_API_KEY=OURS_KEY)
    assert code == 0 and "Hello from the stand-in." in output, output
    assert authorization(turns(stand_in)[-1]) == f"Bearer {OURS_KEY}"
    print(f"TypeScript models set on our file: {took:.1f} s")

    after = ours(home, "models", "status", "--json", VENICE_BASE_URL=url)  # its rewrite, ours
    assert json.loads(after.stdout)["defaultModel"] == f"venice/{MODEL}"


def test_we_read_what_typescript_wrote_and_leave_it_working(
    home: Path, stand_in: LocalServer
) -> None:
    """TypeScript's onboarding keeps the key in its state database: we find it there, our
    turn carries it, and our onboarding over that setup leaves TypeScript's turn working
    without any variable exported (no apiKey reference added)."""
    url = stand_in.url + "/api/v1"
    code, output, _ = ts(home, "onboard", "--non-interactive", "--accept-risk",
                         "--auth-choice", "venice-api-key", "--venice-api-key", TS_KEY,
                         "--skip-channels", "--skip-daemon", "--skip-health", "--skip-hooks",
                         "--skip-search", "--skip-skills", "--skip-ui", "--skip-bootstrap",
                         "--no-install-daemon", "--mode", "local")  # fmt: skip
    assert code == 0, output
    assert (home / ".openclaw" / "state" / "openclaw.sqlite").exists()
    point_venice_at(home, url)

    status = ours(home, "models", "status", "--json", VENICE_BASE_URL=url)
    assert json.loads(status.stdout)["providers"]["venice"]["keySource"] == ("OpenClaw state store")
    chat = ours(home, "chat", "-m", f"venice/{MODEL}", "hi", VENICE_BASE_URL=url)
    assert chat.code == 0 and "Hello from the stand-in." in chat.stdout, chat.output
    assert authorization(turns(stand_in)[-1]) == f"Bearer {TS_KEY}"

    done = ours(home, "onboard", "--non-interactive", "--auth-choice", "venice-api-key",
                VENICE_BASE_URL=url)  # fmt: skip
    assert done.code == 0, done.output
    assert (
        "apiKey" not in json.loads(config_file(home).read_text())["models"]["providers"]["venice"]
    )
    code, output, _ = ts(home, "agent", "--local", "-m", "hi", "--json")  # nothing exported
    assert code == 0 and "Hello from the stand-in." in output, output
    assert authorization(turns(stand_in)[-1]) == f"Bearer {TS_KEY}"


def test_typescript_accepts_our_provider_settings_under_params(home: Path) -> None:
    """Our provider settings that TypeScript does not know (the low-balance warning, the
    connection limits) live under the provider block's ``params``, where TypeScript keeps its
    own plugins' settings: ``openclaw config validate`` takes the file, as a person writes it.
    The same keys directly in the block make TypeScript refuse the whole file ("Unrecognized
    keys", seen with 2026.9.6), which is why they are not read there."""
    data = json.loads(config_file(home).read_text())
    settings = {"lowBalanceWarning": {"USD": 2, "DIEM": 5}, "maxConnections": 64,
                "maxKeepalive": 16}  # fmt: skip
    venice = data.setdefault("models", {}).setdefault("providers", {}).setdefault("venice", {})
    venice.update(baseUrl="https://api.venice.ai/api/v1", models=[], params=settings)
    config_file(home).write_text(json.dumps(data, indent=2))
    code, output, _ = ts(home, "config", "validate")
    assert code == 0, output
    del venice["params"]
    venice.update(settings)
    config_file(home).write_text(json.dumps(data, indent=2))
    code, output, _ = ts(home, "config", "validate")
    assert code != 0 and "Unrecognized keys" in output, output
