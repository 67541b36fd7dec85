"""Key resolution order, with a real keyring backend (keyrings.alt file) and failing ones."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail
from keyrings.alt.file import PlaintextKeyring

from openclaw_venice.identity import AUTH_METHOD
from openclaw_venice.runtime.auth_store import profile_file
from openclaw_venice.runtime.errors import SecretError
from openclaw_venice.runtime.secrets import (
    KEYRING_SERVICE,
    keyring_set,
    resolve_api_key,
)
from tests.support.broken_keyring import BrokenKeyring
from tests.support.hygiene import CANARY

VAR = "VENICE_API_KEY"
TS_DATA = Path(__file__).parent / "data" / "openclaw-ts"  # written by TypeScript OpenClaw
TS_KEY = "vk-ts-written-0001"  # the (made-up) key its onboarding stored


@pytest.fixture
def file_keyring(tmp_path: Path) -> PlaintextKeyring:
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring" / "keyring_pass.cfg")  # type: ignore[misc]
    keyring.set_keyring(backend)
    return backend


def resolve(
    env: dict[str, str] | None = None,
    config: dict[str, Any] | None = None,
    flag: str | None = None,
    state_dir: Path | None = None,
    warnings: list[str] | None = None,
) -> tuple[str, str]:
    key = resolve_api_key(
        AUTH_METHOD,
        env or {},
        config or {},
        flag,
        provider_id="venice",
        state_dir=state_dir,
        warn=(warnings if warnings is not None else []).append,
    )
    return key.source, key.value.get_secret_value()


def write_profile(state_dir: Path, key: str) -> None:
    path = profile_file(state_dir)
    path.parent.mkdir(parents=True)
    payload = {
        "version": 1,
        "profiles": {"venice:default": {"type": "api_key", "provider": "venice", "key": key}},
    }
    path.write_text(json.dumps(payload))


def ts_state_store(state_dir: Path) -> Path:
    """TypeScript OpenClaw's state database as its onboarding wrote it (tests/data)."""
    database = state_dir / "state" / "openclaw.sqlite"
    database.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(TS_DATA / "openclaw.sqlite", database)
    return database


def test_the_order_first_source_wins(file_keyring: PlaintextKeyring, tmp_path: Path) -> None:
    write_profile(tmp_path, "from-profile")
    database = ts_state_store(tmp_path)
    config: dict[str, Any] = {"env": {"vars": {VAR: "from-env-block"}}}
    file_keyring.set_password(KEYRING_SERVICE, VAR, "from-keyring")
    env = {VAR: "from-env"}
    assert resolve(env, config, "from-flag", tmp_path) == ("flag", "from-flag")
    assert resolve(env, config, None, tmp_path) == ("env", "from-env")
    assert resolve({}, config, None, tmp_path) == ("config env block", "from-env-block")
    assert resolve({}, {}, None, tmp_path) == ("keyring", "from-keyring")
    file_keyring.delete_password(KEYRING_SERVICE, VAR)
    literal = {"models": {"providers": {"venice": {"apiKey": "literal-key"}}}}
    assert resolve({}, literal, None, tmp_path) == ("OpenClaw state store", TS_KEY)
    database.unlink()
    assert resolve({}, literal, None, tmp_path) == ("config", "literal-key")
    assert resolve({}, {}, None, tmp_path) == ("auth profile", "from-profile")


def test_the_env_block_is_read_where_typescript_keeps_it_and_where_we_did() -> None:
    ours = {"env": {VAR: "older-place"}}
    assert resolve({}, ours) == ("config env block", "older-place")
    both = {"env": {"shellEnv": {"enabled": False}, VAR: "older", "vars": {VAR: "in-vars"}}}
    assert resolve({}, both) == ("config env block", "in-vars")


def test_typescripts_state_store_is_read_without_being_changed(tmp_path: Path) -> None:
    """Read-only: the database's bytes stay as they were, and a database the user cannot
    write (or one in use read-only) is read just the same."""
    keyring.set_keyring(fail.Keyring())
    database = ts_state_store(tmp_path)
    before = database.read_bytes()
    database.chmod(0o400)
    database.parent.chmod(0o500)
    try:
        assert resolve({}, {}, None, tmp_path, []) == ("OpenClaw state store", TS_KEY)
    finally:
        database.parent.chmod(0o700)
    assert database.read_bytes() == before
    assert sorted(p.name for p in database.parent.iterdir()) == ["openclaw.sqlite"]


@pytest.mark.parametrize(
    "damage", ["not a database", "no such table", "no such row", "not JSON", "no key"]
)
def test_a_state_store_that_cannot_be_read_is_no_source(tmp_path: Path, damage: str) -> None:
    keyring.set_keyring(fail.Keyring())
    database = ts_state_store(tmp_path)
    if damage == "not a database":
        database.write_bytes(b"SQLite format 2\0" + bytes(100))
    else:
        with sqlite3.connect(database) as connection:
            statement = {
                "no such table": "DROP TABLE config_machine_state",
                "no such row": "DELETE FROM config_machine_state",
                "not JSON": "UPDATE config_machine_state SET value_json = '{profiles'",
                "no key": "UPDATE config_machine_state SET value_json = '{\"profiles\": {}}'",
            }[damage]
            connection.execute(statement)
        connection.close()
    with pytest.raises(SecretError):
        resolve({}, {}, None, tmp_path, [])


def test_nothing_found_says_what_to_do(file_keyring: PlaintextKeyring) -> None:
    with pytest.raises(SecretError) as caught:
        resolve()
    assert "VENICE_API_KEY" in str(caught.value)
    assert "openclaw onboard --auth-choice venice-api-key" in str(caught.value)


def test_a_referenced_variable_is_looked_up_by_its_name(file_keyring: PlaintextKeyring) -> None:
    config = {"models": {"providers": {"venice": {"apiKey": "${MY_VENICE}"}}}}
    assert resolve({"MY_VENICE": "mine", VAR: "other"}, config) == ("env", "mine")
    ref = {"models": {"providers": {"venice": {"apiKey": {"source": "env", "id": "ALT"}}}}}
    file_keyring.set_password(KEYRING_SERVICE, "ALT", "alt-from-keyring")
    assert resolve({}, ref) == ("keyring", "alt-from-keyring")


@pytest.mark.parametrize("backend", [fail.Keyring(), BrokenKeyring()])
def test_unusable_keyring_falls_through_with_one_warning(backend: Any, tmp_path: Path) -> None:
    keyring.set_keyring(backend)
    write_profile(tmp_path, "from-profile")
    warnings: list[str] = []
    assert resolve({}, {}, None, tmp_path, warnings) == ("auth profile", "from-profile")
    assert len(warnings) == 1 and "keyring" in warnings[0] and "\n" not in warnings[0]
    assert keyring_set(VAR, __import__("pydantic").SecretStr("x")) is None


def test_keyring_round_trip_and_values_trimmed(file_keyring: PlaintextKeyring) -> None:
    from pydantic import SecretStr

    assert keyring_set(VAR, SecretStr(CANARY)) == "keyrings.alt.file.PlaintextKeyring"
    source, value = resolve()
    assert (source, value) == ("keyring", CANARY)
    assert CANARY not in Path(file_keyring.file_path).read_text()  # stored encoded, at least
    assert resolve({VAR: "  spaced  "}) == ("env", "spaced")
