"""``openclaw connect RUNTIME``: point an agent runtime's own config at the gateway, and undo
exactly that.

Each runtime gets one entry named :data:`ENTRY` in its own config file (its providers'
table), written as a text insertion beside what the user wrote, comments and all; a runtime
that keeps each provider in a file of its own (QwenPaw) gets that file, wholly ours. The
change is recorded (``<state dir>/gateway/connect/<runtime>.json``: the file, whether we
created it, and each replaced span's old and new text); ``--undo`` puts the old text back
where the new text still stands as written, and says so when the user changed it since.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..catalog import ModelInfo
from ..errors import OpenClawError

ENTRY = "openclaw-gateway"
LABEL = "OpenClaw gateway"


class ConnectError(OpenClawError):
    pass


@dataclass(frozen=True, slots=True)
class Target:
    """What a runtime's connection needs: the gateway's URL and token, the models it
    offers (for runtimes that list models in their config)."""

    url: str
    token: str
    models: Sequence[ModelInfo]


@dataclass(frozen=True, slots=True)
class Runtime:
    name: str
    label: str
    config: Callable[[Mapping[str, str]], Path]
    edit: Callable[[str, Target], str]  # the file's text (possibly "") -> the new text
    empty: str  # a new file's text before the edit
    next_step: str  # what the user does next, one line ({entry} is the entry's name)
    locked: bool = False  # written under the config lock TypeScript OpenClaw honours
    lists_models: bool = False  # the entry lists the gateway's models (Target.models)
    #: the file is wholly ours (one provider per file): ``owned(text)`` says whether it still
    #: is the entry we wrote, which ``--undo`` then deletes; None: an entry inside a file
    owned: Callable[[str], bool] | None = None
    #: a sentence for after ``--undo`` (e.g. the runtime still names the entry elsewhere)
    undo_note: Callable[[Path], str | None] | None = None
    #: where the entry sits in a JSON file (key path): ``--undo`` finds it there by value
    #: when the runtime rewrote the file since (other formatting, keys reordered)
    entry_at: tuple[str, ...] | None = None

    def lock(self, path: Path) -> AbstractContextManager[object]:
        if not self.locked:
            return nullcontext()
        from ..config_lock import config_lock

        return config_lock(path)


# -- the runtimes ----------------------------------------------------------------------------


def hermes_config(env: Mapping[str, str]) -> Path:
    from ..hermes.install import hermes_home

    return hermes_home(env) / "config.yaml"


def nanobot_config(env: Mapping[str, str]) -> Path:
    return _home(env) / ".nanobot" / "config.json"


def openclaw_config(env: Mapping[str, str]) -> Path:
    from ..config_file import config_path

    return config_path(env)


def qwenpaw_config(env: Mapping[str, str]) -> Path:
    """QwenPaw 2.2's file for a custom provider, ``<secret dir>/providers/custom/<id>.json``
    (read from its 2.2.2.post1 wheel, ``qwenpaw/constant.py`` and
    ``providers/provider_manager_persistence.py``): the secret dir is ``QWENPAW_SECRET_DIR``,
    else its working dir plus ``.secret``; the working dir is ``QWENPAW_WORKING_DIR``, else
    ``~/.copaw`` when that exists (CoPaw's), else ``~/.qwenpaw``."""
    return _qwenpaw_secret_dir(env) / "providers" / "custom" / f"{ENTRY}.json"


def _qwenpaw_secret_dir(env: Mapping[str, str]) -> Path:
    secret = env.get("QWENPAW_SECRET_DIR", "").strip()
    if secret:
        return _expand(secret, env)
    working = env.get("QWENPAW_WORKING_DIR", "").strip()
    if working:
        folder = _expand(working, env)
    else:
        legacy = _home(env) / ".copaw"
        folder = legacy if legacy.exists() else _home(env) / ".qwenpaw"
    return folder.with_name(folder.name + ".secret")


def _expand(path: str, env: Mapping[str, str]) -> Path:
    if path == "~" or path.startswith("~/"):
        return _home(env) / path[2:]
    return Path(path)


def _home(env: Mapping[str, str]) -> Path:
    home = env.get("HOME", "").strip()
    return Path(home) if home else Path.home()


def hermes_edit(text: str, target: Target) -> str:
    """Hermes Agent 0.19's ``providers:`` table in config.yaml (a named custom provider:
    ``hermes --provider openclaw-gateway -m venice/...``)."""
    block = [
        f"{ENTRY}:",
        f"  name: {ENTRY}",
        f"  base_url: {json.dumps(target.url)}",
        f"  api_key: {json.dumps(target.token)}",
    ]
    return yaml_insert(text, "providers", block)


def nanobot_edit(text: str, target: Target) -> str:
    """nanobot 0.3's ``providers.<name>`` (an OpenAI-compatible custom provider)."""
    return json_insert(text, ("providers", ENTRY), {"apiKey": target.token, "apiBase": target.url})


def openclaw_edit(text: str, target: Target) -> str:
    """TypeScript OpenClaw's ``models.providers.<name>`` (``api: openai-completions``), with
    the models the gateway offers agents, their limits and prices."""
    entry = {
        "baseUrl": target.url,
        "apiKey": target.token,
        "api": "openai-completions",
        "models": [_openclaw_model(m) for m in target.models],
    }
    return json_insert(text, ("models", "providers", ENTRY), entry)


def _openclaw_model(model: ModelInfo) -> dict[str, Any]:
    return {
        "id": model.ref,
        "name": model.name,
        "reasoning": model.reasoning,
        "input": list(model.input),
        "contextWindow": model.context_window,
        "maxTokens": model.max_tokens,
        "cost": {
            "input": model.cost.input,
            "output": model.cost.output,
            "cacheRead": model.cost.cache_read_rate,
            "cacheWrite": model.cost.cache_write_rate,
        },
    }


def qwenpaw_edit(text: str, target: Target) -> str:
    """QwenPaw's custom provider, as ``qwenpaw models add-provider`` and ``add-model`` write
    it (``tests/data/qwenpaw/custom-provider.json``), with the gateway's models and their
    limits. The token is written in plain text: QwenPaw's CLI sets a key only through the
    interactive ``models config-key``, and its loader encrypts a plain ``api_key`` in place
    on first read (``load_provider``: "a legacy plaintext api_key is re-encrypted")."""
    if text.strip():
        raise ConnectError("QwenPaw's provider file for the gateway exists already")
    entry = {
        "id": ENTRY,
        "name": LABEL,
        "base_url": target.url,
        "api_key": target.token,
        "chat_model": "OpenAIChatModel",
        "is_custom": True,
        "require_api_key": True,
        "extra_models": [_qwenpaw_model(m) for m in target.models],
        "snapshot_schema_version": 2,
    }
    return json.dumps(entry, indent=2, ensure_ascii=False) + "\n"


def _qwenpaw_model(model: ModelInfo) -> dict[str, Any]:
    sees = "image" in model.input
    return {
        "id": model.ref,
        "name": model.name,
        "source": "user",
        "supports_multimodal": sees,
        "supports_image": sees,
        "max_output_length": max(1, model.max_tokens),
        "max_output_length_source": "catalog",
        "max_input_length": max(1000, model.context_window),  # QwenPaw's floor
        "max_input_length_configured": True,
    }


def qwenpaw_owned(text: str) -> bool:
    """Whether QwenPaw's file is still the gateway's provider (QwenPaw rewrites it, the key
    encrypted and its own defaults added, when it loads it)."""
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("id") == ENTRY and data.get("is_custom") is True


def qwenpaw_active_note(path: Path) -> str | None:
    """QwenPaw's active model, when it still names the gateway's provider."""
    try:
        active = json.loads(_text(path.parent.parent / "active_model.json"))
    except (OSError, ValueError):
        return None
    if isinstance(active, dict) and active.get("provider_id") == ENTRY:
        return "QwenPaw's active model was the gateway's: pick another (`qwenpaw models set-llm`)"
    return None


def nanobot_default_note(path: Path) -> str | None:
    """nanobot's default provider, when it still names the entry ``--undo`` took out (its
    ``nanobot agent`` then fails until the user picks another)."""
    from ..config_file import parse_config_text

    try:
        data = parse_config_text(_text(path))
    except (OSError, ValueError, OpenClawError):
        return None
    agents = data.get("agents") if isinstance(data, dict) else None
    defaults = agents.get("defaults") if isinstance(agents, dict) else None
    if isinstance(defaults, dict) and defaults.get("provider") == ENTRY:
        return (
            f'nanobot\'s agents.defaults.provider still names "{ENTRY}": set it to another '
            'provider (or "auto") in that file'
        )
    return None


RUNTIMES: Mapping[str, Runtime] = {
    "hermes": Runtime(
        "hermes",
        "Hermes Agent",
        hermes_config,
        hermes_edit,
        "",
        "use it with `hermes --provider {entry} -m PROVIDER/MODEL`",
    ),
    "nanobot": Runtime(
        "nanobot",
        "nanobot",
        nanobot_config,
        nanobot_edit,
        "{}\n",
        'set agents.defaults.provider to "{entry}" and agents.defaults.model to '
        "PROVIDER/MODEL in that file",
        undo_note=nanobot_default_note,
        entry_at=("providers", ENTRY),
    ),
    "openclaw-ts": Runtime(
        "openclaw-ts",
        "OpenClaw (TypeScript)",
        openclaw_config,
        openclaw_edit,
        "{}\n",
        "pick a model as {entry}/PROVIDER/MODEL (`openclaw models set` in OpenClaw)",
        locked=True,
        lists_models=True,
        entry_at=("models", "providers", ENTRY),
    ),
    "qwenpaw": Runtime(
        "qwenpaw",
        "QwenPaw",
        qwenpaw_config,
        qwenpaw_edit,
        "",
        "pick a model with `qwenpaw models set-llm` (provider {entry}), or run "
        "`qwenpaw task -m {entry}/PROVIDER/MODEL ...`; restart QwenPaw if it runs",
        lists_models=True,
        owned=qwenpaw_owned,
        undo_note=qwenpaw_active_note,
    ),
}


# -- text edits ------------------------------------------------------------------------------


def json_insert(text: str, keys: Sequence[str], value: Any) -> str:
    """``text`` (JSON or JSON5, comments kept) with ``keys`` set to ``value``."""
    from ..config_file import parse_config_text
    from ..json5_edit import EditError, set_value

    try:
        parse_config_text(text)
        return set_value(text, keys, value).text
    except (EditError, OpenClawError) as exc:
        raise ConnectError(f"cannot edit the file safely ({exc}); fix it by hand first") from None


_TOP_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w-]*):[ \t]*(?P<rest>#.*)?$")


def yaml_insert(text: str, key: str, block: Sequence[str]) -> str:
    """``text`` (YAML) with ``block`` (lines of one mapping entry) added under the top-level
    ``key``: after its line, indented as its first child, or as a new ``key:`` at the end."""
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines):
        match = _TOP_KEY.match(line.rstrip("\r\n"))
        if line.startswith(f"{key}:") and match is None:
            raise ConnectError(
                f"its top-level `{key}:` is written inline; make it a block mapping first"
            )
        if match is None or match["key"] != key:
            continue
        indent = _child_indent(lines[number + 1 :]) or "  "
        added = "".join(f"{indent}{entry}\n" for entry in block)
        if not line.endswith("\n"):
            line += "\n"
        return "".join([*lines[:number], line, added, *lines[number + 1 :]])
    head = text if not text or text.endswith("\n") else text + "\n"
    return head + f"{key}:\n" + "".join(f"  {entry}\n" for entry in block)


