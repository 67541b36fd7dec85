"""Edits to the config file: (key path, value) pairs, applied under a lock, saved atomically.

The file is re-read under an exclusive lock before the edits are applied, so two processes
editing at once both land (the second sees the first's result) and neither corrupts the
file. The edits are made on the text itself, keeping comments, formatting and unknown keys;
only if that is impossible (the result would not parse to the intended data) is the file
rewritten as plain JSON, and the caller is told the old text, comments and all, is in
``openclaw.json.bak``; a later save never overwrites a ``.bak`` holding commented text with
the uncommented rewrite. A read-only file is not edited at all.
"""

from __future__ import annotations

import copy
import json
import math
import os
import stat
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config_file import (
    ConfigDocument,
    get_path,
    load_config,
    parse_config_text,
    read_regular,
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
    """``data`` with each edit set, creating objects along the way. Only the objects on an
    edited path are copied; the rest is shared with ``data`` (neither is changed after)."""
    result: dict[str, Any] = dict(data)
    for keys, value in edits:
        node = result
        for depth, key in enumerate(keys[:-1]):
            child = node.get(key)
            if child is None:
                child = {}
            elif not isinstance(child, dict):
                where = ".".join(keys[: depth + 1])
                raise ConfigValueError(where, "expected an object; fix or remove it")
            else:
                child = dict(child)
            node[key] = child
            node = child
        node[keys[-1]] = copy.deepcopy(value)
    return result


def render(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def same(a: Any, b: Any) -> bool:
    """``a == b``, with NaN equal to NaN (a config may hold ``NaN``)."""
    if a is b or a == b:
        return True
    if isinstance(a, float) and isinstance(b, float):
        return math.isnan(a) and math.isnan(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return False


def edit_text(text: str, edits: Sequence[Edit], data: Mapping[str, Any]) -> str | None:
    """``text`` (which parses to ``data``) with the edits made in place, or None when that
    cannot be done faithfully. Each edit is checked where it was made: the object that holds
    it must parse to what it should (the rest of the text is unchanged)."""
    from .json5_edit import EditError, set_value

    try:
        for keys, value in edits:
            data = apply_edits(data, [(keys, value)])
            edited = set_value(text, keys, value)
            holder = get_path(data, *edited.path) if edited.path else data
            fragment = edited.text[edited.start : edited.end]
            if not same(parse_config_text(fragment), holder):
                return None
            text = edited.text
    except (EditError, ConfigError, ValueError, RecursionError):
        return None
    return text


def save_edits(
    doc: ConfigDocument,
    edits: Sequence[Edit],
    moved: Mapping[str, str] | None = None,
    say: Callable[[str], None] | None = None,
) -> SaveResult:
    """Apply ``edits`` to the file at ``doc.path`` as it is now, and write it atomically.

    ``moved``: secrets the edits take out of the file (a key moved to the keyring), each with
    the text that stands for it now (its ``${VAR}``); no file this writes still holds one,
    the ``.bak`` included (see ``config_scrub``). A symlinked config is edited where the
    link points (the link stays). The file is locked as TypeScript OpenClaw locks it
    (``config_lock``); ``say`` hears the one line said while another writer is waited for."""
    from .config_lock import config_lock
    from .config_model import validate_owned

    target = Path(os.path.realpath(doc.path))
    with config_lock(doc.path, say=say):
        current = load_config(target, known=doc)
        refuse_read_only(target, doc.path)
        edits = [e for e in edits if not _already(current.data, e)]
        expected = apply_edits(current.data, edits)
        validate_owned(expected, str(doc.path))  # never write what the next read refuses
        if not edits and current.exists:
            if moved:  # nothing to change in the file; an older .bak may still hold a secret
                _scrub_file(target.with_name(target.name + ".bak"), moved)
            return SaveResult(
                ConfigDocument(doc.path, current.data, current.text, current.bom), True
            )
        text = edit_text(current.text, edits, current.data) if current.text.strip() else None
        kept = text is not None or not current.text.strip()
        if text is None:
            text = render(expected)
        keep, backup_text = _backup(target, current.text, moved or {})
        if moved:
            text, expected = _scrubbed(text, expected, moved)
        write_atomic(target, text, bom=current.bom, keep_backup=keep, backup_text=backup_text)
    return SaveResult(ConfigDocument(doc.path, expected, text, current.bom), kept)


def refuse_read_only(path: Path, shown: Path) -> None:
    """A config the user made read-only (no write bit) is theirs to keep as it is."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    if not mode & stat.S_IWUSR or not os.access(path, os.W_OK):
        raise ConfigError(
            f"{shown} is read-only; nothing was changed (chmod u+w {shown} to allow edits)"
        )


def _already(data: Mapping[str, Any], edit: Edit) -> bool:
    keys, value = edit
    parent = get_path(data, *keys[:-1]) if len(keys) > 1 else data
    return isinstance(parent, Mapping) and keys[-1] in parent and same(parent[keys[-1]], value)


def _backup(path: Path, text: str, moved: Mapping[str, str]) -> tuple[bool, str | None]:
    """Whether the file's text is kept as its ``.bak``, and the backup's text when it is not
    the file byte for byte (a moved secret taken out). An older ``.bak`` that stays is
    cleaned of moved secrets too; one that cannot be is removed."""
    from .config_scrub import scrub

    backup = path.with_name(path.name + ".bak")
    precious = _backup_is_precious(path, text)
    if not moved or not text:
        return not precious, None
    clean = None if precious else scrub(read_regular(path).decode("utf-8"), moved)
    if clean is None:  # the older .bak stays: take the secret out of it (or it goes)
        _scrub_file(backup, moved)
    return clean is not None, clean


def _scrub_file(path: Path, moved: Mapping[str, str]) -> None:
    from .config_scrub import scrub

    try:
        raw = read_regular(path)
    except FileNotFoundError:
        return
    except OSError:  # not a file we wrote (a FIFO, a device): no copy of the key in it
        return
    try:
        clean = scrub(raw.decode("utf-8"), moved)
    except UnicodeDecodeError:
        clean = None
    if clean is None:
        path.unlink(missing_ok=True)
    elif clean.encode("utf-8") != raw:
        write_atomic(path, clean, keep_backup=False)


def _scrubbed(
    text: str, data: dict[str, Any], moved: Mapping[str, str]
) -> tuple[str, dict[str, Any]]:
    """The new text with moved secrets taken out of what else holds them (a comment, say);
    as it is when they are only in places this cannot rewrite faithfully."""
    from .config_scrub import scrub

    clean = scrub(text, moved)
    if clean is None or clean == text:
        return text, data
    return clean, parse_config_text(clean)


def _backup_is_precious(path: Path, text: str) -> bool:
    """The ``.bak`` holds commented text and the file to back up has none: that ``.bak`` is
    the only copy of the user's comments (from an earlier unavoidable rewrite); keep it."""
    from .json5_edit import has_comments

    backup = path.with_name(path.name + ".bak")
    if has_comments(text) or not backup.exists():
        return False
    try:
        return has_comments(read_regular(backup).decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return False
