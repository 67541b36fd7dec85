"""Where an API key comes from, in order (first wins):

1. the command-line flag (e.g. ``--venice-api-key``);
2. the process environment (e.g. ``VENICE_API_KEY``);
3. the config file's ``env`` block.

Logs and ``--verbose`` say which source was used, never the value. The key travels as a
``pydantic.SecretStr``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .config_file import get_path
from .errors import SecretError
from .plugins import AuthMethod

if TYPE_CHECKING:
    from pydantic import SecretStr


@dataclass(frozen=True, slots=True)
class ResolvedKey:
    value: SecretStr
    source: str  # "flag", "env", "config env block", ...

    def __repr__(self) -> str:
        return f"ResolvedKey(source={self.source!r})"


def resolve_api_key(
    method: AuthMethod,
    env: Mapping[str, str],
    config: Mapping[str, Any],
    flag_value: str | None = None,
) -> ResolvedKey:
    """The key for ``method`` from the first source that has one, else :class:`SecretError`."""
    from pydantic import SecretStr

    if flag_value:
        return ResolvedKey(SecretStr(flag_value), "flag")
    if env.get(method.env_var):
        return ResolvedKey(SecretStr(env[method.env_var]), "env")
    block_value = get_path(config, "env", method.env_var)
    if isinstance(block_value, str) and block_value:
        return ResolvedKey(SecretStr(block_value), "config env block")
    raise SecretError(
        f"no {method.label} found; set {method.env_var} or run "
        f"`openclaw onboard --auth-choice {method.choice}`"
    )