def _child_indent(lines: Sequence[str]) -> str | None:
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = line[: len(line) - len(line.lstrip(" "))]
        return indent or None
    return None


def has_entry(runtime: Runtime, text: str) -> bool:
    """Whether the runtime's file already names :data:`ENTRY`."""
    return re.search(rf"(^|[\s{{,\"']){re.escape(ENTRY)}[\"']?\s*:", text, re.M) is not None


# -- the record and the two directions -------------------------------------------------------


def record_path(state_dir: Path, runtime: str) -> Path:
    return state_dir / "gateway" / "connect" / f"{runtime}.json"


def changed_span(before: str, after: str) -> tuple[int, str, str]:
    """Where ``before`` and ``after`` differ: offset, old text, new text."""
    start = 0
    limit = min(len(before), len(after))
    while start < limit and before[start] == after[start]:
        start += 1
    end = 0
    while end < limit - start and before[-1 - end] == after[-1 - end]:
        end += 1
    return start, before[start : len(before) - end], after[start : len(after) - end]


def connect(runtime: Runtime, target: Target, env: Mapping[str, str], state_dir: Path) -> Path:
    """Write the entry; returns the file."""
    path = runtime.config(env)
    with runtime.lock(path):
        return _connect(runtime, target, path, state_dir)


def _connect(runtime: Runtime, target: Target, path: Path, state_dir: Path) -> Path:
    created = not path.exists()
    try:
        before = "" if created else _text(path)
    except (OSError, UnicodeError) as exc:
        raise ConnectError(f"cannot read {path}: {exc}") from None
    if runtime.owned is not None and not created:
        raise ConnectError(
            f"{path} exists already; run `openclaw connect {runtime.name} --undo` first, or "
            "remove that provider in the runtime"
        )
    if has_entry(runtime, before):
        raise ConnectError(
            f"{path} already has an entry named {ENTRY}; run `openclaw connect "
            f"{runtime.name} --undo` first, or remove that entry by hand"
        )
    start = before if before.strip() else runtime.empty
    after = runtime.edit(start, target)
    record = record_path(state_dir, runtime.name)
    _, old, new = changed_span(start, after)
    entry: dict[str, Any] = {"file": str(path), "created": created, "old": old, "new": new}
    if runtime.entry_at is not None:
        entry["value"] = _at(_parse(after), runtime.entry_at)
        entry["made"] = _made(_parse(start), runtime.entry_at)
    _write(record, entry)
    _write(path, after, private=created)
    return path


