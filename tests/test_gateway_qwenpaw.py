"""``openclaw connect qwenpaw [--undo]``: QwenPaw's custom provider for the gateway, in the
file QwenPaw keeps it in, held to the format QwenPaw 2.2.2.post1's own CLI writes
(``tests/data/qwenpaw/custom-provider.json``, made by ``qwenpaw models add-provider``,
``add-model`` and ``config-key``; see ``tests/data/qwenpaw/PROVENANCE.md``).

QwenPaw pulls transformers, onnxruntime, playwright and ~1.5 GB of other packages and pins
openai<=2.33 (the test extra has a newer one), so its real CLI runs only in the opt-in test at
the end (``QWENPAW_BIN``: its ``qwenpaw`` in a virtualenv of its own): it loads the file
connect wrote, encrypts the token in place, lists the models and makes a turn through the
gateway with ``qwenpaw task``.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.support import venice_wire as wire
from tests.support.gateway import Gateway
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer
from tests.support.venice_standin import assert_clean_upstream, chats, venice

REAL = Path(__file__).parent / "data" / "qwenpaw" / "custom-provider.json"


def token(tmp_path: Path) -> str:
    return (tmp_path / "state" / "gateway" / "token").read_text().strip()


def provider_file(tmp_path: Path, secret: str = ".qwenpaw.secret") -> Path:
    return tmp_path / "home" / secret / "providers" / "custom" / "openclaw-gateway.json"


def assert_same_shape(ours: Any, real: Any, where: str = "") -> None:
    """Every key we write is one QwenPaw's CLI writes, with a value of the same JSON type."""
    if isinstance(ours, dict):
        assert isinstance(real, dict), where
        for key, value in ours.items():
            assert key in real, f"{where}.{key} is not a field QwenPaw writes"
            assert_same_shape(value, real[key], f"{where}.{key}")
    elif isinstance(ours, list) and ours and real:
        for item in ours:
            assert_same_shape(item, real[0], f"{where}[]")
    elif real is not None and ours is not None:
        assert type(ours) is type(real) or {type(ours), type(real)} <= {int, float}, where


def test_the_provider_file_has_qwenpaws_format_and_the_gateway_token(tmp_path: Path) -> None:
    done = run_cli("connect", "qwenpaw", "--port", "9002")
    assert done.code == 0, done.output
    path = provider_file(tmp_path)
    assert str(path) in done.stdout and "qwenpaw models set-llm" in done.stdout
    ours = json.loads(path.read_text())
    real = json.loads(REAL.read_text())
    assert_same_shape(ours, real)
    for field in ("id", "name", "chat_model", "is_custom", "require_api_key"):
        assert ours[field] == real[field], field  # as the CLI wrote them for the same provider
    assert ours["base_url"] == "http://127.0.0.1:9002/v1"
    assert ours["api_key"] == token(tmp_path)  # the gateway's token, never the Venice key
    kimi = next(m for m in ours["extra_models"] if m["id"] == "venice/kimi-k2-6")
    assert kimi["max_input_length"] == 256000 and kimi["max_output_length"] > 0
    assert kimi["supports_image"] is True
    # private, as QwenPaw keeps its provider files (0600 in 0700 directories)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700


def test_undo_removes_exactly_our_provider_and_keeps_the_users(tmp_path: Path) -> None:
    custom = provider_file(tmp_path).parent
    custom.mkdir(parents=True)
    theirs = custom / "my-llm.json"
    theirs.write_text('{"id": "my-llm", "is_custom": true}\n')
    active = custom.parent / "active_model.json"
    active.write_text('{"provider_id": "my-llm", "model": "m"}')
    assert run_cli("connect", "qwenpaw").code == 0
    again = run_cli("connect", "qwenpaw")
    assert again.code == 1 and again.stderr.count("\n") == 1 and "--undo" in again.stderr
    # QwenPaw rewrites our file when it loads it (the key encrypted, its defaults added):
    # still ours, so undo takes it away
    rewritten = {**json.loads(REAL.read_text()), "api_key": "ENC:gAAAA-made-up"}
    provider_file(tmp_path).write_text(json.dumps(rewritten, indent=2))
    undone = run_cli("connect", "qwenpaw", "--undo")
    assert undone.code == 0, undone.output
    assert not provider_file(tmp_path).exists()
    assert sorted(p.name for p in custom.iterdir()) == ["my-llm.json"]
    assert theirs.read_text() == '{"id": "my-llm", "is_custom": true}\n'
    assert active.read_text() == '{"provider_id": "my-llm", "model": "m"}'
    assert "active model" not in undone.stdout
    nothing = run_cli("connect", "qwenpaw", "--undo")
    assert nothing.code == 1 and "nothing to undo" in nothing.stderr


