"""Where an API key comes from, in order (first wins):

1. the command-line flag (e.g. ``--venice-api-key``);
2. the process environment (e.g. ``VENICE_API_KEY``);
3. the config file's ``env`` block: ``env.vars`` (where TypeScript OpenClaw keeps inline
   variables), then the older ``env.<NAME>``;
4. the system keyring (service ``openclaw``, user = the variable name);
5. TypeScript OpenClaw's own store of the auth profile (e.g. ``venice:default``): its state
   database ``state/openclaw.sqlite`` (read-only; see ``auth_store``);
6. a literal ``apiKey`` in the provider's config block;
7. the older auth-profile file of TypeScript OpenClaw (``agents/main/agent/
   auth-profiles.json``).

When the provider's ``apiKey`` names another variable (``${OTHER}`` or
``{source: "env", id: "OTHER"}``) that name is looked up instead. Logs and ``--verbose``
say which source was used, never the value; the key travels as a
``SecretStr`` (``runtime/secret.py``).
A keyring that is absent, locked or failing is skipped with a one-line warning; so is one
that does not answer within ``KEYRING_SECONDS`` (a Secret Service whose unlock prompt nobody
sees), and then it is not asked again by this process.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .auth import AuthMethod
from .auth_store import database_key, file_key
from .config_file import config_env_vars, get_path
from .errors import SecretError
from .key_input import check_key

if TYPE_CHECKING:
    from .secret import SecretStr

KEYRING_SERVICE = "openclaw"
KEYRING_SECONDS = 10.0  # a backend silent this long is skipped; a password prompt is not timed
STATE_STORE = "OpenClaw state store"  # TypeScript OpenClaw's own key store, as a source
_REFERENCE = re.compile(r"^\$\{([A-Z_][A-Z0-9_]*)\}$")
Warn = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class ResolvedKey:
    value: SecretStr
    source: str  # "flag", "env", "config env block", "keyring", "OpenClaw state store",
    # "config", "auth profile"

    def __repr__(self) -> str:
        return f"ResolvedKey(source={self.source!r})"


def referenced_variable(api_key: Any, default: str) -> str:
    """The variable a config ``apiKey`` refers to, else ``default``."""
    if isinstance(api_key, str) and (match := _REFERENCE.match(api_key.strip())):
        return match.group(1)
    if isinstance(api_key, Mapping) and api_key.get("source") == "env":
        name = api_key.get("id")
        if isinstance(name, str) and name:
            return name
    return default


def resolve_api_key(
    method: AuthMethod,
    env: Mapping[str, str],
    config: Mapping[str, Any],
    flag_value: str | None = None,
    *,
    provider_id: str | None = None,
    state_dir: Path | None = None,
    warn: Warn = lambda message: None,
) -> ResolvedKey:
    """The key for ``method`` from the first source that has one, else :class:`SecretError`."""
    from .secret import SecretStr

    block = get_path(config, "models", "providers", provider_id or "") if provider_id else None
    api_key = block.get("apiKey") if isinstance(block, Mapping) else None
    name = referenced_variable(api_key, method.env_var)
    sources: list[tuple[str, Callable[[], str | None]]] = [
        ("flag", lambda: flag_value),
        ("env", lambda: env.get(name)),
        ("config env block", lambda: config_env_vars(config).get(name)),
        ("keyring", lambda: keyring_get(name, warn)),
        (STATE_STORE, lambda: database_key(state_dir, method.profile_id)),
        ("config", lambda: _literal(api_key)),
        ("auth profile", lambda: file_key(state_dir, method.profile_id)),
    ]
    for source, lookup in sources:
        value = lookup()
        if value and value.strip():
            then = f"set it again, or run `openclaw onboard --auth-choice {method.choice}`"
            key = check_key(value.strip(), f"the {method.label} from {source} ({name})", then)
            return ResolvedKey(SecretStr(key), source)
    raise SecretError(
        f"no {method.label} found; set {name} or run "
        f"`openclaw onboard --auth-choice {method.choice}`"
    )


def _literal(api_key: Any) -> str | None:
    if isinstance(api_key, str) and "${" not in api_key:
        return api_key
    return None


# -- keyring -------------------------------------------------------------------------------


class KeyringSilent(Exception):
    """The keyring backend did not answer within ``KEYRING_SECONDS``."""


_silent = False  # a backend that did not answer once is not asked again by this process


def _bounded(call: Callable[[], Any]) -> Any:
    """``call()`` (a keyring call), on a thread of its own: its result or exception, or
    :class:`KeyringSilent` when it has not answered within ``KEYRING_SECONDS``. The time a
    password prompt of the backend's waits for the person at the terminal does not count
    (they may type slowly; Ctrl-C ends the command); the bound starts again once they
    answered. A call that never answers is left on its daemon thread; it cannot keep the
    process alive."""
    import threading
    import time

    from .prompts import asking

    global _silent
    if _silent:
        raise KeyringSilent
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as exc:
            outcome.append((False, exc))

    worker = threading.Thread(target=run, name="keyring", daemon=True)
    worker.start()
    deadline = time.monotonic() + KEYRING_SECONDS
    while worker.is_alive():
        if asking.is_set():  # a person is typing the keyring's password
            worker.join(0.05)
            deadline = time.monotonic() + KEYRING_SECONDS
            continue
        left = deadline - time.monotonic()
        if left <= 0:
            break
        worker.join(min(left, 0.05))
    if not outcome:
        _silent = True
        raise KeyringSilent
    ok, value = outcome[0]
    if not ok:
        raise value
    return value


def _silent_line(doing: str) -> str:
    return (
        f"the system keyring did not answer within {KEYRING_SECONDS:g} s; {doing} "
        "(unlock it, or set the key in the environment)"
    )


def keyring_backend_name() -> str | None:
    """The usable keyring backend's name, or None when there is none (fail/null backends)."""
    try:
        return _usable_backend()
    except Exception:
        return None


