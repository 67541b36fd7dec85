"""Onboarding without traps (found by a newcomer): a variable that shadows the new key is
named with how to unset it; a key stored "nowhere" removes the keyring key it replaces or says
which stored key stays in use; Ctrl-D at the model question is not a yes; the model picker
shows server text harmlessly."""

from __future__ import annotations

import json
import os
from pathlib import Path

import keyring

from tests.conftest import run_cli
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, json_reply
from tests.support.terminal import Terminal

ONBOARD = ("onboard", "--auth-choice", "venice-api-key")
OLD_KEY = "old-key-0123456789abcdef"


def config_path() -> Path:
    return Path(os.environ["OPENCLAW_STATE_DIR"]) / "openclaw.json"


def test_an_exported_variable_that_shadows_the_new_key_is_named() -> None:
    result = run_cli(
        *ONBOARD, "--non-interactive", "--venice-api-key", CANARY, "--json",
        env={"VENICE_API_KEY": OLD_KEY},
    )  # fmt: skip
    assert result.code == 0, result.output
    warning = (
        "VENICE_API_KEY is set in your environment and overrides the key just stored, so "
        "commands will not use the new key: run `unset VENICE_API_KEY`"
    )
    assert f"warning: {warning}" in result.stderr
    assert json.loads(result.stdout)["keyWarning"].startswith(warning)
    assert keyring.get_password("openclaw", "VENICE_API_KEY") == CANARY


def test_the_same_key_in_the_environment_is_no_trap() -> None:
    result = run_cli(*ONBOARD, "--non-interactive", env={"VENICE_API_KEY": CANARY})
    assert result.code == 0, result.output
    assert "warning" not in result.stderr


def test_a_key_stored_nowhere_removes_the_keyring_key_it_replaces() -> None:
    first = run_cli(*ONBOARD, "--non-interactive", "--venice-api-key", OLD_KEY)
    assert first.code == 0 and keyring.get_password("openclaw", "VENICE_API_KEY") == OLD_KEY
    result = run_cli(
        *ONBOARD, "--non-interactive", "--venice-api-key", CANARY, "--secret-input-mode", "ref"
    )
    assert result.code == 0, result.output
    assert "Removed the previous key from the system keyring (VENICE_API_KEY)." in result.stderr
    assert keyring.get_password("openclaw", "VENICE_API_KEY") is None
    status = run_cli("models", "status", "--json")
    assert json.loads(status.stdout)["providers"]["venice"]["keySource"] is None


def test_a_key_stored_nowhere_names_the_stored_key_that_stays_in_use() -> None:
    first = run_cli(
        *ONBOARD, "--non-interactive", "--venice-api-key", OLD_KEY, "--store-key-in-config",
        env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )  # fmt: skip
    assert first.code == 0, first.output
    result = run_cli(
        *ONBOARD, "--non-interactive", "--venice-api-key", CANARY, "--secret-input-mode", "ref",
        env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )  # fmt: skip
    assert result.code == 0, result.output
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("warning: until")]
    assert line.startswith("warning: until VENICE_API_KEY is set, commands use the key from ")
    assert str(config_path()) in line and line.endswith(
        "set VENICE_API_KEY, or remove that key there"
    )


def test_ctrl_d_at_the_model_question_changes_nothing() -> None:
    result = run_cli(*ONBOARD, input=f"{CANARY}\n")  # the key, then the input ends
    assert result.code == 2, result.output
    assert "Error: no default model chosen (input ended); nothing was changed" in result.stderr
    assert not config_path().exists()
    assert keyring.get_password("openclaw", "VENICE_API_KEY") is None


def test_the_model_picker_shows_server_text_harmlessly(server: LocalServer) -> None:
    evil = "evil\x1b]0;owned\x07\x1b[2J-model"
    server.respond(lambda r: json_reply({"data": [
        {"id": evil, "type": "text", "model_spec": {"name": "Evil", "privacy": "private\x1b[31m"}},
        {"id": "llama-3.3-70b", "type": "text", "model_spec": {"name": "Llama"}},
    ]}))  # fmt: skip
    env = {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}
    with Terminal(*ONBOARD, env=env) as term:
        term.read_until(b"[Y/n]: ")
        term.type("\r")
        shown = term.read_until(b"Default model (number or id)")
        term.type("2\r")
        assert term.wait() == 0
    assert b"\x1b]0;owned" not in shown and b"\x1b[2J" not in shown and b"\x1b[31m" not in shown
    assert b"venice/evil\\x1b]0;owned\\x07\\x1b[2J-model" in shown
