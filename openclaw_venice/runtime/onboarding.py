"""What onboarding writes, as a pure function of the config and the choices made."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .catalog import ModelInfo
from .config_edit import Edit
from .config_file import ENV_SETTINGS, get_path
from .plugins import AuthMethod


@dataclass(slots=True)
class Choices:
    provider_id: str
    method: AuthMethod
    block: Mapping[str, Any]  # the provider's keys to set in models.providers.<id>
    default_model: ModelInfo
    set_default: bool = False
    env_block_key: str | None = None  # the key itself, when it goes into the env block
    key_variable: str | None = None  # the variable apiKey refers to (default: the method's)


@dataclass(slots=True)
class Plan:
    edits: list[Edit] = field(default_factory=list)
    default_ref: str = ""
    default_changed: bool = False


def current_default(data: Mapping[str, Any]) -> str | None:
    model = get_path(data, "agents", "defaults", "model")
    if isinstance(model, str):
        return model or None
    primary = get_path(model, "primary") if isinstance(model, Mapping) else None
    return primary if isinstance(primary, str) and primary else None


def pick_default(models: Sequence[ModelInfo], preferred: str | None) -> ModelInfo | None:
    """The provider's preferred model when it is listed, else a sensible one: private, with
    tools and reasoning, in that order of weight (never one needing end-to-end encryption
    or marked deprecated), not merely the list's first row."""
    listed = next((m for m in models if preferred and preferred in (m.id, *m.aliases)), None)
    if listed is not None:
        return listed
    usable = [
        m for m in models
        if not m.profile.e2ee and not {"deprecated", "retired"} & set(m.tags)
    ]  # fmt: skip
    if not usable:
        return models[0] if models else None
    return max(usable, key=lambda m: (m.privacy == "private", m.supports_tools, m.reasoning))


def env_block_edits(data: Mapping[str, Any], choices: Choices) -> list[Edit]:
    """The key, when it goes into the config, in ``env.vars`` (TypeScript OpenClaw's strict
    ``env`` block is ``{shellEnv, vars}``: a variable beside them makes it refuse the whole
    file); variables an earlier version wrote as ``env.<NAME>`` move into ``env.vars``."""
    block = get_path(data, "env")
    block = block if isinstance(block, Mapping) else {}
    legacy = {k: v for k, v in block.items() if k not in ENV_SETTINGS}
    if choices.env_block_key is None and not legacy:
        return []
    variable = choices.key_variable or choices.method.env_var
    if not legacy:
        return [(("env", "vars", variable), choices.env_block_key)]
    listed = block.get("vars")
    variables = {**legacy, **(listed if isinstance(listed, Mapping) else {})}
    if choices.env_block_key is not None:
        variables[variable] = choices.env_block_key
    kept = {k: v for k, v in block.items() if k in ENV_SETTINGS and k != "vars"}
    return [(("env",), {**kept, "vars": variables})]  # settings kept, variables moved


def plan(data: Mapping[str, Any], choices: Choices) -> Plan:
    """The config edits for ``choices``: keep what exists, add what is missing."""
    result = Plan()
    method, pid = choices.method, choices.provider_id
    profile = get_path(data, "auth", "profiles", method.profile_id)
    kept = dict(profile) if isinstance(profile, Mapping) else {}
    result.edits.append(
        (("auth", "profiles", method.profile_id), {**kept, "provider": pid, "mode": "api_key"})
    )
    if not isinstance(get_path(data, "models", "mode"), str):
        result.edits.append((("models", "mode"), "merge"))
    for key, value in choices.block.items():
        result.edits.append((("models", "providers", pid, key), value))
    result.edits += env_block_edits(data, choices)
    existing = current_default(data)
    result.default_ref = existing or choices.default_model.ref
    if existing is None or choices.set_default:
        result.default_ref = choices.default_model.ref
        result.default_changed = result.default_ref != existing
        in_string_form = isinstance(get_path(data, "agents", "defaults", "model"), str)
        model_key: tuple[str, ...] = ("agents", "defaults", "model")
        if not in_string_form:
            model_key += ("primary",)
        result.edits.append((model_key, result.default_ref))
        alias = get_path(data, "agents", "defaults", "models", result.default_ref)
        if not (isinstance(alias, Mapping) and alias.get("alias")):
            entry = dict(alias) if isinstance(alias, Mapping) else {}
            entry["alias"] = choices.default_model.name
            result.edits.append((("agents", "defaults", "models", result.default_ref), entry))
    return result
