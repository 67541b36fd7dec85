"""Files TypeScript OpenClaw wrote, used by us (issue 24 items 2 and 4, default suite).

``tests/data/openclaw-ts/`` holds what TypeScript OpenClaw 2026.9.6 and its Venice provider
wrote when onboarded with a (made-up) key: its ``openclaw.json`` and its state database,
where it keeps that key (see PROVENANCE.md there). We must read the key from its store,
keep every section it owns, and, onboarding over it, add no ``apiKey`` reference: TypeScript
reads that reference before its own store, so its turns would fail wherever the variable is
not exported. ``tests/test_with_typescript_openclaw.py`` runs TypeScript itself (opt-in).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from tests.conftest import run_cli

TS_DATA = Path(__file__).parent / "data" / "openclaw-ts"
TS_KEY = "vk-ts-written-0001"
ONBOARD = ("onboard", "--auth-choice", "venice-api-key", "--non-interactive")


def state() -> Path:
    return Path(os.environ["OPENCLAW_STATE_DIR"])


def as_typescript_left_it() -> dict[str, Any]:
    """The state dir as TypeScript's onboarding left it; returns the config's data."""
    (state() / "state").mkdir(parents=True)
    shutil.copyfile(TS_DATA / "openclaw.json", state() / "openclaw.json")
    shutil.copyfile(TS_DATA / "openclaw.sqlite", state() / "state" / "openclaw.sqlite")
    return dict(json.loads((TS_DATA / "openclaw.json").read_text()))


def config() -> dict[str, Any]:
    return dict(json.loads((state() / "openclaw.json").read_text()))


def test_the_key_typescript_stored_is_ours_to_use() -> None:
    as_typescript_left_it()
    status = run_cli("models", "status", "--json")
    assert status.code == 0, status.output
    venice = json.loads(status.stdout)["providers"]["venice"]
    assert venice["keySource"] == "OpenClaw state store"
    assert TS_KEY not in status.output


def test_typescripts_default_model_and_sections_are_read() -> None:
    written = as_typescript_left_it()
    listed = run_cli("models", "list", "--json")
    assert listed.code == 0, listed.output
    status = json.loads(run_cli("models", "status", "--json").stdout)
    assert status["defaultModel"] == written["agents"]["defaults"]["model"]["primary"]


def test_onboarding_over_a_typescript_setup_keeps_its_key_where_it_is() -> None:
    """Nothing to ask (the key is in TypeScript's store), nothing that would change how
    TypeScript finds it: no apiKey, every section as it was."""
    written = as_typescript_left_it()
    result = run_cli(*ONBOARD, "--json")
    assert result.code == 0, result.output
    assert json.loads(result.stdout)["keyStorage"] == "kept in OpenClaw state store"
    assert "apiKey" not in config()["models"]["providers"]["venice"]
    assert config() == written


def test_a_new_key_onboarded_over_typescripts_goes_to_the_keyring_not_the_config() -> None:
    written = as_typescript_left_it()
    result = run_cli(*ONBOARD, "--venice-api-key", "vk-new-for-python", "--json")
    assert result.code == 0, result.output
    assert json.loads(result.stdout)["keyStorage"].startswith("system keyring")
    assert config() == written  # no apiKey reference added
    assert result.stderr.count("TypeScript OpenClaw keeps its own copy") == 1
    status = json.loads(run_cli("models", "status", "--json").stdout)
    assert status["providers"]["venice"]["keySource"] == "keyring"


def test_a_key_kept_in_the_config_goes_where_typescript_reads_it() -> None:
    """``--store-key-in-config`` writes ``env.vars`` (TypeScript's strict ``env`` block
    refuses a variable beside ``shellEnv``/``vars``); one an earlier version wrote as
    ``env.<NAME>`` moves there, settings kept."""
    from tests.support.hygiene import allow_secret_in

    path = state() / "openclaw.json"
    path.parent.mkdir(parents=True)
    allow_secret_in(path)
    allow_secret_in(path.with_name("openclaw.json.bak"))
    path.write_text(json.dumps({"env": {"shellEnv": {"enabled": False}, "OTHER": "kept"}}))
    no_keyring = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    result = run_cli(*ONBOARD, "--venice-api-key", "vk-inline", "--store-key-in-config",
                     env=no_keyring)  # fmt: skip
    assert result.code == 0, result.output
    assert config()["env"] == {
        "shellEnv": {"enabled": False},
        "vars": {"OTHER": "kept", "VENICE_API_KEY": "vk-inline"},
    }
    status = json.loads(run_cli("models", "status", "--json", env=no_keyring).stdout)
    assert status["providers"]["venice"]["keySource"] == "config env block"
