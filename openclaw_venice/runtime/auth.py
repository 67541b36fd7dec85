"""How a provider is authenticated (part of the plugin contract; re-exported by
:mod:`.plugins`). A module of its own because the host's lower layers (settings, secrets, key
advice) use it and :mod:`.plugins` imports them: defined there it would close an import cycle
(``tests/test_boundaries.py`` forbids them; tried)."""

# no `from __future__ import annotations`: a named tuple's string annotations are each
# compiled when the class is made (typing.ForwardRef), several times the cost of real ones
from typing import NamedTuple


class AuthMethod(NamedTuple):
    """How a provider is authenticated; drives ``openclaw onboard`` generically."""

    method: str  # "api-key"
    choice: str  # wizard/--auth-choice value, e.g. "venice-api-key"
    label: str
    cli_flag: str  # e.g. "--venice-api-key"
    env_var: str  # e.g. "VENICE_API_KEY"
    profile_id: str  # e.g. "venice:default"
    hint: str = ""
    group: str = ""
    prompt: str = "Enter API key"
    note: str = ""
