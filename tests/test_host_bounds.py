"""The host bounded like the wire (issue 26 item 7): what the CLI reads from its
surroundings (the keyring, the config and cache files, stdin) and writes to (stdout) cannot
hang it, grow it without bound, or end it in a traceback. Each case is a hostile probe that
hung, grew or crashed before its fix."""

from __future__ import annotations

import os
import resource
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from openclaw_venice.model_cache import ModelCache
from openclaw_venice.runtime import secrets
from openclaw_venice.runtime.plugins import provider_cache_dir
from tests.conftest import OPENCLAW, run_cli
from tests.support import hanging_keyring, venice_wire
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request, json_reply

HANGING = {"PYTHON_KEYRING_BACKEND": "tests.support.hanging_keyring.HangingKeyring"}
BOUND = 0.2  # seconds: the keyring's bound, shortened here (10 s for the user)
SILENT = "warning: the system keyring did not answer within 0.2 s;"


@pytest.fixture
def silent_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(secrets, "KEYRING_SECONDS", BOUND)
    monkeypatch.setattr(secrets, "_silent", False)  # a fresh process has asked nothing yet
    del hanging_keyring.calls[:]
    before = threading.active_count()
    try:
        yield
    finally:
        hanging_keyring.let_go()
    for thread in threading.enumerate():
        if thread.name == "keyring":
            thread.join(timeout=5)
    assert threading.active_count() <= before


def venice(server: LocalServer) -> dict[str, str]:
    def respond(request: Request) -> Reply:
        if request.path.endswith("/models"):
            return json_reply({"data": [{"id": "llama-3.3-70b", "type": "text"}]})
        return venice_wire.stream_reply(venice_wire.text_stream("Hello."))

    server.respond(respond)
    return {"VENICE_BASE_URL": server.url + "/api/v1"}


def test_models_status_skips_a_keyring_that_never_answers(silent_keyring: None) -> None:
    result = run_cli("models", "status", env={**HANGING, "VENICE_API_KEY": ""})
    assert result.code == 0, result.output
    said = [line for line in result.stderr.splitlines() if line.startswith(SILENT)]
    assert len(said) == 1, result.stderr  # asked once, said once, however many lookups
    assert hanging_keyring.calls == ["get"]


def test_chat_skips_it_and_uses_the_key_from_the_environment(
    silent_keyring: None, server: LocalServer
) -> None:
    env = {**HANGING, **venice(server), "VENICE_API_KEY": CANARY}
    result = run_cli("chat", "-m", "venice/llama-3.3-70b", "hi", env=env)
    assert result.code == 0, result.output
    assert result.stdout == "Hello.\n"


def test_chat_without_a_key_elsewhere_names_what_to_do(silent_keyring: None) -> None:
    result = run_cli("chat", "-m", "venice/llama-3.3-70b", "hi", env=HANGING)
    assert result.code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(SILENT) and lines[-1].startswith("Error: no Venice AI API key")
    assert len(lines) == 2, result.stderr


def test_onboard_does_not_wait_for_it_to_store_the_key(silent_keyring: None) -> None:
    args = ("onboard", "--auth-choice", "venice-api-key", "--non-interactive", "--json")
    result = run_cli(*args, "--venice-api-key", CANARY, env=HANGING)
    assert result.code == 1
    assert result.stderr.splitlines()[-1].startswith("Error: no usable system keyring")
    assert any(line.startswith(SILENT) for line in result.stderr.splitlines())
    assert "set" in hanging_keyring.calls


