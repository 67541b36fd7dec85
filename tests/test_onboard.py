"""``openclaw onboard`` end to end, through the CLI (``run_cli``), with a real keyring file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import json5
import pytest

from openclaw_venice.runtime.key_input import mask, normalize_key
from tests.conftest import REPO, run_cli
from tests.support.hygiene import CANARY, allow_secret_in

ONBOARD = ("onboard", "--auth-choice", "venice-api-key")
MISSING = "Missing --venice-api-key (or VENICE_API_KEY in env, or existing venice API-key profile)."
TS_FIXTURE = REPO / "fixtures" / "openclaw-ts.json5"


def config_path() -> Path:
    return Path(os.environ["OPENCLAW_STATE_DIR"]) / "openclaw.json"


def config() -> dict[str, Any]:
    data: dict[str, Any] = json5.loads(config_path().read_text())
    return data


def status() -> dict[str, Any]:
    result = run_cli("models", "status", "--json")
    assert result.code == 0, result.output
    payload: dict[str, Any] = json.loads(result.stdout)
    return payload


def test_non_interactive_with_flag_puts_the_key_in_the_keyring() -> None:
    result = run_cli(*ONBOARD, "--non-interactive", "--venice-api-key", CANARY)
    assert result.code == 0, result.output
    assert "system keyring" in result.stdout and "venice/kimi-k2-6" in result.stdout
    data = config()
    venice = data["models"]["providers"]["venice"]
    assert venice["apiKey"] == "${VENICE_API_KEY}"
    assert venice["baseUrl"] == "https://api.venice.ai/api/v1"
    assert venice["api"] == "openai-completions"
    assert "models" not in venice  # no frozen catalog: it comes from Venice or the bundle
    assert data["models"]["mode"] == "merge"
    assert data["auth"]["profiles"]["venice:default"] == {"provider": "venice", "mode": "api_key"}
    assert data["agents"]["defaults"]["model"]["primary"] == "venice/kimi-k2-6"
    assert data["agents"]["defaults"]["models"]["venice/kimi-k2-6"]["alias"]
    assert CANARY not in config_path().read_text()
    assert status()["providers"]["venice"]["keySource"] == "keyring"


def test_key_from_env_is_accepted() -> None:
    result = run_cli(*ONBOARD, "--non-interactive", "--json", env={"VENICE_API_KEY": CANARY})
    assert result.code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["keyStorage"].startswith("system keyring")
    assert summary["defaultModel"] == "venice/kimi-k2-6" and summary["defaultModelChanged"]
    assert summary["configPath"] == str(config_path()) and summary["catalogSource"] == "bundled"


def test_missing_key_exact_message_and_exit_1() -> None:
    result = run_cli(*ONBOARD, "--non-interactive")
    assert result.code == 1
    assert result.stderr.strip().splitlines()[-1] == f"Error: {MISSING}"
    assert not config_path().exists()


def test_unknown_auth_choice_lists_the_choices() -> None:
    result = run_cli("onboard", "--auth-choice", "nope", "--non-interactive")
    assert result.code == 2 and "choose one of: venice-api-key" in result.stderr


@pytest.mark.parametrize(
    "raw",
    [f"export VENICE_API_KEY='{CANARY}';", f' "{CANARY}" ', f"VENICE_API_KEY={CANARY}"],
    ids=["export", "quoted", "assignment"],
)
def test_pasted_key_is_normalised(raw: str) -> None:
    assert run_cli(*ONBOARD, "--non-interactive", "--venice-api-key", raw).code == 0
    assert status()["providers"]["venice"]["keySource"] == "keyring"
    check = run_cli("models", "status", "--json", "--verbose")
    assert "VENICE_API_KEY: using the key from keyring" in check.stderr


def test_normalisation_rules() -> None:
    assert normalize_key("  export NAME=`abc`; ") == "abc"
    assert normalize_key("VENICE-INFERENCE-KEY-x") == "VENICE-INFERENCE-KEY-x"  # never judged
    assert normalize_key("abc==") == "abc=="  # base64 padding is not an assignment
    assert normalize_key("   ") == ""
    assert mask("vapi_0123456789abcdef") == "vapi…cdef" and mask("short") == "*****"


def test_empty_flag_is_rejected() -> None:
    result = run_cli(*ONBOARD, "--non-interactive", "--venice-api-key", "  ;  ")
    assert result.code == 2 and "empty" in result.stderr


def test_typescript_config_keeps_everything() -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    original = TS_FIXTURE.read_text()
    path.write_text(original)
    result = run_cli(*ONBOARD, "--non-interactive", "--venice-api-key", CANARY)
    assert result.code == 0, result.output
    before, after = json5.loads(original), config()
    for key in ("gateway", "channels", "unknownFutureKey"):
        assert after[key] == before[key]
    assert after["models"]["providers"]["ollama"] == before["models"]["providers"]["ollama"]
    defaults = after["agents"]["defaults"]
    assert defaults["model"] == before["agents"]["defaults"]["model"]  # a default was set
    assert defaults["heartbeat"] == {"every": "30m"}
    assert "(unchanged)" in result.stdout
    text = path.read_text()
    for comment in (
        "// OpenClaw configuration",
        "// keep the agent alive",
        "/* a self-hosted endpoint */",
    ):
        assert comment in text
    assert (path.parent / "openclaw.json.bak").read_text() == original


def test_set_default_forces_the_default() -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text(TS_FIXTURE.read_text())
    run_cli(*ONBOARD, "--non-interactive", "--venice-api-key", CANARY, "--set-default")
    assert config()["agents"]["defaults"]["model"]["primary"] == "venice/kimi-k2-6"
    assert config()["agents"]["defaults"]["model"]["fallbacks"] == ["openai/gpt-5.2"]


def test_malformed_config_is_not_touched() -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text("{\n  gateway: { port: 1 },\n  agents: { defaults: [ }\n}\n")
    before = path.read_bytes()
    result = run_cli(*ONBOARD, "--non-interactive", "--venice-api-key", CANARY)
    assert result.code == 1 and f"{path}:3:" in result.stderr
    assert path.read_bytes() == before


def test_bad_value_in_our_part_names_its_path() -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text('{"models": {"providers": {"venice": {"models": [{"id": 5}]}}}}')
    result = run_cli(*ONBOARD, "--non-interactive", "--venice-api-key", CANARY)
    assert result.code == 1 and "models.providers.venice.models[0].id" in result.stderr


def test_ref_mode_stores_nothing() -> None:
    result = run_cli(
        *ONBOARD, "--non-interactive", "--venice-api-key", CANARY, "--secret-input-mode", "ref"
    )
    assert result.code == 0 and "not stored" in result.stdout
    assert config()["models"]["providers"]["venice"]["apiKey"] == "${VENICE_API_KEY}"
    assert status()["providers"]["venice"]["keySource"] is None


NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def test_no_keyring_requires_a_flag_then_uses_the_env_block() -> None:
    refused = run_cli(*ONBOARD, "--non-interactive", "--venice-api-key", CANARY, env=NO_KEYRING)
    assert refused.code == 1 and "--store-key-in-config" in refused.stderr
    assert not config_path().exists()
    allow_secret_in(config_path())
    allow_secret_in(config_path().with_name("openclaw.json.bak"))
    result = run_cli(
        *ONBOARD,
        "--non-interactive",
        "--venice-api-key",
        CANARY,
        "--store-key-in-config",
        env=NO_KEYRING,
    )
    assert result.code == 0 and "config env block" in result.stdout
    assert config()["env"] == {"vars": {"VENICE_API_KEY": CANARY}}  # TypeScript's place
    assert config_path().stat().st_mode & 0o777 == 0o600
    check = run_cli("models", "status", "--json", env=NO_KEYRING)
    assert json.loads(check.stdout)["providers"]["venice"]["keySource"] == "config env block"


def test_broken_keyring_falls_through_with_one_line() -> None:
    env = {
        "PYTHON_KEYRING_BACKEND": "tests.support.broken_keyring.BrokenKeyring",
        "PYTHONPATH": str(REPO),
    }
    result = run_cli("models", "status", env=env)
    assert result.code == 0
    assert "keyring could not be read (KeyringLocked)" in result.stderr
    assert (
        "no API key (set VENICE_API_KEY or run `openclaw onboard --auth-choice venice-api-key`)"
        in result.stdout
    )


def test_interactive_through_stdin() -> None:
    result = run_cli(*ONBOARD, input=f"{CANARY}\n\n")
    assert result.code == 0, result.output
    assert "https://venice.ai/settings/api" in result.stderr  # the note
    assert "Enter Venice AI API key" in result.stderr
    assert config()["agents"]["defaults"]["model"]["primary"] == "venice/kimi-k2-6"
    # again: the existing key is offered, masked, and a model is picked by number
    again = run_cli(*ONBOARD, input="y\n1\n")
    assert again.code == 0, again.output
    assert f"{CANARY[:4]}…{CANARY[-4:]}" in again.stderr
    assert "kept in keyring" in again.stdout
    listed = [line.split()[1] for line in again.stderr.splitlines() if line.startswith("    1)")]
    assert listed and config()["agents"]["defaults"]["model"]["primary"] == listed[0]


def test_interactive_empty_key_is_asked_again() -> None:
    result = run_cli(*ONBOARD, input=f"\n  \n{CANARY}\n\n")
    assert result.code == 0 and result.stderr.count("cannot be empty") == 2


def test_configure_menu_runs_the_same_flow() -> None:
    result = run_cli("configure", input=f"1\n1\n{CANARY}\n\n")
    assert result.code == 0, result.output
    assert "Model/auth" in result.stderr and "Venice AI" in result.stderr
    assert status()["providers"]["venice"]["keySource"] == "keyring"
