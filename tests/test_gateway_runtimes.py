"""Real agent runtimes make turns through ``openclaw serve``: nanobot's own CLI (``nanobot
agent -m``, nanobot-ai 0.3.5 from the test extra) and Hermes Agent (0.19.0, the test extra),
each with the gateway as its OpenAI-compatible endpoint, against a Venice stand-in on
127.0.0.1. Each test asserts what arrived upstream: our key and no client fingerprint,
Venice's parameters, the catalog's limits, tools gated, and for an ``e2ee-*`` model a
sealed request after a verified attestation (or a refusal with nothing sent).

nanobot 0.3.5 facts these tests stand on (read from its wheel): ``providers.<name>`` with
``apiKey``/``apiBase`` is an OpenAI-compatible custom provider (``config/schema.py``,
``ProvidersConfig`` extra fields); ``agents.defaults.provider`` picks it; ``-c`` names the
config file; ``--no-markdown`` prints the answer as plain text.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from tests.support import venice_wire as wire
from tests.support.fake_enclave import FakeEnclave
from tests.support.fake_tdx import TestPki
from tests.support.gateway import Gateway
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer
from tests.support.venice_standin import assert_clean_upstream, chats, read_file_turn, venice

pytest_plugins = ("tests.support.enclave_fixtures",)  # pki, enclave

NANOBOT = Path(sys.executable).with_name("nanobot")
E2EE_MODEL = "venice/e2ee-qwen3-6-27b"
HERMES = Path(sys.executable).with_name("hermes")


def nanobot(
    gateway: Gateway, home: Path, model: str, message: str
) -> subprocess.CompletedProcess[str]:
    config = home / "nanobot.json"
    config.write_text(
        json.dumps(
            {
                "agents": {"defaults": {"model": model, "provider": "openclaw"}},
                "providers": {"openclaw": {"apiKey": gateway.token, "apiBase": gateway.url}},
            }
        )
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("VENICE_")}
    proc = subprocess.run(
        [str(NANOBOT), "agent", "-c", str(config), "-w", str(home / "work"), "--no-markdown",
         "-m", message],
        capture_output=True, text=True, env=env, timeout=180, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert CANARY not in proc.stdout + proc.stderr
    return proc


def test_nanobot_turn_follows_venices_rules(server: LocalServer, tmp_path: Path) -> None:
    server.respond(venice([wire.text_stream("Hi from Venice!")]))
    with Gateway(server) as running:
        proc = nanobot(running, tmp_path, "venice/kimi-k2-6", "Say hi")
    assert proc.returncode == 0, proc.stderr
    assert "Hi from Venice!" in proc.stdout
    [request] = chats(server)
    assert_clean_upstream(request)
    body = request.json()
    assert body["model"] == "kimi-k2-6"
    assert body["venice_parameters"] == {"include_venice_system_prompt": False}
    assert body["max_completion_tokens"] <= 20000
    assert body["messages"][-1]["role"] == "user"
    assert body["tools"], "nanobot offers its agent tools"


@pytest.fixture
def tee_env(server: LocalServer, pki: TestPki, tmp_path: Path) -> dict[str, str]:
    """The test PKI's and the fake NVIDIA's roots and the PCS stand-in, for the gateway's
    attestation checks."""
    from tests.support.fake_nvidia import shared_nvidia

    root = tmp_path / "test-root.pem"
    root.write_bytes(pki.root_cert.public_bytes(Encoding.PEM))
    gpu_root = tmp_path / "test-nvidia-root.der"
    gpu_root.write_bytes(shared_nvidia().root_der)
    return {
        "VENICE_TEE_ROOT_CA": str(root),
        "VENICE_TEE_NVIDIA_ROOT": str(gpu_root),
        "VENICE_TEE_PCS_URL": server.url,
    }


def test_nanobot_gets_e2ee_attested_and_sealed(
    server: LocalServer, enclave: FakeEnclave, tee_env: dict[str, str], tmp_path: Path
) -> None:
    with Gateway(server, env=tee_env) as running:
        proc = nanobot(running, tmp_path, E2EE_MODEL, "my secret plan")
    assert proc.returncode == 0, proc.stderr
    assert "Hello from the enclave" in proc.stdout
    assert enclave.attestations == 1
    [request] = chats(server)
    assert_clean_upstream(request)
    assert b"my secret plan" not in request.body  # sealed on this machine
    assert request.headers["x-venice-tee-model-pub-key"] == enclave.key.public_hex
    assert enclave.seen_plaintext[0][-1] == {"role": "user", "content": "my secret plan"}


def test_a_failed_attestation_sends_nothing_and_nanobot_hears_why(
    server: LocalServer, enclave: FakeEnclave, tee_env: dict[str, str], tmp_path: Path
) -> None:
    enclave.mutate = lambda doc: doc.update(nonce="00" * 32)
    with Gateway(server, env=tee_env) as running:
        proc = nanobot(running, tmp_path, E2EE_MODEL, "my secret plan")
    assert chats(server) == []
    assert "my secret plan" not in json.dumps([r.body.decode() for r in server.requests])
    assert "attestation check 'nonce' failed" in proc.stdout + proc.stderr


def hermes(
    gateway: Gateway, home: Path, model: str, prompt: str
) -> subprocess.CompletedProcess[str]:
    """The installed ``hermes -z`` with the gateway as its custom endpoint (``model.base_url``,
    ``model.api_key``: Hermes 0.19.0's direct OpenAI-compatible endpoint in config.yaml)."""
    home.mkdir(exist_ok=True)
    (home / "config.yaml").write_text(
        "model:\n"
        "  provider: custom\n"
        f"  base_url: {gateway.url}\n"
        f"  api_key: {gateway.token}\n"
        f"  default: {model}\n"
    )
    work = home.parent / "hermes-work"
    work.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("VENICE_")}
    env["HERMES_HOME"] = str(home)
    proc = subprocess.run(
        [str(HERMES), "-z", prompt, "--provider", "custom", "-m", model],
        capture_output=True, text=True, env=env, cwd=work, timeout=300, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert CANARY not in proc.stdout + proc.stderr
    return proc


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="hermes-agent 0.19.0: Python 3.11-3.13")
def test_hermes_gets_e2ee_through_the_gateway(
    server: LocalServer, enclave: FakeEnclave, tee_env: dict[str, str], tmp_path: Path
) -> None:
    with Gateway(server, env=tee_env) as running:
        proc = hermes(running, tmp_path / "hermes-home", E2EE_MODEL, "my secret plan")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "Hello from the enclave\n"
    [request] = chats(server)
    assert_clean_upstream(request)
    assert b"my secret plan" not in request.body
    assert "tools" not in request.json()  # the e2ee model has no function calling
    assert enclave.seen_plaintext[0][-1] == {"role": "user", "content": "my secret plan"}


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="hermes-agent 0.19.0: Python 3.11-3.13")
def test_hermes_tool_loop_through_the_gateway(server: LocalServer, tmp_path: Path) -> None:
    """Hermes calls its own read_file tool on the stand-in's request and sends the result
    back: the call's id and arguments survive the gateway both ways (the same turn as
    tests/test_hermes_agent.py::test_a_tool_using_turn, there on Hermes' in-process route)."""
    work = tmp_path / "hermes-work"
    work.mkdir()
    (work / "notes.txt").write_text("the secret word is pineapple\n")
    server.respond(venice([read_file_turn(), wire.text_stream("The word is pineapple.")]))
    with Gateway(server) as running:
        proc = hermes(
            running, tmp_path / "hermes-home", "venice/kimi-k2-6",
            "What is the secret word in notes.txt?",
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "The word is pineapple.\n"
    first, second = chats(server)
    assert "read_file" in [t["function"]["name"] for t in first.json()["tools"]]
    messages = second.json()["messages"]
    assistant = next(m for m in messages if m.get("tool_calls"))
    assert assistant["tool_calls"][0]["id"] == "call_1"
    assert json.loads(assistant["tool_calls"][0]["function"]["arguments"]) == {"path": "notes.txt"}
    [result] = [m for m in messages if m["role"] == "tool"]
    assert result["tool_call_id"] == "call_1"
    assert "pineapple" in result["content"]
    for request in (first, second):
        assert_clean_upstream(request)
        body = request.json()
        assert body["venice_parameters"] == {"include_venice_system_prompt": False}
        assert body["max_completion_tokens"] <= 20000
    assert first.json()["prompt_cache_key"] == second.json()["prompt_cache_key"]


OPENCLAW_TS = os.environ.get("OPENCLAW_TS_BIN", "")


@pytest.mark.skipif(
    not OPENCLAW_TS,
    reason="opt-in: set OPENCLAW_TS_BIN to TypeScript OpenClaw's `openclaw` (Node 24, ~650 MB)",
)
def test_typescript_openclaw_turn_through_the_gateway(server: LocalServer, tmp_path: Path) -> None:
    """TypeScript OpenClaw's own CLI (``openclaw agent --local``, its embedded agent) with the
    entry ``openclaw connect openclaw-ts`` wrote, against the gateway."""
    from tests.conftest import run_cli
    from tests.test_gateway_connect import free_port

    port = free_port()
    assert run_cli("connect", "openclaw-ts", "--port", str(port)).code == 0
    server.respond(venice([wire.text_stream("Hi from Venice!")]))
    env = {k: v for k, v in os.environ.items() if not k.startswith("VENICE_")}
    with Gateway(server, port=port):
        proc = subprocess.run(
            [OPENCLAW_TS, "agent", "--local", "--agent", "main", "--message", "Say hi",
             "--model", "openclaw-gateway/venice/kimi-k2-6"],
            capture_output=True, text=True, env=env, timeout=600, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Hi from Venice!" in proc.stdout
    assert CANARY not in proc.stdout + proc.stderr
    request = chats(server)[-1]
    assert_clean_upstream(request)
    body = request.json()
    assert body["venice_parameters"] == {"include_venice_system_prompt": False}
    assert body["max_completion_tokens"] <= 20000