@pytest.mark.filterwarnings("ignore:PBKDF2 without:DeprecationWarning")  # keyrings.alt's own
def test_a_password_prompt_of_the_keyring_is_not_cut_off(
    silent_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal, a keyring that asks for its password (keyrings.alt's EncryptedKeyring,
    through getpass) waits for the person typing it, however long past the bound they take;
    the bound is for a backend nobody can answer."""
    import getpass

    from tests.support.terminal import shown_in_process
    from tests.test_no_prompts import ASKING, locked_keyring_holding_a_key

    locked_keyring_holding_a_key(monkeypatch)
    typed: list[str] = []

    def person(prompt: str = "", stream: object = None) -> str:
        threading.Event().wait(5 * BOUND)  # reads the prompt, finds the password, types it
        typed.append(prompt)
        return "keyring password"

    monkeypatch.setattr(getpass, "getpass", person)
    code, shown = shown_in_process("models", "status", env={**ASKING, "VENICE_API_KEY": ""})
    assert b"did not answer" not in shown, shown.decode()
    assert code == 0, shown.decode()
    assert typed, "the keyring never asked"
    assert b"venice: key from the keyring (VENICE_API_KEY);" in shown


def test_on_a_terminal_a_silent_keyring_is_still_skipped(silent_keyring: None) -> None:
    from tests.support.terminal import shown_in_process

    code, shown = shown_in_process("models", "status", env={**HANGING, "VENICE_API_KEY": ""})
    assert code == 0, shown.decode()
    assert shown.decode().count(SILENT) == 1
    assert hanging_keyring.calls == ["get"]


# -- what the console script reads and writes, as a process --------------------------------

LIMIT = 1 << 30  # address space for a probe: a read that grows without bound hits it


def probe(
    *args: str,
    env: dict[str, str] | None = None,
    stdin: Any = subprocess.DEVNULL,
    stdout: Any = subprocess.PIPE,
    close: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """The console script with a bounded address space and a time limit (a probe that grows
    or hangs fails here instead of taking the machine down); ``close``: a standard stream
    closed before it starts, as the shell's ``>&-`` does."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))
        if close is not None:
            os.close(close)

    return subprocess.run(
        [str(OPENCLAW), *args], stdin=stdin, stdout=stdout, stderr=subprocess.PIPE,
        text=True, env={**os.environ, **(env or {})}, timeout=60, preexec_fn=limit,
    )  # fmt: skip


def one_error_line(stderr: str) -> str:
    """The run's one ``Error:`` line; no traceback, nor Python's complaint at exit."""
    (line,) = [line for line in stderr.splitlines() if line.startswith("Error")]
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    return line


@pytest.mark.parametrize("kind", ["/dev/zero", "a FIFO", "a directory"])
def test_a_config_path_that_is_not_a_file_is_one_line(kind: str, tmp_path: Path) -> None:
    path = {"/dev/zero": Path("/dev/zero"), "a FIFO": tmp_path / "fifo", "a directory": tmp_path}
    if kind == "a FIFO":
        os.mkfifo(path[kind])  # no writer: opening it to read would wait for one
    result = probe("models", "list", env={"OPENCLAW_CONFIG_PATH": str(path[kind])})
    assert result.returncode == 1
    assert one_error_line(result.stderr) == (
        f"Error: {path[kind]} is not a regular file "
        f"({ {'/dev/zero': 'a character device'}.get(kind, kind)}); "
        "make it a JSON5 file, or point OPENCLAW_CONFIG_PATH at one"
    )


def test_a_config_larger_than_any_real_one_is_refused_unread(tmp_path: Path) -> None:
    huge = tmp_path / "openclaw.json"
    with huge.open("wb") as handle:  # sparse: 4 GiB of NULs that take no disk
        handle.truncate(4 << 30)
    result = probe("models", "list", env={"OPENCLAW_CONFIG_PATH": str(huge)})
    assert result.returncode == 1
    assert one_error_line(result.stderr).startswith(f"Error: {huge} holds more than 64 MiB;")


@pytest.mark.parametrize("which", ["answer", "failure"])
@pytest.mark.parametrize("kind", ["/dev/zero", "a FIFO"])
def test_a_cache_file_that_is_not_a_file_is_passed_over(which: str, kind: str) -> None:
    """The provider's cache of /models (or its memory of a failure) replaced by a FIFO or a
    link to /dev/zero: treated as no cache; the listing goes on from Venice or the bundle."""
    cache = ModelCache(provider_cache_dir("venice"), os.environ["VENICE_BASE_URL"])
    path = cache.path if which == "answer" else cache.failure_path
    path.parent.mkdir(parents=True)
    if kind == "a FIFO":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    result = probe("models", "list")
    assert result.returncode == 0, result.stderr
    assert "venice/llama-3.3-70b" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [("chat", "-m", "venice/llama-3.3-70b"), ("embed",)])
def test_endless_stdin_is_refused_after_the_first_16_mib(command: tuple[str, ...]) -> None:
    with open("/dev/zero") as endless:  # NUL characters: UTF-8 text that never ends
        result = probe(*command, stdin=endless, env={"VENICE_API_KEY": CANARY})
    assert result.returncode == 2
    assert one_error_line(result.stderr) == (
        "Error: stdin holds more than 16 Mi characters, more than any model reads; "
        "pass a shorter text"
    )


@pytest.mark.parametrize("args", [("models", "list"), ("--version",), ("models", "status")])
def test_a_closed_stdout_is_one_line(args: tuple[str, ...]) -> None:
    result = probe(*args, stdout=None, close=1)
    assert result.returncode == 1
    assert one_error_line(result.stderr) == (
        "Error: stdout is closed; run openclaw with stdout open (> /dev/null to discard its "
        "output)"
    )


