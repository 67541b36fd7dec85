"""The config lock is TypeScript OpenClaw's (issue 24 item 1).

TypeScript OpenClaw 2026.9.6 locks ``openclaw.json`` with a sidecar ``openclaw.json.lock``
it creates exclusively and fills with its owner (``{pid, createdAt, starttime}`` and an
ownership token; read in its npm package: ``@openclaw/fs-safe`` ``sidecar-lock-*.js``,
``dist/io.snapshot-*.mjs`` ``CONFIG_MUTATION_LOCK_OPTIONS``). It treats an existing file
as held, and one without a pid or a createdAt (the empty file earlier versions of ours left
behind) as held for ever: every TypeScript config write then failed with "file lock
timeout" after ~27 s. Here: we leave nothing behind, our lock file while we hold it is one
TypeScript reads as a live owner, a live TypeScript lock is waited for (one line, bounded),
and a dead one is reclaimed by TypeScript's rules.
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from openclaw_venice.runtime.config_edit import save_edits
from openclaw_venice.runtime.config_file import load_config
from openclaw_venice.runtime.config_lock import config_lock
from openclaw_venice.runtime.errors import ConfigError
from tests.conftest import OPENCLAW, run_cli

ONBOARD = ("onboard", "--auth-choice", "venice-api-key", "--non-interactive")
TOKEN_LINE = re.compile(r"^\t{8}[ \t]{128}$")


def state() -> Path:
    return Path(os.environ["OPENCLAW_STATE_DIR"])


def lock_files() -> list[str]:
    return sorted(p.name for p in state().iterdir() if ".lock" in p.name)


def proc_start_time(pid: int) -> int:
    """Field 22 of /proc/<pid>/stat, as TypeScript's ``getProcessStartTime`` reads it."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat[stat.rfind(")") + 1 :].split()[19])


def ts_lock(pid: int, starttime: int | None = None, created: str | None = None) -> str:
    """A lock file as TypeScript's ``serializeSidecarLockPayload`` writes it."""
    payload: dict[str, object] = {"pid": pid} if pid else {}
    payload["createdAt"] = created or time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    if starttime is not None:
        payload["starttime"] = starttime
    return json.dumps(payload, indent=2) + "\n" + "\t" * 8 + " \t" * 64 + "\n"


@pytest.fixture
def holder() -> Iterator[subprocess.Popen[bytes]]:
    """A live process that stands for a TypeScript writer holding the lock."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc
    proc.kill()
    proc.wait()


def test_onboard_and_models_set_leave_no_lock_behind() -> None:
    """After each write, nothing is left that TypeScript would read as held."""
    result = run_cli(*ONBOARD, "--venice-api-key", "vk-lock-test")
    assert result.code == 0, result.output
    assert (state() / "openclaw.json").exists()
    assert lock_files() == []
    result = run_cli("models", "set", "venice/llama-3.3-70b")
    assert result.code == 0, result.output
    assert lock_files() == []


def test_while_we_write_the_lock_names_a_live_owner_typescript_recognises() -> None:
    config = state() / "openclaw.json"
    with config_lock(config) as path:
        raw = path.read_text()
        mode = path.stat().st_mode & 0o777
    body, token, end = raw.rsplit("\n", 2)
    payload = json.loads(body)
    assert payload["pid"] == os.getpid()
    assert payload["starttime"] == proc_start_time(os.getpid())
    created = time.mktime(time.strptime(payload["createdAt"][:19], "%Y-%m-%dT%H:%M:%S"))
    assert abs(created - time.mktime(time.gmtime())) < 60
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", payload["createdAt"])
    assert TOKEN_LINE.match(token) and end == ""
    assert body == json.dumps(payload, indent=2)  # JSON.stringify(payload, null, 2)
    assert mode == 0o600
    assert not path.exists()


def test_a_live_typescript_lock_is_waited_for_with_one_line(
    holder: subprocess.Popen[bytes],
) -> None:
    """``models set`` while a TypeScript writer holds the lock: it says so once, waits, and
    writes when the lock goes; the holder's lock is never touched meanwhile."""
    lock = state() / "openclaw.json.lock"
    state().mkdir(parents=True, exist_ok=True)
    held = ts_lock(holder.pid, proc_start_time(holder.pid))
    lock.write_text(held)
    writer = subprocess.Popen(
        [str(OPENCLAW), "models", "set", "venice/llama-3.3-70b"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(x) for x in writer.stderr or ()])
    reader.start()
    err: list[str] = []
    try:
        while not any("waiting" in line for line in err):
            err.append(lines.get(timeout=30))
        time.sleep(0.5)  # it keeps waiting: neither the file nor the lock is touched
        assert writer.poll() is None
        assert not (state() / "openclaw.json").exists()
        assert lock.read_text() == held
        lock.unlink()  # the TypeScript writer is done
        out = writer.stdout.read() if writer.stdout else ""
        writer.wait(timeout=30)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
        reader.join()
    err += list(lines.queue)
    assert writer.returncode == 0, out + "".join(err)
    waits = [line.rstrip("\n") for line in err if "waiting" in line]
    assert waits == [
        f"waiting for another process (held by process {holder.pid}) to finish writing "
        f"{state() / 'openclaw.json'} ..."
    ]
    assert "venice/llama-3.3-70b" in (state() / "openclaw.json").read_text()
    assert lock_files() == []


