"""``openclaw connect RUNTIME [--undo]`` on the runtimes' own config files: the entry lands
beside what the user wrote (comments and all), the runtime reads it (Hermes makes a turn
through the gateway with it), and ``--undo`` gives back the file byte for byte."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from openclaw_venice.runtime.config_file import parse_config_text
from tests.conftest import run_cli
from tests.support import venice_wire as wire
from tests.support.gateway import Gateway
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer
from tests.support.terminal import Terminal
from tests.support.venice_standin import venice

HERMES = Path(sys.executable).with_name("hermes")
NANOBOT = Path(sys.executable).with_name("nanobot")
HERMES_CONFIG = """\
# my Hermes settings
model:
  provider: venice   # the in-process route stays
  default: kimi-k2-6

providers:
  # a local llama.cpp
  local:
    name: local
    base_url: http://127.0.0.1:8080/v1
agent:
  reasoning_effort: medium
"""
OPENCLAW_CONFIG = """\
// my OpenClaw config
{
  agents: { defaults: { model: "venice/kimi-k2-6" } },
  models: {
    providers: {
      venice: { baseUrl: "https://api.venice.ai/api/v1" }, // kept
    },
  },
}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def token(tmp_path: Path) -> str:
    return (tmp_path / "state" / "gateway" / "token").read_text().strip()


