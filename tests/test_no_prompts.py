"""A run that may not prompt never does (found by a newcomer whose CLI venv had the test
extra's keyrings.alt: its EncryptedKeyring asked for a password under --non-interactive, and
off a terminal printed getpass's multi-line warning). Here that backend is chosen on purpose."""

from __future__ import annotations

import getpass
import warnings

import pytest

from tests.conftest import run_cli
from tests.support.hygiene import CANARY
from tests.support.terminal import Terminal

ASKING = {"PYTHON_KEYRING_BACKEND": "keyrings.alt.file.EncryptedKeyring"}
REFUSED = (
    "warning: the system keyring asks for its password, and this run may not prompt "
    "(--non-interactive, or no terminal); skipping it"
)


def locked_keyring_holding_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """An EncryptedKeyring file (where the commands look) holding the key: reading it needs
    the keyring's password."""
    from keyrings.alt.file import EncryptedKeyring

    monkeypatch.setattr(getpass, "getpass", lambda prompt="", stream=None: "keyring password")
    with warnings.catch_warnings():  # keyrings.alt's own PBKDF2 defaults: not ours to judge
        warnings.simplefilter("ignore", DeprecationWarning)
        EncryptedKeyring().set_password("openclaw", "VENICE_API_KEY", CANARY)


def test_off_a_terminal_a_password_asking_keyring_is_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    locked_keyring_holding_a_key(monkeypatch)
    result = run_cli("models", "status", env=ASKING)  # stdin: not a terminal
    assert result.code == 0, result.output
    assert result.stderr.splitlines() == [REFUSED]
    assert "Password" not in result.output and "echo" not in result.output


def test_non_interactive_onboarding_on_a_terminal_never_asks_for_a_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    locked_keyring_holding_a_key(monkeypatch)
    args = ("onboard", "--non-interactive", "--auth-choice", "venice-api-key")
    with Terminal(*args, "--venice-api-key", CANARY, env=ASKING) as term:
        shown = term.read_to_end(timeout=60)
        code = term.wait()
    assert code == 1
    assert b"password" not in shown.lower()
    assert (
        shown.decode()
        .strip()
        .splitlines()[-1]
        .startswith(
            "Error: no usable system keyring to store the key; re-run with --store-key-in-config"
        )
    )