def _usable_backend() -> str | None:
    import keyring
    from keyring.backends import chainer, fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or type(backend).__module__.endswith(".null"):
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    return f"{type(backend).__module__}.{type(backend).__name__}"


def keyring_get(name: str, warn: Warn) -> str | None:
    from .prompts import PromptRefused, no_prompt_unless_allowed

    def read() -> tuple[str | None, object]:
        backend = keyring_backend_name()
        if backend is None:
            return None, None
        import keyring

        with no_prompt_unless_allowed():
            return backend, keyring.get_password(KEYRING_SERVICE, name)

    try:
        backend, value = _bounded(read)
    except KeyringSilent:
        warn(_silent_line("skipping it"))
        return None
    except PromptRefused as exc:
        warn(str(exc))
        return None
    except Exception as exc:  # locked, denied, broken D-Bus...: fall through
        warn(f"the system keyring could not be read ({type(exc).__name__}); skipping it")
        return None
    if backend is None:
        warn("no system keyring is available; skipping it")
        return None
    return _text(value, name, warn)


def _text(value: object, name: str, warn: Warn) -> str | None:
    """A keyring answer as text: bytes are decoded (UTF-8), anything else is skipped."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            warn(f"the system keyring holds {name} as bytes that are not UTF-8; skipping it")
            return None
    kind = type(value).__name__
    warn(f"the system keyring returned {name} as {kind}, not text; skipping it")
    return None


def keyring_set(name: str, value: SecretStr, warn: Warn | None = None) -> str | None:
    """Store the key; the backend's name on success, None when no usable keyring exists
    (``warn`` hears why when the keyring did not answer)."""

    from .prompts import no_prompt_unless_allowed

    def store() -> str | None:
        backend = keyring_backend_name()
        if backend is None:
            return None
        import keyring

        with no_prompt_unless_allowed():
            keyring.set_password(KEYRING_SERVICE, name, value.get_secret_value())
        return backend

    try:
        stored: str | None = _bounded(store)
    except KeyringSilent:
        if warn is not None:
            warn(_silent_line("not storing the key there"))
        return None
    except Exception:  # a refused prompt included: "no usable keyring" says what to do
        return None
    return stored