def test_a_lock_held_past_the_bound_fails_in_one_line(holder: subprocess.Popen[bytes]) -> None:
    config = state() / "openclaw.json"
    config.parent.mkdir(parents=True)
    lock = state() / "openclaw.json.lock"
    held = ts_lock(holder.pid, proc_start_time(holder.pid))
    lock.write_text(held)
    said: list[str] = []
    started = time.monotonic()
    with pytest.raises(ConfigError) as caught, config_lock(config, wait=0.5, say=said.append):
        pytest.fail("the lock was taken from a live holder")
    assert 0.5 <= time.monotonic() - started < 5
    message = str(caught.value)
    assert "\n" not in message and f"process {holder.pid}" in message and str(lock) in message
    assert len(said) == 1
    assert lock.read_text() == held


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


STALE = {
    "owner exited": lambda: ts_lock(dead_pid()),
    "pid reused by another process": lambda: ts_lock(os.getpid(), proc_start_time(os.getpid()) + 7),
    "no pid, createdAt 31 s old": lambda: ts_lock(
        0, created=time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() - 31))
    ),
    "empty, left by an earlier version of ours": lambda: "",
}


@pytest.mark.parametrize("case", list(STALE))
def test_a_stale_lock_is_reclaimed_and_the_write_lands(case: str) -> None:
    config = state() / "openclaw.json"
    config.parent.mkdir(parents=True)
    lock = state() / "openclaw.json.lock"
    lock.write_text(STALE[case]())
    old = time.time() - 60
    os.utime(lock, (old, old))
    started = time.monotonic()
    saved = save_edits(load_config(config), [(("agents", "defaults", "model"), "venice/x")])
    assert time.monotonic() - started < 3
    assert saved.document.data["agents"]["defaults"]["model"] == "venice/x"
    assert lock_files() == []


def test_an_empty_lock_an_earlier_version_of_ours_holds_is_waited_for() -> None:
    """Earlier versions locked with ``flock`` on an empty ``openclaw.json.lock``; while one
    of them holds it, the file is not a leftover."""
    import fcntl

    config = state() / "openclaw.json"
    config.parent.mkdir(parents=True)
    lock = state() / "openclaw.json.lock"
    lock.write_text("")
    old = time.time() - 60
    os.utime(lock, (old, old))
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(ConfigError), config_lock(config, wait=0.3):
            pytest.fail("took a lock an earlier version holds")
    finally:
        os.close(fd)
    with config_lock(config):
        pass
    assert lock_files() == []


def test_writers_in_threads_of_one_process_take_turns() -> None:
    """Our own pid is alive: a second writer in the same process waits for the first."""
    config = state() / "openclaw.json"
    order: list[str] = []
    inside = threading.Event()

    def first() -> None:
        with config_lock(config):
            order.append("first in")
            inside.set()
            time.sleep(0.3)
            order.append("first out")

    thread = threading.Thread(target=first)
    thread.start()
    inside.wait(5)
    with config_lock(config):
        order.append("second in")
    thread.join()
    assert order == ["first in", "first out", "second in"]
