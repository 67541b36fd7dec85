"""The OpenClaw config file: where it lives, reading it (JSON5), writing it atomically.

Path: ``OPENCLAW_CONFIG_PATH`` names the file; else ``OPENCLAW_STATE_DIR/openclaw.json``;
else ``~/.openclaw/openclaw.json``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import ConfigError, ConfigParseError

CONFIG_NAME = "openclaw.json"
MAX_CONFIG_BYTES = 64 * 2**20  # far above any real config; /dev/zero would never end


class RefusedFile(OSError):
    """A path that is not a regular file, or holds more than a reader takes."""


def read_regular(path: Path, limit: int = MAX_CONFIG_BYTES) -> bytes:
    """The bytes of the file at ``path`` (a symlink is followed): :class:`RefusedFile` when
    it is not a regular file (a FIFO would block for a writer, ``/dev/zero`` never ends) or
    holds more than ``limit`` bytes; other :class:`OSError`\\ s as ``open`` raises them."""
    import stat

    # O_NONBLOCK: opening a FIFO does not wait for a writer (no effect on a regular file)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise RefusedFile(f"{path} is not a regular file ({_kind(mode)})")
        chunks, size = [], 0
        while chunk := os.read(fd, min(1 << 20, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise RefusedFile(f"{path} holds more than {limit >> 20} MiB")
        return b"".join(chunks)
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    import stat

    kinds = [(stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
             (stat.S_ISSOCK, "a socket")]  # fmt: skip
    return next((name for test, name in kinds if test(mode)), "not a file")


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("OPENCLAW_CONFIG_PATH"):
        return Path(env["OPENCLAW_CONFIG_PATH"]).expanduser()
    if env.get("OPENCLAW_STATE_DIR"):
        return Path(env["OPENCLAW_STATE_DIR"]).expanduser() / CONFIG_NAME
    return Path.home() / ".openclaw" / CONFIG_NAME


class ConfigDocument:
    """A loaded config: its path, parsed data and the text it came from ("" if new), and
    whether that text began with a UTF-8 byte order mark (kept when the file is written).
    Its repr names the path alone: the data may hold a literal API key."""

    __slots__ = ("bom", "data", "path", "text")

    def __init__(
        self, path: Path, data: dict[str, Any] | None = None, text: str = "", bom: bool = False
    ) -> None:
        self.path = path
        self.data: dict[str, Any] = {} if data is None else data
        self.text = text
        self.bom = bom

    def __repr__(self) -> str:
        return f"ConfigDocument({self.path!r})"

    @property
    def exists(self) -> bool:
        return bool(self.text)


def parse_config_text(text: str, path: str = "<config>") -> dict[str, Any]:
    """Parse JSON5 text into a dict; errors name the file, line and column."""
    from .json5_fast import loads, loads_json

    if not text.strip():
        return {}
    try:  # plain JSON is the common case; then JSON5 rewritten as JSON: both in C
        data = loads_json(text)
    except (ValueError, RecursionError):  # RecursionError: nested past the parser's depth
        try:
            data = loads(text)
        except (ValueError, RecursionError):  # the complete parser decides, and says where
            data = _parse_json5(text, path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be an object {{...}}")
    return data


def _parse_json5(text: str, path: str) -> Any:
    import json5  # imported lazily: only files that need it pay for it

    try:
        return _join_surrogates(json5.loads(text))
    except ValueError as exc:
        line, column = _error_position(str(exc), text)
        raise ConfigParseError(path, line, column, _short(str(exc))) from None
    except RecursionError:
        line, column = _deepest_position(text)
        raise ConfigParseError(path, line, column, "nested too deeply") from None


def _join_surrogates(value: Any) -> Any:
    """json5 leaves an escaped pair like ``\\ud83d\\ude00`` as two lone surrogates; JSON
    (and TypeScript OpenClaw) read it as one character."""
    if isinstance(value, str):
        if any("\ud800" <= c <= "\udfff" for c in value):
            return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return value
    if isinstance(value, dict):
        return {_join_surrogates(k): _join_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_join_surrogates(v) for v in value]
    return value


def _error_position(message: str, text: str) -> tuple[int, int]:
    import re

    match = re.search(r"<string>:(\d+)(?:.*?column (\d+))?", message)
    if match:
        return int(match.group(1)), int(match.group(2) or 1)
    lines = text.splitlines() or [""]
    return len(lines), len(lines[-1]) + 1


def _deepest_position(text: str) -> tuple[int, int]:
    """Line and column of the first bracket at the deepest nesting: where to look when the
    parser gave up (brackets in strings and comments count too; it is only a pointer)."""
    depth = deepest = at = 0
    for offset, char in enumerate(text):
        if char in "[{":
            depth += 1
            if depth > deepest:
                deepest, at = depth, offset
        elif char in "]}":
            depth -= 1
    return _line_column(text, at)


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _short(message: str) -> str:
    """The parser's message on one line: its position dropped, unprintable characters (the
    one it stumbled on may be a control character or a line break) escaped."""
    import re

    message = re.sub(r"^<string>:\d+\s*|\s*at column \d+$", "", message)
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)[:120]


def load_config(path: Path | None = None, known: ConfigDocument | None = None) -> ConfigDocument:
    """The config at ``path``, its owned parts checked (:mod:`.config_model`:
    :class:`ConfigValueError` names a value of the wrong type); ``known``'s data is reused
    when the file still holds its text (a 5 MB file is not parsed twice by one command)."""
    path = path or config_path()
    try:
        raw = read_regular(path)
    except FileNotFoundError:
        return ConfigDocument(path)
    except RefusedFile as exc:
        advice = "make it a JSON5 file, or point OPENCLAW_CONFIG_PATH at one"
        raise ConfigError(f"{exc}; {advice}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}; check its permissions") from None
    bom = raw.startswith(_BOM)
    text = _decode(raw[len(_BOM) :] if bom else raw, str(path))
    if known is not None and known.text == text and known.text:
        return ConfigDocument(path, known.data, text, bom)
    from .config_model import validate_owned

    data = parse_config_text(text, str(path))
    validate_owned(data, str(path))  # the parts this host reads, each of its type
    return ConfigDocument(path, data, text, bom)


_BOM = b"\xef\xbb\xbf"


def _decode(raw: bytes, path: str) -> str:
    """UTF-8 with universal newlines, as ``read_text`` reads it; a byte that is not UTF-8 is
    a parse error at its line and column."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = raw[: exc.start].decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        line, column = _line_column(good, len(good))
        detail = f"not UTF-8 text (byte 0x{raw[exc.start]:02x})"
        raise ConfigParseError(path, line, column, detail) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def make_private_dir(directory: Path) -> None:
    """Create ``directory`` and each missing parent 0700 (``mkdir(parents=True)`` would give
    the parents the default 0755); directories that exist already are left as they are."""
    missing: list[Path] = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for each in reversed(missing):
        each.mkdir(mode=0o700, exist_ok=True)


