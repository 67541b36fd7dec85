"""Secret hygiene: one canary key for the whole suite, and where to look for it.

Tests that need a Venice key use :data:`CANARY`. The suite fails when the canary shows up in
captured stdout/stderr/log records of any test, in a failure's text, in the output of a CLI
subprocess (checked by ``run_cli``), or in a file a test wrote, except files a test declared
as secret stores (the keyring file, or a config whose ``env`` block the user asked us to use).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

CANARY = "vapi_CANARY-7c1e-do-not-print-9b4d"
allowed_files: set[Path] = set()


def allow_secret_in(path: Path) -> None:
    """Declare ``path`` a place where the key is meant to be stored."""
    allowed_files.add(path.resolve())


def leaks_in_texts(texts: Iterable[tuple[str, str]]) -> list[str]:
    return [name for name, text in texts if CANARY in text]


def leaks_in_tree(root: Path) -> list[Path]:
    """Files below ``root`` that hold the canary, except declared secret stores."""
    found = []
    needle = CANARY.encode()
    for path in root.rglob("*"):
        if not path.is_file() or path.is_symlink() or path.resolve() in allowed_files:
            continue
        if "keyring" in path.name or "keyring" in path.parent.name:
            continue  # the keyring backend's own file is where the key belongs
        try:
            if needle in path.read_bytes():
                found.append(path)
        except OSError:
            continue
    return found