def test_undo_says_when_qwenpaw_still_uses_the_gateway(tmp_path: Path) -> None:
    assert run_cli("connect", "qwenpaw").code == 0
    active = provider_file(tmp_path).parent.parent / "active_model.json"
    active.write_text('{"provider_id": "openclaw-gateway", "model": "venice/kimi-k2-6"}')
    undone = run_cli("connect", "qwenpaw", "--undo")
    assert undone.code == 0, undone.output
    assert "qwenpaw models set-llm" in undone.stdout
    assert json.loads(active.read_text())["provider_id"] == "openclaw-gateway"  # theirs


def test_a_provider_file_someone_else_replaced_is_left_alone(tmp_path: Path) -> None:
    assert run_cli("connect", "qwenpaw").code == 0
    replaced = '{"id": "openclaw-gateway-2", "is_custom": true}\n'
    provider_file(tmp_path).write_text(replaced)
    refused = run_cli("connect", "qwenpaw", "--undo")
    assert refused.code == 1 and refused.stderr.count("\n") == 1
    assert "remove it by hand" in refused.stderr
    assert provider_file(tmp_path).read_text() == replaced


@pytest.mark.parametrize(
    ("env", "secret"),
    [
        ({"QWENPAW_WORKING_DIR": "~/paw"}, "paw.secret"),
        ({"QWENPAW_SECRET_DIR": "~/vault"}, "vault"),
        ({"QWENPAW_WORKING_DIR": "~/paw", "QWENPAW_SECRET_DIR": "~/vault"}, "vault"),
        ({}, ".copaw.secret"),  # CoPaw's folder, when there is one
    ],
)
def test_the_file_goes_where_qwenpaw_reads_it(
    tmp_path: Path, env: dict[str, str], secret: str
) -> None:
    if not env:
        (tmp_path / "home" / ".copaw").mkdir(parents=True)
    done = run_cli("connect", "qwenpaw", env=env)
    assert done.code == 0, done.output
    assert json.loads(provider_file(tmp_path, secret).read_text())["id"] == "openclaw-gateway"
    assert run_cli("connect", "qwenpaw", "--undo", env=env).code == 0
    assert not provider_file(tmp_path, secret).exists()


QWENPAW = os.environ.get("QWENPAW_BIN", "")


@pytest.mark.skipif(
    not QWENPAW,
    reason="opt-in: set QWENPAW_BIN to QwenPaw 2.2's `qwenpaw` (its own virtualenv, ~1.5 GB)",
)
def test_qwenpaw_reads_the_provider_and_makes_a_turn_through_the_gateway(
    server: LocalServer, tmp_path: Path
) -> None:
    from tests.test_gateway_connect import free_port

    port = free_port()
    assert run_cli("connect", "qwenpaw", "--port", str(port)).code == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("VENICE_")}
    env["QWENPAW_DISABLE_KEYRING"] = "1"  # its master key in a file of the test's home

    def qwenpaw(*args: str) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [QWENPAW, *args], capture_output=True, text=True, env=env, timeout=900,
            cwd=tmp_path, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        assert CANARY not in proc.stdout + proc.stderr
        return proc

    listed = qwenpaw("models", "list")
    assert listed.returncode == 0, listed.stderr
    assert "OpenClaw gateway (openclaw-gateway) [custom]" in listed.stdout
    assert f"http://127.0.0.1:{port}/v1" in listed.stdout
    assert "Kimi K2.6 (venice/kimi-k2-6)" in listed.stdout
    stored = json.loads(provider_file(tmp_path).read_text())
    assert stored["api_key"].startswith("ENC:")  # QwenPaw encrypted the token it read
    # the user's pick, as `qwenpaw models set-llm` (interactive) records it: QwenPaw 2.2.2's
    # `task -m` is overridden by the agent config it reloads, so the active model decides
    active = provider_file(tmp_path).parent.parent / "active_model.json"
    active.write_text(json.dumps({"provider_id": "openclaw-gateway", "model": "venice/kimi-k2-6"}))
    server.respond(venice([wire.text_stream("Hi from Venice!")] * 3))
    with Gateway(server, port=port):
        proc = qwenpaw("task", "-i", "Say hi", "-m", "openclaw-gateway/venice/kimi-k2-6",
                       "--max-iters", "2", "--output-dir", str(tmp_path / "out"))  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Hi from Venice!" in proc.stdout
    request = chats(server)[0]
    assert_clean_upstream(request)
    body = request.json()
    assert body["model"] == "kimi-k2-6"
    assert body["venice_parameters"] == {"include_venice_system_prompt": False}
    assert body["max_completion_tokens"] <= 20000
    undone = run_cli("connect", "qwenpaw", "--undo")
    assert undone.code == 0 and "qwenpaw models set-llm" in undone.stdout  # still its pick
    assert "(openclaw-gateway) [custom]" not in qwenpaw("models", "list").stdout
