"""The lock on the config file, shared with TypeScript OpenClaw.

TypeScript OpenClaw (2026.9.6; its ``@openclaw/fs-safe`` sidecar lock, ``src/config/
write-lock.ts``) locks ``openclaw.json`` by creating ``openclaw.json.lock`` beside it
exclusively (``O_CREAT|O_EXCL``, mode 0600) and writing its owner into it::

    {
      "pid": 4242,
      "createdAt": "2026-09-06T10:00:00.000Z",
      "starttime": 123456
    }
    <8 tabs + 128 tabs/spaces: a random ownership token>

The file existing *is* the lock; releasing it removes it. A lock whose owner is dead (no
such pid, or a pid whose start time differs from ``starttime``, i.e. reused) is stale and
removed by the next writer, under a ``<lock>.reclaim`` directory guard; a lock without a
pid is stale once ``createdAt`` is 30 s old; one with neither (an empty file) is never
stale for TypeScript, which then waits ~27 s and fails with "file lock timeout".

We take the lock the same way, with the same payload (the start time read as TypeScript
reads it: field 22 of ``/proc/<pid>/stat`` on Linux), so each side waits for the other and
nothing is left behind. An empty lock file that an earlier version of this package left
(it locked with ``flock`` and kept the file) is removed once nobody holds it. A lock
another live process holds is waited for, with one line said, up to a bound; then the
save fails with one line saying what to do.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from .errors import ConfigError

WAIT_SECONDS = 30.0  # TypeScript's own stale threshold for its config lock (staleMs)
STALE_SECONDS = 30.0  # a lock without a pid, by its createdAt
_LEFTOVER_SECONDS = 2.0  # an empty lock this old is no writer between create and write
_TOKEN_BITS = 128

Say = Callable[[str], None]


def lock_path(config: Path) -> Path:
    """Where TypeScript OpenClaw puts the lock: beside the config, in its directory's real
    path (a symlinked directory is resolved; the file's own name is kept)."""
    directory = Path(os.path.realpath(config.parent))
    return directory / (config.name + ".lock")


def owner_payload(pid: int | None = None) -> dict[str, Any]:
    """The owner record TypeScript writes: pid, createdAt (ISO, milliseconds, Z) and, where
    the platform tells it, the process start time."""
    pid = os.getpid() if pid is None else pid
    now = datetime.now(UTC)
    payload: dict[str, Any] = {
        "pid": pid,
        "createdAt": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
    }
    started = process_start_time(pid)
    if started is not None:
        payload["starttime"] = started
    return payload


def lock_text(payload: Mapping[str, Any]) -> str:
    """``JSON.stringify(payload, null, 2)``, a line break, the ownership token, a break."""
    bits = secrets.randbits(_TOKEN_BITS)
    token = "\t" * 8 + "".join(
        "\t" if bits >> (_TOKEN_BITS - 1 - i) & 1 else " " for i in range(_TOKEN_BITS)
    )
    return json.dumps(dict(payload), indent=2, ensure_ascii=False) + "\n" + token + "\n"


def process_start_time(pid: int) -> int | None:
    """The start time TypeScript records for ``pid`` on Linux (clock ticks since boot, field
    22 of ``/proc/<pid>/stat``); None elsewhere or when it cannot be read."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 1 :].split()
    try:
        value = int(fields[19])
    except (IndexError, ValueError):
        return None
    return value if value >= 0 else None


def _pid_dead(pid: int) -> bool:
    """No process has ``pid`` (or only a zombie does); False when unsure."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # someone else's live process
    except OSError:
        return False
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    states = [line.split()[1:2] for line in status.splitlines() if line.startswith("State:")]
    return states[:1] == [["Z"]]


class Snapshot(NamedTuple):
    raw: bytes
    inode: int
    device: int
    mtime: float


def _read(path: Path) -> Snapshot | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(
            f"cannot read the config lock {path}: {exc.strerror}; check its permissions"
        ) from None
    try:
        info = os.fstat(fd)
        raw = os.read(fd, 1 << 20)
    finally:
        os.close(fd)
    return Snapshot(raw, info.st_ino, info.st_dev, info.st_mtime)


def _payload(raw: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _owner(payload: Mapping[str, Any] | None) -> int | None:
    pid = payload.get("pid") if payload else None
    return pid if isinstance(pid, int) and not isinstance(pid, bool) and pid > 0 else None


def is_stale(snapshot: Snapshot, now: float | None = None) -> bool:
    """Whether the lock's owner is gone, by TypeScript's rules; an empty (or unreadable)
    file is a leftover once it is a moment old and nobody ``flock``s it."""
    now = time.time() if now is None else now
    payload = _payload(snapshot.raw)
    pid = _owner(payload)
    if pid is not None:
        recorded = payload.get("starttime") if payload else None
        if isinstance(recorded, int) and not isinstance(recorded, bool):
            observed = process_start_time(pid)
            if observed is not None and observed != recorded:
                return True  # the pid was reused by another process
        return _pid_dead(pid)
    created = payload.get("createdAt") if payload else None
    if isinstance(created, str):
        try:
            stamp = datetime.fromisoformat(created.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return True  # TypeScript: an unparsable createdAt is expired
        return now - stamp > STALE_SECONDS
    return now - snapshot.mtime > _LEFTOVER_SECONDS


def _unflocked(path: Path) -> bool:
    """Nobody holds an ``flock`` on ``path`` (an earlier version of ours locked so)."""
    try:
        import fcntl
    except ImportError:
        return True
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(fd)  # closing releases it
    return True


def _reclaim(path: Path, seen: Snapshot) -> None:
    """Remove the stale lock ``seen`` if it is still that very file, under TypeScript's
    reclaim guard (a directory ``<lock>.reclaim``) so that two reclaimers never remove a
    lock a third process has just taken."""
    guard = path.with_name(path.name + ".reclaim")
    try:
        guard.mkdir(mode=0o700)
    except FileExistsError:
        return
    except OSError:
        return
    try:
        now = _read(path)
        if now is not None and now.raw == seen.raw and now.inode == seen.inode:
            path.unlink(missing_ok=True)
    finally:
        guard.rmdir()


def _reclaiming(path: Path, now: float) -> bool:
    """Another writer is removing a stale lock (its guard exists): wait, as TypeScript
    does. A guard a killed reclaimer left (one lives for milliseconds) is removed."""
    guard = path.with_name(path.name + ".reclaim")
    try:
        age = now - guard.stat().st_mtime
    except FileNotFoundError:
        return False
    if age > STALE_SECONDS:
        with suppress(OSError):
            guard.rmdir()
        return False
    return True


@contextmanager
def config_lock(
    config: Path, *, wait: float = WAIT_SECONDS, say: Say | None = None
) -> Iterator[Path]:
    """Hold the config's lock (TypeScript OpenClaw's protocol) while the block runs; yields
    the lock file's path. Waits for a live holder up to ``wait`` seconds, telling ``say``
    once (one line); then raises :class:`ConfigError` (one line, what to do)."""
    from .config_file import make_private_dir

    make_private_dir(config.parent)
    path = lock_path(config)
    text = lock_text(owner_payload())
    started = time.monotonic()
    delay, told = 0.025, False
    while True:
        seen: Snapshot | None = None
        if not _reclaiming(path, time.time()):
            fd = _create(path)
            if fd is not None:
                break
            seen = _read(path)
            if seen is None:
                continue  # released between our create and our read: at once again
            if is_stale(seen) and _unflocked(path):
                _reclaim(path, seen)
                continue
        holder = _owner(_payload(seen.raw)) if seen is not None else None
        by = f" (held by process {holder})" if holder else ""
        if time.monotonic() - started >= wait:
            raise ConfigError(
                f"{config} is being written by another process{by}; nothing was changed. "
                f"Try again when it has finished (if no openclaw is running, remove {path})"
            )
        if not told and say is not None:
            say(f"waiting for another process{by} to finish writing {config} ...")
            told = True
        time.sleep(delay)
        delay = min(delay * 1.5, 0.25)
    try:
        _hold(fd, text)
        yield path
    finally:
        _release(path, text.encode("utf-8"), fd)


def _create(path: Path) -> int | None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        return os.open(path, flags, 0o600)
    except FileExistsError:
        return None
    except OSError as exc:
        raise ConfigError(
            f"cannot lock the config ({path}): {exc.strerror}; check the directory's permissions"
        ) from None


def _hold(fd: int, text: str) -> None:
    """Write the owner record; also ``flock`` the file, so that an earlier version of this
    package (which locked with ``flock`` alone) waits for us too."""
    os.write(fd, text.encode("utf-8"))
    try:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (ImportError, OSError):
        pass


def _release(path: Path, raw: bytes, fd: int) -> None:
    """Remove the lock if it is still ours (the same bytes: token and all)."""
    try:
        now = _read(path)
        if now is not None and now.raw == raw:
            path.unlink(missing_ok=True)
    finally:
        os.close(fd)
