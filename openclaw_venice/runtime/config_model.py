"""Pydantic models for the parts of the config file this runtime owns.

``validate_owned(data)`` checks ``models.providers.*``, ``agents.defaults.model`` and
``auth.profiles``; everything else in the file belongs to other parts of OpenClaw and is not
looked at. Errors name the config path of the bad value. Unknown keys are allowed everywhere
(TypeScript OpenClaw may add some).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ConfigValueError


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class SecretRef(_Open):
    source: str
    provider: str | None = None
    id: str


class ModelCost(_Open):
    input: float = 0
    output: float = 0
    cache_read: float = Field(0, alias="cacheRead")
    cache_write: float = Field(0, alias="cacheWrite")


class ModelEntry(_Open):
    id: str
    name: str | None = None
    reasoning: bool | None = None
    input: list[str] | None = None
    cost: ModelCost | None = None
    context_window: int | None = Field(None, alias="contextWindow", gt=0)
    max_tokens: int | None = Field(None, alias="maxTokens", gt=0)
    compat: dict[str, Any] | None = None


class ProviderBlock(_Open):
    base_url: str | None = Field(None, alias="baseUrl")
    api_key: str | SecretRef | None = Field(None, alias="apiKey")
    api: str | None = None
    models: list[ModelEntry] | None = None


class ModelChoice(_Open):
    primary: str | None = None
    fallbacks: list[str] | None = None


class AuthProfile(_Open):
    provider: str
    mode: str


class _Owned(_Open):
    providers: dict[str, ProviderBlock] = {}
    model: str | ModelChoice | None = None
    profiles: dict[str, AuthProfile] = {}


_PREFIX = {
    "providers": "models.providers",
    "model": "agents.defaults.model",
    "profiles": "auth.profiles",
}


def validate_owned(data: Mapping[str, Any]) -> None:
    """Raise :class:`ConfigValueError` naming the first bad value of the parts we own."""

    def at(*keys: str) -> Any:
        node: Any = data
        for key in keys:
            node = node.get(key) if isinstance(node, Mapping) else None
        return node

    owned = {
        "providers": at("models", "providers") or {},
        "model": at("agents", "defaults", "model"),
        "profiles": at("auth", "profiles") or {},
    }
    try:
        _Owned.model_validate(owned)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise ConfigValueError(_config_path(owned, error["loc"]), error["msg"].lower()) from None


def _config_path(owned: Mapping[str, Any], location: tuple[int | str, ...]) -> str:
    """The config path of a validation error, skipping pydantic's union-member labels."""
    path, node = _PREFIX[str(location[0])], owned[str(location[0])]
    for part in location[1:]:
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            path, node = f"{path}[{part}]", node[part]
        elif isinstance(node, Mapping) and part in node:
            path, node = f"{path}.{part}", node[part]
        elif isinstance(node, Mapping) and isinstance(part, str) and part[:1].islower():
            path, node = f"{path}.{part}", None  # a required key that is missing
    return path
