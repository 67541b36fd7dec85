"""One entry-point group, read straight from the installed distributions' metadata.

``importlib.metadata.entry_points()`` imports ``email``, ``zipfile``, ``csv`` and more (about a
third of an offline ``openclaw models list``); the host needs only one group's
``name = module:attr`` lines. This reads ``*.dist-info/entry_points.txt`` (and ``*.egg-info``)
in ``sys.path`` order, the first distribution of a name winning, as importlib.metadata does.
"""

# no `from __future__ import annotations`: a named tuple's string annotations are each
# compiled when the class is made (typing.ForwardRef), several times the cost of real ones

import os
import sys
from collections.abc import Iterable
from importlib import import_module
from typing import Any, NamedTuple

_SUFFIXES = (".dist-info", ".egg-info")


class EntryPoint(NamedTuple):
    name: str
    value: str  # "module:attr.attr", and " [extras]" when the line names some
    group: str

    def load(self) -> Any:
        target = self.value.split("[", 1)[0]  # extras are not ours to judge
        module, _, attrs = target.partition(":")
        found: Any = import_module(module.strip())
        for attr in attrs.strip().split("."):
            if attr:
                found = getattr(found, attr)
        return found


def entry_points(group: str, path: Iterable[str] | None = None) -> list[EntryPoint]:
    """Every entry point of ``group`` of the distributions found on ``path`` (``sys.path``)."""
    seen: set[str] = set()
    found: list[EntryPoint] = []
    for entry in sys.path if path is None else path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:  # missing, not a directory, or a zip file: nothing to read here
            continue
        for name in names:
            if not name.endswith(_SUFFIXES):
                continue
            dist = name.split("-", 1)[0].lower().replace("-", "_").replace(".", "_")
            if dist in seen:
                continue
            seen.add(dist)
            found += _read(os.path.join(entry or ".", name, "entry_points.txt"), group)
    return found


def _read(file: str, group: str) -> list[EntryPoint]:
    try:
        with open(file, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeError):
        return []
    if group not in text:  # most distributions: no section of this group to parse
        return []
    section, points = "", []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == group and "=" in line:
            name, _, value = line.partition("=")
            points.append(EntryPoint(name.strip(), value.strip(), group))  # as importlib
    return points