def write_atomic(
    path: Path,
    text: str,
    *,
    keep_backup: bool = True,
    bom: bool = False,
    backup_text: str | None = None,
) -> None:
    """Write ``text`` to ``path`` via a 0600 temp file in the same directory, fsync, rename.

    The previous file, if any, is kept as ``<name>.bak`` (unless ``keep_backup`` is False):
    byte for byte, or as ``backup_text`` when given (the previous file's exact text with a
    moved secret taken out).
    A crash at any point leaves either the old file or the new one, never a mix; the temp
    files a killed writer left behind are removed (callers hold the config lock, so no live
    writer owns one).
    """
    make_private_dir(path.parent)
    import tempfile  # imported here: most commands never need it

    remove_stale_temp_files(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(("\ufeff" if bom else "") + text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o600)
        if keep_backup and path.exists():
            backup = path.with_name(path.name + ".bak")
            os.replace(_copy_for_backup(path, backup, backup_text), backup)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def remove_stale_temp_files(path: Path) -> None:
    """Remove ``.<name>.*.tmp`` and ``.<name>.bak.*.tmp`` left by a writer that was killed."""
    import glob  # imported here: only writers need it

    for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        stale.unlink(missing_ok=True)


def _copy_for_backup(path: Path, backup: Path, text: str | None) -> str:
    import tempfile  # imported here: most commands never need it

    fd, tmp = tempfile.mkstemp(prefix=f".{backup.name}.", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(read_regular(path) if text is None else text.encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, 0o600)
    return tmp


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def config_env_vars(data: Mapping[str, Any]) -> dict[str, str]:
    """The config's inline variables: ``env.vars`` (TypeScript OpenClaw's place for them),
    then the older ``env.<NAME>`` strings (``shellEnv`` is a setting, not a variable)."""
    block = data.get("env")
    if not isinstance(block, Mapping):
        return {}
    found = {k: v for k, v in block.items() if k not in ENV_SETTINGS and isinstance(v, str)}
    listed = block.get("vars")
    if isinstance(listed, Mapping):
        found.update({k: v for k, v in listed.items() if isinstance(k, str) and isinstance(v, str)})
    return found


ENV_SETTINGS = ("vars", "shellEnv")  # the keys of TypeScript OpenClaw's strict env block


def get_path(data: Mapping[str, Any], *keys: str) -> Any:
    """``data[k1][k2]...`` or None when any level is missing or not an object."""
    node: Any = data
    for key in keys:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node