def test_hermes_entry_is_read_by_hermes_and_undone_byte_for_byte(
    server: LocalServer, tmp_path: Path
) -> None:
    home = tmp_path / "hermes-home"
    home.mkdir()
    config = home / "config.yaml"
    config.write_text(HERMES_CONFIG)
    env = {"HERMES_HOME": str(home)}
    port = free_port()
    done = run_cli("connect", "hermes", "--port", str(port), env=env)
    assert done.code == 0, done.output
    assert str(config) in done.stdout and "--provider openclaw-gateway" in done.stdout
    data = YAML(typ="safe").load(config.read_text())
    assert data["providers"]["local"]["base_url"] == "http://127.0.0.1:8080/v1"  # kept
    assert data["providers"]["openclaw-gateway"] == {
        "name": "openclaw-gateway",
        "base_url": f"http://127.0.0.1:{port}/v1",
        "api_key": token(tmp_path),
    }
    assert data["model"]["provider"] == "venice"
    assert config.read_text().startswith(HERMES_CONFIG.split("providers:")[0])  # comments
    # Hermes itself reads the entry: a turn through the gateway on that port
    server.respond(venice([wire.text_stream("Through the gateway.")]))
    with Gateway(server, port=port):
        hermes_env = {k: v for k, v in os.environ.items() if not k.startswith("VENICE_")}
        work = tmp_path / "work"
        work.mkdir()
        proc = subprocess.run(
            [str(HERMES), "-z", "Say hi", "--provider", "openclaw-gateway",
             "-m", "venice/kimi-k2-6"],
            capture_output=True, text=True, cwd=work, timeout=300, stdin=subprocess.DEVNULL,
            env={**hermes_env, "HERMES_HOME": str(home)},
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "Through the gateway.\n"
    assert CANARY not in proc.stdout + proc.stderr
    undone = run_cli("connect", "hermes", "--undo", env=env)
    assert undone.code == 0, undone.output
    assert config.read_text() == HERMES_CONFIG


def test_openclaw_ts_entry_lists_the_models_and_keeps_comments(tmp_path: Path) -> None:
    config = tmp_path / "state" / "openclaw.json"
    config.parent.mkdir(parents=True)
    config.write_text(OPENCLAW_CONFIG)
    done = run_cli("connect", "openclaw-ts")
    assert done.code == 0, done.output
    text = config.read_text()
    assert "// my OpenClaw config" in text and "// kept" in text
    entry = parse_config_text(text)["models"]["providers"]["openclaw-gateway"]
    assert entry["baseUrl"] == "http://127.0.0.1:8645/v1"
    assert entry["api"] == "openai-completions"
    assert entry["apiKey"] == token(tmp_path)
    kimi = next(m for m in entry["models"] if m["id"] == "venice/kimi-k2-6")
    assert kimi["contextWindow"] > 0 and kimi["maxTokens"] > 0
    assert not config.with_name("openclaw.json.lock").exists()  # TypeScript's lock, released
    # our own host reads the same file and still works with it
    assert run_cli("models", "list").code == 0
    assert run_cli("connect", "openclaw-ts", "--undo").code == 0
    assert config.read_text() == OPENCLAW_CONFIG


def test_nanobot_file_made_by_connect_is_private_and_goes_on_undo(tmp_path: Path) -> None:
    config = tmp_path / "home" / ".nanobot" / "config.json"
    done = run_cli("connect", "nanobot", "--port", "9001")
    assert done.code == 0, done.output
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    data = json.loads(config.read_text())
    assert data == {
        "providers": {
            "openclaw-gateway": {"apiKey": token(tmp_path), "apiBase": "http://127.0.0.1:9001/v1"}
        }
    }
    assert run_cli("connect", "nanobot", "--undo").code == 0
    assert not config.exists()


def test_undo_says_when_nanobot_still_uses_the_entry_it_took_out(tmp_path: Path) -> None:
    """A newcomer's try (docs/gateway.md, in a terminal): connect, set
    ``agents.defaults.provider`` as connect says, ``--undo``. nanobot's default provider then
    names an entry that is gone, and ``nanobot agent`` fails: undo must say so and what to
    do, as it does for QwenPaw's active model."""
    config = tmp_path / "home" / ".nanobot" / "config.json"
    with Terminal("connect", "nanobot", env={}) as term:
        term.read_until(b'set agents.defaults.provider to "openclaw-gateway"')
        assert term.wait() == 0
    data = json.loads(config.read_text())
    data["agents"] = {"defaults": {"provider": "openclaw-gateway", "model": "venice/kimi-k2-6"}}
    config.write_text(json.dumps(data, indent=2))
    with Terminal("connect", "nanobot", "--undo", env={}) as term:
        shown = term.read_to_end().decode()
        assert term.wait() == 0
    lines = [line for line in shown.splitlines() if line.strip()]
    assert lines[0].startswith("Removed the openclaw-gateway entry from ")
    assert lines[1:] == [
        'nanobot\'s agents.defaults.provider still names "openclaw-gateway": set it to another '
        'provider (or "auto") in that file.'
    ]
    # the user's own setting is theirs to change: undo leaves it as it was
    assert json.loads(config.read_text())["agents"]["defaults"]["provider"] == "openclaw-gateway"
    # and when nothing names it, undo says only what it did
    data = json.loads(config.read_text())
    data["agents"]["defaults"]["provider"] = "auto"
    config.write_text(json.dumps(data))
    assert run_cli("connect", "nanobot").code == 0
    with Terminal("connect", "nanobot", "--undo", env={}) as term:
        shown = term.read_to_end().decode()
        assert term.wait() == 0
    assert len([line for line in shown.splitlines() if line.strip()]) == 1, shown


def test_undo_keeps_what_the_user_wrote_since_and_refuses_a_changed_entry(
    tmp_path: Path,
) -> None:
    config = tmp_path / "home" / ".nanobot" / "config.json"
    config.parent.mkdir(parents=True)
    original = '{\n  "agents": {"defaults": {"model": "x"}}\n}\n'
    config.write_text(original)
    assert run_cli("connect", "nanobot").code == 0
    again = run_cli("connect", "nanobot")
    assert again.code == 1 and "already has an entry named openclaw-gateway" in again.stderr
    # the user edits elsewhere: kept by undo
    config.write_text(config.read_text().replace('"model": "x"', '"model": "y"'))
    assert run_cli("connect", "nanobot", "--undo").code == 0
    assert config.read_text() == original.replace('"model": "x"', '"model": "y"')
    # the user edits our entry: undo says so and changes nothing
    assert run_cli("connect", "nanobot").code == 0
    edited = config.read_text().replace("127.0.0.1:8645", "127.0.0.1:9999")
    config.write_text(edited)
    refused = run_cli("connect", "nanobot", "--undo")
    assert refused.code == 1
    assert refused.stderr.count("\n") == 1 and "was changed since" in refused.stderr
    assert config.read_text() == edited


def test_undo_finds_the_entry_after_nanobot_rewrote_its_config(tmp_path: Path) -> None:
    """``nanobot onboard --refresh`` (nanobot 0.3.5) rewrites the whole file: its own
    formatting, every default field added, our entry's fields kept. Undo takes out our entry
    only, and what nanobot wrote stays."""
    config = tmp_path / "home" / ".nanobot" / "config.json"
    config.parent.mkdir(parents=True)
    config.write_text('{\n  "agents": {"defaults": {"model": "venice/kimi-k2-6"}}\n}\n')
    assert run_cli("connect", "nanobot").code == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("VENICE_")}
    refresh = subprocess.run(
        [str(NANOBOT), "onboard", "--refresh"], capture_output=True, text=True, env=env,
        cwd=tmp_path, timeout=180, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert refresh.returncode == 0, refresh.stderr
    rewritten = json.loads(config.read_text())
    ours = rewritten["providers"].pop("openclaw-gateway")
    assert ours["apiKey"] == token(tmp_path) and "extraHeaders" in ours  # nanobot's fields too
    undone = run_cli("connect", "nanobot", "--undo")
    assert undone.code == 0, undone.output
    assert json.loads(config.read_text()) == rewritten  # everything else as nanobot wrote it
    # an entry whose own fields were changed since is left alone
    assert run_cli("connect", "nanobot").code == 0
    data = json.loads(config.read_text())
    data["providers"]["openclaw-gateway"]["apiBase"] = "http://127.0.0.1:9999/v1"
    config.write_text(json.dumps(data, indent=4))
    refused = run_cli("connect", "nanobot", "--undo")
    assert refused.code == 1 and "was changed since" in refused.stderr


def test_undo_takes_out_the_tables_connect_made(tmp_path: Path) -> None:
    config = tmp_path / "home" / ".nanobot" / "config.json"
    config.parent.mkdir(parents=True)
    config.write_text('{"agents": {}}\n')
    assert run_cli("connect", "nanobot").code == 0
    config.write_text(json.dumps(json.loads(config.read_text()), indent=4))  # reformatted
    assert run_cli("connect", "nanobot", "--undo").code == 0
    assert json.loads(config.read_text()) == {"agents": {}}


@pytest.mark.parametrize("runtime", ["hermes", "nanobot", "openclaw-ts", "qwenpaw"])
def test_undo_without_connect_is_one_line(runtime: str) -> None:
    result = run_cli("connect", runtime, "--undo")
    assert result.code == 1
    assert result.stderr.count("\n") == 1 and "nothing to undo" in result.stderr
