"""``openclaw hermes install``: plugin folders Hermes Agent 0.19 loads, and their removal.

Each provider gets ``$HERMES_HOME/plugins/model-providers/<id>/`` with ``plugin.yaml``
(``kind: model-provider``) and an ``__init__.py`` that calls the bridge. A record beside them
(``.openclaw-hermes.json``: each file's digest, each directory made) lets ``--uninstall``
remove exactly what was written: a file changed since is kept and named.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..._version import __version__
from ..config_file import RefusedFile, read_regular, write_atomic
from ..errors import OpenClawError

PLUGINS = Path("plugins") / "model-providers"
RECORD_NAME = ".openclaw-hermes.json"
MARKER = "Written by `openclaw hermes install`"


class HermesInstallError(OpenClawError):
    pass


def hermes_home(env: Mapping[str, str]) -> Path:
    """Where Hermes keeps its state: ``HERMES_HOME``, else its platform default."""
    configured = env.get("HERMES_HOME", "").strip()
    if configured:
        return Path(configured).expanduser()
    if sys.platform == "win32":
        local = env.get("LOCALAPPDATA", "").strip()
        return (Path(local) if local else Path.home() / "AppData" / "Local") / "hermes"
    return Path.home() / ".hermes"


def plugin_files(provider_id: str, label: str, description: str) -> dict[str, str]:
    """The folder's files, by name."""
    init = (
        f'"""{label} for Hermes Agent, through the openclaw host\'s plugin contract.\n\n'
        f"{MARKER}; `openclaw hermes install --uninstall` removes it.\n"
        '"""\n\n'
        "from openclaw_venice.runtime.hermes.profile import register_profile\n\n"
        f"register_profile({provider_id!r})\n"
    )
    manifest = (
        f"# {MARKER}\n"
        f"name: {json.dumps(provider_id + '-openclaw')}\n"
        "kind: model-provider\n"
        f"version: {json.dumps(__version__)}\n"
        f"description: {json.dumps(description)}\n"
        "author: openclaw\n"
    )
    return {"__init__.py": init, "plugin.yaml": manifest}


@dataclass
class Record:
    files: dict[str, str] = field(default_factory=dict)  # path below home -> sha256
    dirs: list[str] = field(default_factory=list)  # made by install, outermost first

    @classmethod
    def load(cls, path: Path) -> Record | None:
        try:
            data = json.loads(read_regular(path).decode("utf-8"))
        except FileNotFoundError:
            return None
        except RefusedFile as exc:  # a FIFO, /dev/zero: never read
            raise HermesInstallError(f"{exc}; remove it by hand to start over") from None
        except (OSError, ValueError) as exc:
            raise HermesInstallError(
                f"{path} cannot be read ({exc}); remove it by hand to start over"
            ) from None
        files, dirs = data.get("files"), data.get("dirs")
        return cls(
            {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {},
            [str(d) for d in dirs] if isinstance(dirs, list) else [],
        )

    def dump(self) -> str:
        return json.dumps({"version": 1, "files": self.files, "dirs": self.dirs}, indent=2)


def _digest(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


def install(home: Path, providers: Sequence[tuple[str, str, str]]) -> list[Path]:
    """Write a folder per ``(id, label, description)``; returns the files written. A folder
    of that name that this command did not write is left alone (an error says so)."""
    plugins = home / PLUGINS
    record_path = plugins / RECORD_NAME
    record = Record.load(record_path) or Record()
    for provider_id, _label, _description in providers:
        folder = plugins / provider_id
        ours = any(p.startswith(f"{PLUGINS.as_posix()}/{provider_id}/") for p in record.files)
        if folder.exists() and not ours:
            raise HermesInstallError(
                f"{folder} exists and was not written by openclaw; move it away, then run "
                "`openclaw hermes install` again"
            )
    _make_dirs(home, [plugins, *(plugins / p for p, _, _ in providers)], record)
    written: list[Path] = []
    for provider_id, label, description in providers:
        for name, text in plugin_files(provider_id, label, description).items():
            path = plugins / provider_id / name
            write_atomic(path, text, keep_backup=False)
            os.chmod(path, 0o644)
            record.files[path.relative_to(home).as_posix()] = _digest(text)
            written.append(path)
    write_atomic(record_path, record.dump(), keep_backup=False)
    return written


def _make_dirs(home: Path, wanted: list[Path], record: Record) -> None:
    for directory in wanted:
        missing: list[Path] = []
        probe = directory
        while not probe.exists():
            missing.append(probe)
            probe = probe.parent
        for each in reversed(missing):
            each.mkdir(mode=0o755)
            relative = each.relative_to(home).as_posix()
            if relative not in record.dirs:
                record.dirs.append(relative)


@dataclass
class Removal:
    removed: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # changed since install


def uninstall(home: Path) -> Removal | None:
    """Remove what :func:`install` wrote under ``home``; None when it wrote nothing there."""
    record_path = home / PLUGINS / RECORD_NAME
    record = Record.load(record_path)
    if record is None:
        return None
    result = Removal()
    for relative, digest in record.files.items():
        path = home / relative
        try:
            same = _digest(read_regular(path)) == digest
        except FileNotFoundError:
            continue
        except OSError:  # replaced by something that is not a file install wrote: kept
            same = False
        if same:
            path.unlink()
            result.removed.append(path)
        else:
            result.kept.append(path)
    _drop_cache_dirs(home, record)
    record_path.unlink()
    result.removed.append(record_path)
    for relative in sorted(record.dirs, key=lambda d: d.count("/"), reverse=True):
        directory = home / relative
        try:
            directory.rmdir()
        except OSError:  # not empty (someone else's files) or gone: leave it
            continue
        result.removed.append(directory)
    return result


def _drop_cache_dirs(home: Path, record: Record) -> None:
    """Python's ``__pycache__`` beside our ``__init__.py`` came from our file: it goes too."""
    for relative in record.files:
        cache = (home / relative).parent / "__pycache__"
        if not cache.is_dir():
            continue
        for compiled in cache.glob("__init__.*.pyc"):
            compiled.unlink()
        try:
            cache.rmdir()
        except OSError:
            continue
