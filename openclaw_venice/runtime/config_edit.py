"""Edits to the config file: (key path, value) pairs, applied under a lock, saved atomically.

The file is re-read under an exclusive lock before the edits are applied, so two processes
editing at once both land (the second sees the first's result) and neither corrupts the
file. The edits are made on the text itself, keeping comments, formatting and unknown keys;
only if that is impossible (the result would not parse to the intended data) is the file
rewritten as plain JSON, and the caller is told the old text, comments and all, is in
``openclaw.json.bak``.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config_file import (
    ConfigDocument,
    load_config,
    make_private_dir,
    parse_config_text,
    write_atomic,
)
from .errors import ConfigError, ConfigValueError

KeyPath = tuple[str, ...]
Edit = tuple[KeyPath, Any]


@dataclass(frozen=True, slots=True)
class SaveResult:
    document: ConfigDocument
    comments_kept: bool  # False: the file was rewritten; the old text is in the .bak file


def apply_edits(data: Mapping[str, Any], edits: Sequence[Edit]) -> dict[str, Any]:
    """A deep copy of ``data`` with each edit set, creating objects along the way."""
    result: dict[str, Any] = copy.deepcopy(dict(data))
    for keys, value in edits:
        node = result
        for depth, key in enumerate(keys[:-1]):
            child = node.get(key)
            if child is None:
                child = node[key] = {}
            elif not isinstance(child, dict):
                where = ".".join(keys[: depth + 1])
                raise ConfigValueError(where, "expected an object; fix or remove it")
            node = child
        node[keys[-1]] = copy.deepcopy(value)
    return result


def render(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def edit_text(text: str, edits: Sequence[Edit], expected: Mapping[str, Any]) -> str | None:
    """``text`` with the edits made in place, or None when that cannot be done faithfully."""
    from .json5_edit import EditError, set_value

    try:
        for keys, value in edits:
            text = set_value(text, keys, value)
        if parse_config_text(text) == expected:
            return text
    except (EditError, ConfigError, ValueError):
        pass
    return None


@contextmanager
def config_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock on ``<config>.lock`` for the duration of a save."""
    import fcntl

    make_private_dir(path.parent)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def save_edits(doc: ConfigDocument, edits: Sequence[Edit]) -> SaveResult:
    """Apply ``edits`` to the file at ``doc.path`` as it is now, and write it atomically."""
    with config_lock(doc.path):
        current = load_config(doc.path)
        expected = apply_edits(current.data, edits)
        text = edit_text(current.text, edits, expected) if current.text.strip() else None
        kept = text is not None or not current.text.strip()
        if text is None:
            text = render(expected)
        write_atomic(doc.path, text)
    return SaveResult(ConfigDocument(doc.path, expected, text), kept)