def undo(runtime: Runtime, env: Mapping[str, str], state_dir: Path) -> Path:
    """Put back what the entry replaced; the file goes if connect created it and nothing
    else was written there since."""
    record_file = record_path(state_dir, runtime.name)
    try:
        record = json.loads(_text(record_file))
        path, created = Path(record["file"]), bool(record["created"])
        old, new = str(record["old"]), str(record["new"])
    except (OSError, ValueError, KeyError, TypeError):
        raise ConnectError(
            f"{runtime.label} was not connected by `openclaw connect {runtime.name}` "
            "(no record of it); nothing to undo"
        ) from None
    with runtime.lock(path):
        if runtime.owned is not None:
            return _undo_file(runtime, path, record_file)
        return _undo(runtime, path, created, old, new, record_file, record)


def _remove_by_value(runtime: Runtime, text: str, record: Mapping[str, Any]) -> str | None:
    """The file without our entry, found by its place and value after the runtime rewrote
    the file (each field we wrote still as we wrote it; fields the runtime added are its
    own and go with the entry); None when it is not there as we wrote it."""
    from ..json5_edit import EditError, remove_member

    keys, wrote = runtime.entry_at, record.get("value")
    if keys is None or not isinstance(wrote, dict):
        return None
    try:
        found = _at(_parse(text), keys)
    except ConnectError:
        return None
    if not isinstance(found, dict) or any(found.get(k) != v for k, v in wrote.items()):
        return None
    made = record.get("made")
    depth = made if isinstance(made, int) and 0 <= made < len(keys) else len(keys) - 1
    try:  # the tables connect made go too, unless the user has put something else there
        while depth < len(keys) - 1 and _at(_parse(text), keys[: depth + 1]) != {
            keys[depth + 1]: _at(_parse(text), keys[: depth + 2])
        }:
            depth += 1
        return remove_member(text, keys[: depth + 1])
    except (EditError, ConnectError):
        return None


