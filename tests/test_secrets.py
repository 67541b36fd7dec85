"""Key resolution order, with a real keyring backend (keyrings.alt file) and failing ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail
from keyrings.alt.file import PlaintextKeyring

from openclaw_venice.identity import AUTH_METHOD
from openclaw_venice.runtime.errors import SecretError
from openclaw_venice.runtime.secrets import (
    KEYRING_SERVICE,
    keyring_set,
    profile_store_path,
    resolve_api_key,
)
from tests.support.broken_keyring import BrokenKeyring
from tests.support.hygiene import CANARY

VAR = "VENICE_API_KEY"


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
    path = profile_store_path(state_dir)
    path.parent.mkdir(parents=True)
    payload = {
        "version": 1,
        "profiles": {"venice:default": {"type": "api_key", "provider": "venice", "key": key}},
    }
    path.write_text(json.dumps(payload))


def test_the_order_first_source_wins(file_keyring: PlaintextKeyring, tmp_path: Path) -> None:
    write_profile(tmp_path, "from-profile")
    config: dict[str, Any] = {"env": {VAR: "from-env-block"}}
    file_keyring.set_password(KEYRING_SERVICE, VAR, "from-keyring")
    env = {VAR: "from-env"}
    assert resolve(env, config, "from-flag", tmp_path) == ("flag", "from-flag")
    assert resolve(env, config, None, tmp_path) == ("env", "from-env")
    assert resolve({}, config, None, tmp_path) == ("config env block", "from-env-block")
    assert resolve({}, {}, None, tmp_path) == ("keyring", "from-keyring")
    file_keyring.delete_password(KEYRING_SERVICE, VAR)
    literal = {"models": {"providers": {"venice": {"apiKey": "literal-key"}}}}
    assert resolve({}, literal, None, tmp_path) == ("config", "literal-key")
    assert resolve({}, {}, None, tmp_path) == ("auth profile", "from-profile")


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
