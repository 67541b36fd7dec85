"""The keys TypeScript OpenClaw keeps itself, read (never written) so that a key onboarded
there works here too.

* 2026.9 and later: its state database ``<state dir>/state/openclaw.sqlite``, table
  ``config_machine_state``, row ``authProfiles.store``, whose ``value_json`` is
  ``{"version": 1, "profiles": {"venice:default": {"type": "api_key", "provider": "venice",
  "key": "..."}}}``. Opened read-only (``mode=ro``) with the standard library's sqlite3:
  nothing here can change it, and a database that is missing, locked past a moment, of an
  unknown shape or unreadable is simply not a source.
* Earlier versions: ``<state dir>/agents/main/agent/auth-profiles.json``, same
  ``profiles`` shape.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

STORE_ROW = "authProfiles.store"
_KEY_FIELDS = ("key", "apiKey", "token")


def state_database(state_dir: Path) -> Path:
    return state_dir / "state" / "openclaw.sqlite"


def profile_file(state_dir: Path) -> Path:
    """Where TypeScript OpenClaw before 2026.9 kept the default agent's credentials."""
    return state_dir / "agents" / "main" / "agent" / "auth-profiles.json"


def database_store(database: Path) -> Mapping[str, Any] | None:
    """The auth-profile store row of TypeScript OpenClaw's state database, parsed; None when
    there is none or it cannot be read."""
    if not database.is_file():
        return None
    import sqlite3

    try:
        connection = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return None
    try:
        row = connection.execute(
            "SELECT value_json FROM config_machine_state WHERE state_key = ?", (STORE_ROW,)
        ).fetchone()
    except sqlite3.Error:  # no such table, locked, corrupt, not a database
        return None
    finally:
        connection.close()
    return _object(row[0]) if row and isinstance(row[0], str) else None


def file_store(path: Path) -> Mapping[str, Any] | None:
    """The older auth-profile file, parsed; None when it is missing, unreadable, not a
    regular file (a FIFO would block, ``/dev/zero`` never ends) or larger than a config."""
    from .config_file import read_regular

    try:
        return _object(read_regular(path).decode("utf-8", errors="replace"))
    except OSError:
        return None


def _object(text: str) -> Mapping[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, Mapping) else None


def stored_key(store: Mapping[str, Any] | None, profile_id: str) -> str | None:
    """The key a store holds for ``profile_id`` (an API key, or a token), else None."""
    profiles = store.get("profiles") if store else None
    entry = profiles.get(profile_id) if isinstance(profiles, Mapping) else None
    if not isinstance(entry, Mapping):
        return None
    for field in _KEY_FIELDS:
        value = entry.get(field)
        if isinstance(value, str) and value.strip():
            return value
    return None


def database_key(state_dir: Path | None, profile_id: str) -> str | None:
    if state_dir is None:
        return None
    return stored_key(database_store(state_database(state_dir)), profile_id)


def file_key(state_dir: Path | None, profile_id: str) -> str | None:
    if state_dir is None:
        return None
    return stored_key(file_store(profile_file(state_dir)), profile_id)
