"""Edits to the config file as a list of (key path, value) pairs, applied and saved atomically.

Pure part: :func:`apply_edits` returns new data, leaving every key it was not told to touch
as it was.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from typing import Any

from .config_file import ConfigDocument, write_atomic
from .errors import ConfigValueError

KeyPath = tuple[str, ...]
Edit = tuple[KeyPath, Any]


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
        node[keys[-1]] = value
    return result


def render(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def save_edits(doc: ConfigDocument, edits: Sequence[Edit]) -> ConfigDocument:
    """Apply ``edits`` to ``doc`` and write the file atomically (old one kept as .bak)."""
    data = apply_edits(doc.data, edits)
    text = render(data)
    write_atomic(doc.path, text)
    return ConfigDocument(doc.path, data, text)