@pytest.mark.parametrize("args", [("models", "list"), ("--version",), ("models", "status")])
def test_a_full_stdout_is_one_line(args: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:  # every write: ENOSPC
        result = probe(*args, stdout=full)
    assert result.returncode == 1
    assert one_error_line(result.stderr) == (
        "Error: cannot write the output: No space left on device; free the disk or send "
        "stdout elsewhere"
    )


def test_a_closed_stdin_or_stderr_is_no_crash() -> None:
    no_stdin = probe("chat", "-m", "venice/llama-3.3-70b", close=0)
    assert no_stdin.returncode == 1 and "Traceback" not in no_stdin.stderr
    assert one_error_line(no_stdin.stderr).startswith("Error: no Venice AI API key found")
    no_stderr = probe("models", "list", stdin=subprocess.DEVNULL, close=2)
    assert no_stderr.returncode == 0 and "venice/llama-3.3-70b" in no_stderr.stdout


# -- the other files the host and the provider read ----------------------------------------


def not_a_file(path: Path, kind: str) -> None:
    """``path`` made a FIFO nobody writes to, or a link to ``/dev/zero``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "a FIFO":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")


@pytest.mark.parametrize("kind", ["/dev/zero", "a FIFO"])
def test_an_auth_profile_file_that_is_not_a_file_is_no_key_source(kind: str) -> None:
    """TypeScript OpenClaw's older auth-profile file, the last key source: passed over."""
    from openclaw_venice.runtime.auth_store import profile_file

    not_a_file(profile_file(Path(os.environ["OPENCLAW_STATE_DIR"])), kind)
    result = probe("models", "status")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "venice: no API key (set VENICE_API_KEY" in result.stdout, result.stdout


@pytest.mark.parametrize("kind", ["/dev/zero", "a FIFO"])
def test_a_hermes_install_record_that_is_not_a_file_is_one_line(kind: str, tmp_path: Path) -> None:
    from openclaw_venice.runtime.hermes.install import PLUGINS, RECORD_NAME

    home = tmp_path / "hermes"
    not_a_file(home / PLUGINS / RECORD_NAME, kind)
    result = probe("hermes", "install", "--uninstall", env={"HERMES_HOME": str(home)})
    assert result.returncode == 1
    shown = {"/dev/zero": "a character device"}.get(kind, kind)
    assert one_error_line(result.stderr) == (
        f"Error: {home / PLUGINS / RECORD_NAME} is not a regular file ({shown}); "
        "remove it by hand to start over"
    )


def test_an_installed_hermes_file_replaced_by_a_fifo_is_kept_unread(tmp_path: Path) -> None:
    home = tmp_path / "hermes"
    env = {"HERMES_HOME": str(home)}
    assert run_cli("hermes", "install", env=env).code == 0
    manifest = next((home / "plugins" / "model-providers").glob("*/plugin.yaml"))
    manifest.unlink()
    os.mkfifo(manifest)  # nobody writes: reading it to compare would wait forever
    result = probe("hermes", "install", "--uninstall", env=env)
    assert result.returncode == 0, result.stderr
    assert f"kept {manifest}: it changed since `openclaw hermes install` wrote it" in result.stderr
    assert manifest.exists()


# -- the gateway's files: its token, its run record, the runtime configs connect edits --------


@pytest.mark.parametrize("kind", ["/dev/zero", "a FIFO"])
def test_a_gateway_token_that_is_not_a_file_is_one_line(kind: str, tmp_path: Path) -> None:
    token = Path(os.environ["OPENCLAW_STATE_DIR"]) / "gateway" / "token"
    not_a_file(token, kind)
    result = probe("connect", "hermes", env={"HERMES_HOME": str(tmp_path / "hermes")})
    assert result.returncode == 1
    shown = {"/dev/zero": "a character device"}.get(kind, kind)
    assert one_error_line(result.stderr) == (
        f"Error: {token} is not a regular file ({shown}); remove it, or put a regular file there"
    )


@pytest.mark.parametrize("kind", ["/dev/zero", "a FIFO"])
def test_a_runtime_config_that_is_not_a_file_is_left_alone(kind: str, tmp_path: Path) -> None:
    config = tmp_path / "hermes" / "config.yaml"
    not_a_file(config, kind)
    result = probe("connect", "hermes", env={"HERMES_HOME": str(config.parent)})
    assert result.returncode == 1
    shown = {"/dev/zero": "a character device"}.get(kind, kind)
    assert one_error_line(result.stderr) == (
        f"Error: cannot read {config}: {config} is not a regular file ({shown})"
    )


@pytest.mark.parametrize("kind", ["/dev/zero", "a FIFO"])
def test_gateway_records_that_are_not_files_are_no_record(kind: str, tmp_path: Path) -> None:
    """``serve --status`` and ``connect --undo`` read what an earlier run recorded."""
    from openclaw_venice.runtime.gateway.connect import record_path

    state = Path(os.environ["OPENCLAW_STATE_DIR"])
    not_a_file(state / "gateway" / "serve.json", kind)
    status = probe("serve", "--status")
    assert (status.returncode, status.stdout) == (1, "openclaw serve is not running\n")
    not_a_file(record_path(state, "hermes"), kind)
    undo = probe("connect", "hermes", "--undo", env={"HERMES_HOME": str(tmp_path / "hermes")})
    assert undo.returncode == 1
    assert "was not connected by `openclaw connect hermes`" in one_error_line(undo.stderr)
