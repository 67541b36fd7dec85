"""``openclaw connect RUNTIME``: point an agent runtime's own config at the gateway, and undo
exactly that.

Each runtime gets one entry named :data:`ENTRY` in its own config file (its providers'
table), written as a text insertion beside what the user wrote, comments and all. The
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
    ),
    "openclaw-ts": Runtime(
        "openclaw-ts",
        "OpenClaw (TypeScript)",
        openclaw_config,
        openclaw_edit,
        "{}\n",
        "pick a model as {entry}/PROVIDER/MODEL (`openclaw models set` in OpenClaw)",
        locked=True,
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
        before = "" if created else path.read_text(encoding="utf-8")
    except (OSError, UnicodeError) as exc:
        raise ConnectError(f"cannot read {path}: {exc}") from None
    if has_entry(runtime, before):
        raise ConnectError(
            f"{path} already has an entry named {ENTRY}; run `openclaw connect "
            f"{runtime.name} --undo` first, or remove that entry by hand"
        )
    start = before if before.strip() else runtime.empty
    after = runtime.edit(start, target)
    record = record_path(state_dir, runtime.name)
    _, old, new = changed_span(start, after)
    _write(record, {"file": str(path), "created": created, "old": old, "new": new})
    _write(path, after, private=created)
    return path


def undo(runtime: Runtime, env: Mapping[str, str], state_dir: Path) -> Path:
    """Put back what the entry replaced; the file goes if connect created it and nothing
    else was written there since."""
    record_file = record_path(state_dir, runtime.name)
    try:
        record = json.loads(record_file.read_text(encoding="utf-8"))
        path, created = Path(record["file"]), bool(record["created"])
        old, new = str(record["old"]), str(record["new"])
    except (OSError, ValueError, KeyError, TypeError):
        raise ConnectError(
            f"{runtime.label} was not connected by `openclaw connect {runtime.name}` "
            "(no record of it); nothing to undo"
        ) from None
    with runtime.lock(path):
        return _undo(runtime, path, created, old, new, record_file)


def _undo(
    runtime: Runtime, path: Path, created: bool, old: str, new: str, record_file: Path
) -> Path:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        record_file.unlink()
        return path
    if text.count(new) != 1:
        raise ConnectError(
            f"the {ENTRY} entry in {path} was changed since `openclaw connect` wrote it; "
            "remove it by hand (nothing was changed)"
        )
    restored = text.replace(new, old, 1)
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
