"""``openclaw chat`` and ``openclaw models attest`` on e2ee- models through the real console
script, against the fake enclave on 127.0.0.1 (tests/support/fake_enclave.py). The test PKI's
root reaches the subprocess as ``VENICE_TEE_ROOT_CA``, the fake NVIDIA root as
``VENICE_TEE_NVIDIA_ROOT``, the PCS stand-in as ``VENICE_TEE_PCS_URL``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from tests.conftest import run_cli
from tests.support.fake_enclave import FakeEnclave
from tests.support.fake_nvidia import shared_nvidia
from tests.support.fake_tdx import TestPki
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer

pytest_plugins = ("tests.support.enclave_fixtures",)  # pki, enclave

MODEL = "venice/e2ee-qwen3-6-27b"


@pytest.fixture
def env(server: LocalServer, pki: TestPki, tmp_path: Path) -> dict[str, str]:
    root = tmp_path / "test-root.pem"
    root.write_bytes(pki.root_cert.public_bytes(Encoding.PEM))
    gpu_root = tmp_path / "test-nvidia-root.der"
    gpu_root.write_bytes(shared_nvidia().root_der)
    return {
        "VENICE_TEE_NVIDIA_ROOT": str(gpu_root),
        "VENICE_API_KEY": CANARY,
        "VENICE_BASE_URL": server.url + "/api/v1",
        "VENICE_TEE_ROOT_CA": str(root),
        "VENICE_TEE_PCS_URL": server.url,
    }


def chats(server: LocalServer) -> list[Any]:
    return [r for r in server.requests if r.path.endswith("/chat/completions")]


def test_chat_with_an_e2ee_model_prints_the_decrypted_answer(
    server: LocalServer, enclave: FakeEnclave, env: dict[str, str]
) -> None:
    result = run_cli("chat", "-m", MODEL, "hi", env=env)
    assert result.code == 0, result.output
    assert result.stdout == "Hello from the enclave\n"
    (request,) = chats(server)
    assert "hi" not in [m["content"] for m in request.json()["messages"]]
    assert enclave.seen_plaintext[0][-1] == {"role": "user", "content": "hi"}


def test_the_first_e2ee_turn_says_what_is_clear_on_stderr_and_in_json(
    server: LocalServer, enclave: FakeEnclave, env: dict[str, str]
) -> None:
    line = (
        f"{MODEL} (end-to-end encrypted): every message's text is sealed to the attested "
        "enclave; in the clear (TLS only): message roles, the model id and the request "
        "parameters"
    )
    plain = run_cli("chat", "-m", MODEL, "hi", env=env)
    assert plain.code == 0, plain.output
    assert plain.stderr.count(line) == 1
    as_json = run_cli("chat", "-m", MODEL, "--json", "hi", env=env)
    assert as_json.code == 0, as_json.output
    assert json.loads(as_json.stdout)["notices"] == [line]


def test_no_e2ee_is_tee_only_and_says_so(
    server: LocalServer, enclave: FakeEnclave, env: dict[str, str]
) -> None:
    from tests.support import venice_wire

    enclave.install(server, chat=lambda r: venice_wire.stream_reply(
        venice_wire.text_stream("in the clear")))  # fmt: skip
    result = run_cli("chat", "-m", MODEL, "--no-e2ee", "hi", env=env)
    assert result.code == 0, result.output
    assert result.stdout == "in the clear\n"
    assert "TEE-only mode" in result.stderr
    request = chats(server)[0]
    assert not any(h.startswith("x-venice-tee") for h in request.headers)
    assert request.json()["messages"][-1]["content"] == "hi"


def test_a_failed_check_is_one_line_and_nothing_is_sent(
    server: LocalServer, enclave: FakeEnclave, env: dict[str, str]
) -> None:
    enclave.mutate = lambda doc: doc.update(nonce="00" * 32)
    result = run_cli("chat", "-m", MODEL, "hi", env=env)
    assert result.code != 0
    errors = [line for line in result.stderr.splitlines() if line.lower().startswith("error")]
    assert len(errors) == 1, result.stderr
    assert "attestation check 'nonce' failed" in errors[0]
    assert result.stdout == ""
    assert chats(server) == []


def test_models_attest_prints_every_check(
    server: LocalServer, enclave: FakeEnclave, env: dict[str, str]
) -> None:
    result = run_cli("models", "attest", MODEL, env=env)
    assert result.code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "attestation of e2ee-qwen3-6-27b: verified"
    assert "TCB status UpToDate" in lines[1]
    names = [line.split()[1] for line in lines[2:] if line.startswith(("ok", "FAIL"))]
    assert names[:3] == ["model", "nonce", "quote_format"] and "quote_signature" in names
    assert any(line.startswith("ok") and "venice" in line for line in lines)  # said, not hidden
    assert chats(server) == []  # attesting sends no chat


def test_models_attest_json(server: LocalServer, enclave: FakeEnclave, env: dict[str, str]) -> None:
    result = run_cli("models", "attest", MODEL, "--json", env=env)
    assert result.code == 0, result.output
    report = json.loads(result.stdout)
    assert report["passed"] is True and report["tcbStatus"] == "UpToDate"
    assert {c["source"] for c in report["checks"]} == {"local", "venice"}
    assert len(report["nonce"]) == 64


def test_models_attest_failing_exits_1_naming_the_check(
    server: LocalServer, enclave: FakeEnclave, env: dict[str, str]
) -> None:
    enclave.mutate = lambda doc: doc.update(model="e2ee-other")
    result = run_cli("models", "attest", MODEL, "--json", env=env)
    assert result.code == 1
    assert json.loads(result.stdout)["passed"] is False
    assert result.stderr.strip().splitlines()[-1].startswith("Error: attestation check 'model'")


def test_models_attest_refuses_a_model_without_an_enclave(
    server: LocalServer, enclave: FakeEnclave, env: dict[str, str]
) -> None:
    result = run_cli("models", "attest", "venice/llama-3.3-70b", env=env)
    assert result.code != 0
    assert "does not run in an attested enclave" in result.stderr
    assert not any(r.path.endswith("/tee/attestation") for r in server.requests)


def test_an_unreadable_trust_anchor_is_one_line(
    server: LocalServer, enclave: FakeEnclave, env: dict[str, str], tmp_path: Path
) -> None:
    bad = tmp_path / "not-a-cert.pem"
    bad.write_text("hello")
    for path in (str(bad), str(tmp_path / "missing.pem")):
        result = run_cli("chat", "-m", MODEL, "hi", env={**env, "VENICE_TEE_ROOT_CA": path})
        assert result.code != 0
        assert (
            "VENICE_TEE_ROOT_CA" in result.stderr and "not a readable certificate" in result.stderr
        )
        assert len([x for x in result.stderr.splitlines() if x.startswith("Error")]) == 1
    assert not any("attestation" in r.path or "chat" in r.path for r in server.requests)


def test_attestation_is_a_capability_the_plugin_registers() -> None:
    from openclaw_venice.errors import PluginError
    from openclaw_venice.plugin import plugin
    from openclaw_venice.runtime.plugins import AttestationCapability, PluginApi, Registry

    api = PluginApi("venice")
    plugin.register(api)
    assert isinstance(api.capabilities[("attestation", "venice")], AttestationCapability)
    registry = Registry(providers=dict(api.providers), capabilities={})
    with pytest.raises(PluginError, match="offers no enclave attestation"):
        registry.attestation("venice")  # the host asks the registry, never a provider by name


def test_models_attest_lists_the_enclave_and_what_is_not_attested(
    server: LocalServer, enclave: FakeEnclave, env: dict[str, str]
) -> None:
    result = run_cli("models", "attest", MODEL, env=env)
    assert result.code == 0, result.output
    out = result.stdout
    for label in ("app id", "instance id", "key provider", "OS image hash", "compose hash",
                  "RTMR0", "compose image", "deployed"):  # fmt: skip
        assert any(line.startswith(label + " ") for line in out.splitlines()), label
    assert "app id         2c0a0c96cb6dbd659bf1446e2f3fce58172ff91b" in out
    assert "attested:      Intel signed the quote" in out
    assert "attested:      the GPUs' evidence (signed measurements, NVIDIA's root" in out
    assert "not attested:  the GPUs' firmware measurements against NVIDIA's reference" in out
    assert "taken on Venice's word" not in out
    report = json.loads(run_cli("models", "attest", MODEL, "--json", env=env).stdout)
    assert report["enclave"]["appId"] == "2c0a0c96cb6dbd659bf1446e2f3fce58172ff91b"
    assert report["deployed"]["file"] == "Qwen3.5-122B.yaml"
    assert report["notAttested"] and report["attested"]


def test_the_users_policy_file_in_the_state_dir_admits_a_new_os_image(
    server: LocalServer, enclave: FakeEnclave, env: dict[str, str], tmp_path: Path
) -> None:
    """The host hands the provider its state dir (ProviderContext.state_dir): the file the
    failure line names is the one read."""
    import os

    from tests.support.fake_td import another_td
    from tests.support.tee_capture import capture

    mrtd = os.urandom(48)
    enclave.td = another_td(mrtd=mrtd)
    result = run_cli("models", "attest", MODEL, env=env)
    assert result.code == 1
    path = tmp_path / "state" / "providers" / "venice" / "tee_policy.json"
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith(f"Error: attestation check 'os_image' failed: MRTD {mrtd.hex()} ")
    assert str(path) in line
    real = capture().document["info"]["tcb_info"]  # the same kernel, boot and OS image hash
    image = {"name": "dstack-next", "mrtd": mrtd.hex(), "rtmr1": real["rtmr1"],
             "rtmr2": real["rtmr2"], "osImageHash": real["os_image_hash"]}  # fmt: skip
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"format": 1, "osImages": [image]}))
    result = run_cli("models", "attest", MODEL, env=env)
    assert result.code == 0, result.output
    assert "policy         version 1+user" in result.stdout
    assert chats(server) == []
