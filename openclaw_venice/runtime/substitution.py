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
    """A copy of ``value`` with every string substituted; ``config_path`` names where it is.
    Iterative, so a value nested hundreds deep is no RecursionError."""
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any, str]] = [(root, 0, value, config_path)]
    while stack:
        holder, slot, item, path = stack.pop()
        if isinstance(item, str):
            holder[slot] = substitute_string(item, lookup, path or "<root>")
        elif isinstance(item, Mapping):
            mapping: dict[Any, Any] = dict.fromkeys(item)
            holder[slot] = mapping
            for key, child in reversed(list(item.items())):  # reversed: popped in order
                stack.append((mapping, key, child, f"{path}.{key}" if path else str(key)))
        elif isinstance(item, list):
            items: list[Any] = [None] * len(item)
            holder[slot] = items
            for index in range(len(item) - 1, -1, -1):
                stack.append((items, index, item[index], f"{path}[{index}]"))
        else:
            holder[slot] = item
    return root[0]


def env_lookup(*layers: Mapping[str, Any]) -> Lookup:
    """Look a name up in each layer in turn (process env first, then the config ``env``)."""

    def lookup(name: str) -> str | None:
        for layer in layers:
            value = layer.get(name)
            if isinstance(value, str) and value:
                return value
        return None

    return lookup