def _parse(text: str) -> Any:
    from ..config_file import parse_config_text

    try:
        return parse_config_text(text)
    except OpenClawError as exc:
        raise ConnectError(str(exc)) from None


def _at(data: Any, keys: Sequence[str]) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            raise ConnectError(f"no {'.'.join(keys)}")
        data = data[key]
    return data


def _made(data: Any, keys: Sequence[str]) -> int:
    """How many of ``keys`` existed before connect: the first one it made."""
    for depth, key in enumerate(keys):
        if not isinstance(data, dict) or key not in data:
            return depth
        data = data[key]
    return len(keys) - 1


def _undo_file(runtime: Runtime, path: Path, record_file: Path) -> Path:
    """Delete the file that is wholly ours, while it still is our entry."""
    assert runtime.owned is not None
    try:
        text = _text(path)
    except FileNotFoundError:
        record_file.unlink()
        return path
    except (OSError, UnicodeError) as exc:
        raise ConnectError(f"cannot read {path}: {exc}") from None
    if not runtime.owned(text):
        raise ConnectError(
            f"{path} is no longer the {ENTRY} provider `openclaw connect` wrote; "
            "remove it by hand (nothing was changed)"
        )
    path.unlink()
    record_file.unlink()
    return path


def _undo(
    runtime: Runtime,
    path: Path,
    created: bool,
    old: str,
    new: str,
    record_file: Path,
    record: Mapping[str, Any],
) -> Path:
    try:
        text = _text(path)
    except FileNotFoundError:
        record_file.unlink()
        return path
    restored = (
        text.replace(new, old, 1)
        if text.count(new) == 1
        else _remove_by_value(runtime, text, record)
    )
    if restored is None:
        raise ConnectError(
            f"the {ENTRY} entry in {path} was changed since `openclaw connect` wrote it; "
            "remove it by hand (nothing was changed)"
        )
    if created and restored.strip() in ("", runtime.empty.strip()):
        path.unlink()
    else:
        _write(path, restored)
    record_file.unlink()
    return path


def _write(path: Path, data: Any, private: bool = False) -> None:
    """Atomically, keeping the file's permissions (0600 for a file of ours)."""
    from ..config_file import make_private_dir

    text = data if isinstance(data, str) else json.dumps(data, indent=2) + "\n"
    if private or not path.parent.exists():
        make_private_dir(path.parent)
    mode = 0o600
    if path.exists() and isinstance(data, str):
        mode = path.stat().st_mode & 0o777
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)
    os.chmod(temporary, mode)
    temporary.replace(path)


def names() -> list[str]:
    return sorted(RUNTIMES)


def _text(path: Path) -> str:
    """A file's text, read within the config's bound: a FIFO, a device or a directory is
    refused unread (:class:`~..config_file.RefusedFile`, an OSError) instead of waiting for a
    writer or reading forever."""
    from ..config_file import read_regular

    return read_regular(path).decode("utf-8")
