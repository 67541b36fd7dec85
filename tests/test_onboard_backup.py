"""A key onboarding moved out of the config file into the keyring is in no file we wrote:
not the config, not its ``openclaw.json.bak``, not a temp file. The backup keeps everything
else it is for (the user's comments, formatting and keys, as they were), with the key's
place holding the ``${VAR}`` reference that now finds it in the keyring."""

from __future__ import annotations

import json
import os
from pathlib import Path

import json5

from tests.conftest import run_cli
from tests.support.hygiene import CANARY, allow_secret_in

ONBOARD = ("onboard", "--auth-choice", "venice-api-key", "--non-interactive")
HAND_WRITTEN = (
    "// my OpenClaw setup\n"
    "{\n"
    "  models: {\n"
    "    providers: {\n"
    f'      venice: {{ apiKey: "{CANARY}" }}, /* pasted from the dashboard */\n'
    "    },\n"
    "  },\n"
    "  unknownFutureKey: { kept: true },\n"
    "}\n"
)


def state() -> Path:
    return Path(os.environ["OPENCLAW_STATE_DIR"])


def written_by_us() -> dict[str, bytes]:
    """Every file in the state dir except the keyring backend's own (it is elsewhere)."""
    return {p.name: p.read_bytes() for p in state().rglob("*") if p.is_file()}


def test_the_backup_keeps_the_old_text_without_the_moved_key() -> None:
    path = state() / "openclaw.json"
    path.parent.mkdir(parents=True)
    path.write_text(HAND_WRITTEN)
    allow_secret_in(path)  # the user wrote it there; onboarding takes it out
    result = run_cli(*ONBOARD)
    assert result.code == 0, result.output
    assert "system keyring" in result.stdout
    files = written_by_us()
    assert [name for name, data in files.items() if CANARY.encode() in data] == []
    backup = (state() / "openclaw.json.bak").read_text()
    assert backup == HAND_WRITTEN.replace(CANARY, "${VENICE_API_KEY}")  # all else as it was
    assert (state() / "openclaw.json.bak").stat().st_mode & 0o777 == 0o600
    # the backup still works: put back, it finds the key where onboarding moved it
    (state() / "openclaw.json.bak").replace(path)
    status = run_cli("models", "status", "--json")
    assert json.loads(status.stdout)["providers"]["venice"]["keySource"] == "keyring"


def test_an_older_backup_kept_for_its_comments_loses_the_key_too() -> None:
    """A ``.bak`` that is the only copy of the user's comments is kept by later saves; when
    it holds the key being moved, the key is taken out of it there as well."""
    path = state() / "openclaw.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"models": {"providers": {"venice": {"apiKey": CANARY}}}}))
    (state() / "openclaw.json.bak").write_text(HAND_WRITTEN)
    allow_secret_in(path)
    result = run_cli(*ONBOARD)
    assert result.code == 0, result.output
    assert [name for name, data in written_by_us().items() if CANARY.encode() in data] == []
    backup = (state() / "openclaw.json.bak").read_text()
    assert backup == HAND_WRITTEN.replace(CANARY, "${VENICE_API_KEY}")
    assert json5.loads(path.read_text())["models"]["providers"]["venice"]["apiKey"] == (
        "${VENICE_API_KEY}"
    )


def test_a_key_written_escaped_leaves_no_backup_rather_than_a_copy_of_it() -> None:
    """JSON lets a string be written with ``\\u`` escapes; a key written so cannot be found
    in the text by its characters. Then no backup is kept: a key the user moved out of the
    file must not stay in a copy of it."""
    escaped = "".join(f"\\u{ord(c):04x}" for c in CANARY)
    path = state() / "openclaw.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"models": {"providers": {"venice": {"apiKey": "' + escaped + '"}}}}\n')
    (state() / "openclaw.json.bak").write_text(path.read_text())  # an older copy, also escaped
    result = run_cli(*ONBOARD)
    assert result.code == 0, result.output
    assert not (state() / "openclaw.json.bak").exists()
    assert sorted(written_by_us()) == ["openclaw.json"]  # and no lock left behind
    assert json5.loads(path.read_text())["models"]["providers"]["venice"]["apiKey"] == (
        "${VENICE_API_KEY}"
    )
    status = run_cli("models", "status", "--json")
    assert json.loads(status.stdout)["providers"]["venice"]["keySource"] == "keyring"


def test_ref_mode_takes_the_key_out_of_the_backup_too() -> None:
    """``--secret-input-mode ref``: the user keeps the key themselves (in the variable the
    config now names); none of our files keeps a copy, the backup included."""
    path = state() / "openclaw.json"
    path.parent.mkdir(parents=True)
    path.write_text(HAND_WRITTEN)
    allow_secret_in(path)
    result = run_cli(*ONBOARD, "--secret-input-mode", "ref")
    assert result.code == 0, result.output
    assert "not stored; the config refers to ${VENICE_API_KEY}" in result.stdout
    assert [name for name, data in written_by_us().items() if CANARY.encode() in data] == []
    backup = (state() / "openclaw.json.bak").read_text()
    assert backup == HAND_WRITTEN.replace(CANARY, "${VENICE_API_KEY}")
    status = run_cli("models", "status", "--json", env={"VENICE_API_KEY": CANARY})
    assert json.loads(status.stdout)["providers"]["venice"]["keySource"] == "env"


def test_a_key_kept_in_the_env_block_is_not_taken_out() -> None:
    """Without a keyring the user may keep the key in the config's env block: it stays
    there, and the ``.bak`` (their file as it was) is not rewritten."""
    path = state() / "openclaw.json"
    path.parent.mkdir(parents=True)
    path.write_text(HAND_WRITTEN)
    allow_secret_in(path)
    allow_secret_in(state() / "openclaw.json.bak")
    no_keyring = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    result = run_cli(*ONBOARD, "--store-key-in-config", env=no_keyring)
    assert result.code == 0, result.output
    assert json5.loads(path.read_text())["env"] == {"vars": {"VENICE_API_KEY": CANARY}}
    assert (state() / "openclaw.json.bak").read_text() == HAND_WRITTEN


def test_onboarding_again_cleans_a_backup_an_earlier_version_left() -> None:
    """Earlier versions moved the key and kept it in the ``.bak``; onboarding again (nothing
    to change in the file) takes it out of that copy."""
    first = run_cli(*ONBOARD, "--venice-api-key", CANARY)
    assert first.code == 0, first.output
    path = state() / "openclaw.json"
    before = path.read_text()
    (state() / "openclaw.json.bak").write_text(HAND_WRITTEN)  # as an earlier version left it
    again = run_cli(*ONBOARD)
    assert again.code == 0, again.output
    assert "kept in keyring" in again.stdout
    assert path.read_text() == before  # nothing changed there
    assert (state() / "openclaw.json.bak").read_text() == HAND_WRITTEN.replace(
        CANARY, "${VENICE_API_KEY}"
    )
    assert [name for name, data in written_by_us().items() if CANARY.encode() in data] == []


def test_a_key_too_short_to_replace_safely_leaves_no_copy() -> None:
    from openclaw_venice.runtime.config_scrub import scrub

    text = '{"a": "abc", "note": "abcdef"}'
    assert scrub(text, {"abc": "${K}"}) is None  # replacing "abc" would change "abcdef"
    assert scrub('{"a": 1}', {"abc": "${K}"}) == '{"a": 1}'  # not there: nothing to do
    long_key = "k" * 20
    assert scrub(f'{{"a": "{long_key}"}} // {long_key}\n', {long_key: "${K}"}) == (
        '{"a": "${K}"} // ${K}\n'
    )
