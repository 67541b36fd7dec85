"""``${VAR}`` substitution in config values, as TypeScript OpenClaw does it.

* Applies to every string value, recursively; keys are never substituted.
* ``NAME`` matches ``[A-Z_][A-Z0-9_]*``; several may sit in one string.
* ``$${NAME}`` is a literal ``${NAME}``; ``${lower}``, ``${}`` and an unclosed ``${`` stay
  literal.
* A missing or empty variable is an error naming it and the config path that used it.
* Numbers, booleans and null pass through.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from .errors import MissingVariableError

_TOKEN = re.compile(r"\$\$\{([A-Z_][A-Z0-9_]*)\}|\$\{([A-Z_][A-Z0-9_]*)\}")
Lookup = Callable[[str], str | None]


def substitute_string(value: str, lookup: Lookup, config_path: str) -> str:
    """``value`` with each ``${NAME}`` replaced by ``lookup(NAME)``."""

    def replace(match: re.Match[str]) -> str:
        escaped, name = match.group(1), match.group(2)
        if escaped is not None:
            return "${" + escaped + "}"
        found = lookup(name)
        if not found:
            raise MissingVariableError(name, config_path)
        return found

    return _TOKEN.sub(replace, value) if "$" in value else value


def substitute(value: Any, lookup: Lookup, config_path: str = "") -> Any:
    """A copy of ``value`` with every string substituted; ``config_path`` names where it is."""
    if isinstance(value, str):
        return substitute_string(value, lookup, config_path or "<root>")
    if isinstance(value, Mapping):
        return {
            key: substitute(item, lookup, f"{config_path}.{key}" if config_path else str(key))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [substitute(item, lookup, f"{config_path}[{i}]") for i, item in enumerate(value)]
    return value


def env_lookup(*layers: Mapping[str, Any]) -> Lookup:
    """Look a name up in each layer in turn (process env first, then the config ``env``)."""

    def lookup(name: str) -> str | None:
        for layer in layers:
            value = layer.get(name)
            if isinstance(value, str) and value:
                return value
        return None

    return lookup
