"""Secret hygiene: one canary key for the whole suite, and where to look for it.

Tests that need a Venice key use :data:`CANARY`. The suite fails when the canary shows up in
captured stdout/stderr/log records of any test, in a failure's text, in a warning, in a test
id, in the output of a CLI subprocess (checked by ``run_cli``), or in a file a test wrote:
the temp dirs (``tmp_path`` and ``TMPDIR``, which conftest points below pytest's base temp
dir), Hypothesis' database, pytest's cache, and the real user's openclaw and keyring dirs
(:func:`outside_dirs`, which an isolated test never touches). Files a test declared as
secret stores (the keyring file, or a config whose ``env`` block the user asked us to use)
are allowed; a declaration is also written to the process's base temp dir, so that the
controller of ``pytest -n``, which scans, sees those made in its workers. Where it is found,
it is shown as ``<CANARY>``.

``TEST_SECRET_CANARY`` replaces the canary: the suite's own self-test runs an inner session
with another one, so that the outer session does not see the leaks it plants.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

CANARY = os.environ.get("TEST_SECRET_CANARY") or "vapi_CANARY-7c1e-do-not-print-9b4d"
MASK = "<CANARY>"
DECLARED = "secret-stores.txt"  # in a base temp dir: the secret stores declared there
allowed_files: set[Path] = set()
_declarations: Path | None = None


def redact(text: str) -> str:
    return text.replace(CANARY, MASK)


def outside_dirs() -> list[Path]:
    """Where the CLI would write for the real user (call before any test changes HOME/XDG)."""
    from platformdirs import user_cache_dir, user_config_dir, user_data_dir

    return [
        Path.home() / ".openclaw",
        Path(user_cache_dir("openclaw", appauthor=False)),
        Path(user_config_dir("openclaw", appauthor=False)),
        Path(user_data_dir("python_keyring", appauthor=False)),  # keyrings.alt's files
    ]


def declare_in(base_temp: Path) -> None:
    """Write this process's declarations to ``base_temp`` too (conftest calls it)."""
    global _declarations
    _declarations = base_temp / DECLARED


def allow_secret_in(path: Path) -> None:
    """Declare ``path`` a place where the key is meant to be stored."""
    resolved = path.resolve()
    allowed_files.add(resolved)
    if _declarations is not None:
        with _declarations.open("a", encoding="utf-8") as listing:
            listing.write(f"{resolved}\n")


def declared_below(root: Path) -> set[Path]:
    """The secret stores declared in ``root`` and in each base temp dir just below it (a
    worker's, ``popen-gw0``...)."""
    listings = [root / DECLARED, *root.glob(f"*/{DECLARED}")]
    return {
        Path(line)
        for listing in listings
        if listing.is_file()
        for line in listing.read_text(encoding="utf-8").splitlines()
    }


def leaks_in_texts(texts: Iterable[tuple[str, str]]) -> list[str]:
    return [name for name, text in texts if CANARY in text]


def leaks_in_tree(root: Path, *, key_stores: bool = True) -> list[Path]:
    """Files below ``root`` that hold the canary, except declared secret stores and (unless
    ``key_stores`` is False) the keyring backend's own file. Links are not followed."""
    found = []
    needle = CANARY.encode()
    allowed = allowed_files | declared_below(root)
    for directory, _, names in os.walk(root):
        real = Path(os.path.realpath(directory))
        for name in names:
            path = Path(directory, name)
            if not path.is_file() or path.is_symlink() or real / name in allowed:
                continue
            if key_stores and ("keyring" in name or "keyring" in path.parent.name):
                continue  # the keyring backend's own file is where the key belongs
            try:
                if _holds(path, needle):
                    found.append(path)
            except OSError:
                continue
    return found


def _holds(path: Path, needle: bytes, chunk: int = 1 << 20) -> bool:
    """Whether the file holds ``needle``: read a MiB at a time, and only where it has data
    (a sparse file's holes are zeros: a test's 4 GiB config probe costs nothing here)."""
    keep = len(needle) - 1
    with path.open("rb") as file:
        fd, at = file.fileno(), 0
        size = os.fstat(fd).st_size
        while at < size:
            start, end = _data_after(fd, at, size)
            tail = b""
            while start < end:
                data = os.pread(fd, min(chunk, end - start), start)
                if not data:
                    break
                if needle in tail + data:
                    return True
                tail, start = data[-keep:], start + len(data)
            at = end
    return False


def _data_after(fd: int, at: int, size: int) -> tuple[int, int]:
    """The next stretch of data from ``at``: (start, end); (size, size) when only holes
    remain. Where the file system cannot tell, all of it is data."""
    try:
        start = os.lseek(fd, at, os.SEEK_DATA)
    except OSError as exc:
        import errno

        return (size, size) if exc.errno == errno.ENXIO else (at, size)
    return start, os.lseek(fd, start, os.SEEK_HOLE)
