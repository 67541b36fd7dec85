"""``importlib.metadata.entry_points(group=...)``'s answer, remembered between runs.

Importing ``importlib.metadata`` (email, zipfile, csv, tempfile and more) and reading every
installed distribution's metadata cost an offline ``openclaw models list`` a third of its
time (benchmarks/shortcuts.py). So the library's answer is kept in the host's cache dir
beside a key of everything it was read from: the interpreter, ``sys.path`` (and the working
dir when ``""`` is on it), and the modification time of each path entry (importlib.metadata
itself reuses a directory's listing while that time holds: a distribution installed or
removed changes it) and of the ``entry_points.txt`` of each ``*.dist-info``, ``*.egg-info`` or
``EGG-INFO`` in it. When the key
differs, or a finder other than the path finders (the library's, and the importlib_metadata
backport's, which some packages install) lists distributions, the library is asked again and
its answer kept. Nothing here reads metadata itself: the answer is always the
library's (tests/test_entry_point_cache.py holds the two equal while distributions come, go
and change).
"""

# no `from __future__ import annotations`: a named tuple's string annotations are each
# compiled when the class is made (typing.ForwardRef), several times the cost of real ones
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any, NamedTuple

FILE_NAME = "entry-points.json"
_INFO = (".dist-info", ".egg-info")


class EntryPoint(NamedTuple):
    """One entry point as importlib.metadata read it: ``module`` and ``attr`` are its own
    parse of ``value`` (None when it could not parse it: :meth:`load` then asks it)."""

    name: str
    value: str
    group: str
    module: str | None
    attr: str | None

    def load(self) -> Any:
        """What ``importlib.metadata.EntryPoint.load`` returns (and raises)."""
        if self.module is None:
            from importlib.metadata import EntryPoint as Library

            return Library(self.name, self.value, self.group).load()
        import functools
        from importlib import import_module

        module = import_module(self.module)
        return functools.reduce(getattr, filter(None, (self.attr or "").split(".")), module)


def entry_points(group: str, cache_dir: Path | None) -> list[EntryPoint]:
    """The group's entry points, in importlib.metadata's order; remembered under
    ``cache_dir`` (None: not remembered)."""
    key = _key() if cache_dir is not None else None
    path = cache_dir / FILE_NAME if cache_dir is not None else None
    known = _read(path) if path is not None and key is not None else {}
    groups = known.get("groups") if known.get("key") == key else None
    if isinstance(groups, dict) and isinstance(groups.get(group), list):
        try:
            return [EntryPoint(*row) for row in groups[group]]
        except TypeError:
            pass  # not a file this module wrote: ask the library
    found = _from_library(group)
    if path is not None and key is not None:
        kept = groups if isinstance(groups, dict) else {}
        _write(path, {"key": key, "groups": {**kept, group: [list(ep) for ep in found]}})
    return found


def _from_library(group: str) -> list[EntryPoint]:
    from importlib.metadata import entry_points as library

    found = []
    for ep in library(group=group):
        module: str | None
        attr: str | None
        try:
            module, attr = ep.module, ep.attr
        except (AttributeError, ValueError):  # a value it cannot parse: raised when loaded
            module = attr = None
        found.append(EntryPoint(ep.name, ep.value, ep.group, module, attr))
    return found


def _key() -> list[Any] | None:
    """What the library's answer depends on; None when it depends on more than the path."""
    from importlib.machinery import PathFinder

    path_finders = (PathFinder, "importlib_metadata.MetadataPathFinder")  # the backport's too
    for finder in sys.meta_path:
        lists = getattr(finder, "find_distributions", None)
        if lists and finder is not PathFinder and _kind(finder) not in path_finders:
            return None
    key: list[Any] = [sys.executable, sys.version, list(sys.path)]
    if "" in sys.path:
        try:
            key.append(os.getcwd())
        except OSError:  # the working dir was removed: nothing to key the answer on
            return None
    for entry in sys.path:
        key.append(_entry_key(entry or "."))
    return key  # lists, text, numbers and None alone: equal to itself read back from JSON


def _kind(finder: object) -> str:
    kind = finder if isinstance(finder, type) else type(finder)
    return f"{kind.__module__}.{kind.__qualname__}"


def _entry_key(entry: str) -> list[Any]:
    try:
        stat = os.stat(entry)
    except OSError:
        return [None]
    times: list[Any] = [stat.st_mtime_ns]
    try:
        children = os.scandir(entry)
    except OSError:  # a zip file: its own time covers what is in it
        return times
    with children:
        base_is_egg = entry.lower().endswith(".egg")
        for child in children:
            low = child.name.lower()
            if low.endswith(_INFO) or (base_is_egg and low == "egg-info"):
                # (a dist-info made or removed changes the path entry's own time)
                times.append([child.name, _mtime(child.path, "entry_points.txt")])
    times.sort(key=str)
    return times


def _mtime(*parts: str) -> int | None:
    try:
        return os.stat(os.path.join(*parts)).st_mtime_ns
    except OSError:
        return None


def _read(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            data = json.loads(handle.read(4 << 20))
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(path: Path, data: dict[str, Any]) -> None:
    """Written whole or not at all (a temp file renamed into place); a cache dir that cannot
    be written only means the library is asked next time too."""
    from .config_file import make_private_dir

    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        make_private_dir(path.parent)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(data, separators=(",", ":")))
        os.replace(temp, path)
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink()

