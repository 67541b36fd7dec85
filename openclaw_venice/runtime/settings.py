"""Where the host's settings come from, for the ``openclaw`` command and for a provider used
from Python alike (:func:`~.plugins.host_context`, :func:`~.plugins.host_api_key`): one
way to find a provider's config block, its variables, its key and the cache dir."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .auth import AuthMethod
from .config_file import config_env_vars, config_path, get_path, load_config

if TYPE_CHECKING:
    from .secrets import ResolvedKey

APP_NAME = "openclaw"
Warn = Callable[[str], None]


def environment(env: Mapping[str, str] | None) -> dict[str, str]:
    return dict(os.environ if env is None else env)


def warn_on_stderr(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def config_data(env: Mapping[str, str]) -> Mapping[str, Any]:
    """The config file's data (``{}`` when there is none); :class:`ConfigError` if bad."""
    return load_config(config_path(env)).data


def cache_dir() -> Path:
    """platformdirs' user cache dir for the app. Its answer on Linux when the environment is
    the usual one (an absolute ``$XDG_CACHE_HOME``, else, when that is unset or blank, an
    absolute ``$HOME`` + ``/.cache``) is read here without loading platformdirs, which takes
    a twentieth of an offline ``openclaw models list`` to import; every other case asks
    platformdirs. The suite holds this to platformdirs' own answers
    (tests/test_settings_dirs.py)."""
    usual = _usual_linux_cache_home(os.environ)
    if usual is not None:
        return Path(usual) / APP_NAME
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME, appauthor=False))


def _usual_linux_cache_home(env: Mapping[str, str]) -> str | None:
    android = hasattr(sys, "getandroidapilevel") or env.get("ANDROID_DATA") == "/data"
    if sys.platform != "linux" or android:  # Android has dirs of its own
        return None
    xdg = env.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return xdg
    if xdg.strip():  # relative: platformdirs before 4.11.8 takes it, later ones ignore it
        return None
    home = env.get("HOME", "")
    # as os.path.expanduser("~/.cache") reads HOME for platformdirs: trailing slashes dropped
    # (a HOME of "//" is "/", where joining would give "//.cache", a root of its own)
    return home.rstrip("/") + "/.cache" if os.path.isabs(home) else None


def state_dir(env: Mapping[str, str]) -> Path:
    configured = env.get("OPENCLAW_STATE_DIR")
    return Path(configured).expanduser() if configured else Path.home() / ".openclaw"


def variable_lookup(
    env: Mapping[str, str], data: Mapping[str, Any], warn: Warn
) -> Callable[[str], str | None]:
    """``${NAME}``: process env, then the config ``env`` block, then the keyring."""
    from .secrets import keyring_get
    from .substitution import env_lookup

    layered = env_lookup(env, config_env_vars(data))

    def lookup(name: str) -> str | None:
        return layered(name) or keyring_get(name, warn)

    return lookup


def provider_config(
    data: Mapping[str, Any], provider_id: str, env: Mapping[str, str], warn: Warn
) -> Mapping[str, Any]:
    """``models.providers.<id>`` with ``${VAR}`` substituted (``apiKey`` is left as
    written: it is resolved, with its own order, only when a key is needed)."""
    from .substitution import substitute

    block = get_path(data, "models", "providers", provider_id)
    if not isinstance(block, Mapping):
        return {}
    lookup = variable_lookup(env, data, warn)
    prefix = f"models.providers.{provider_id}"
    return {
        key: value if key == "apiKey" else substitute(value, lookup, f"{prefix}.{key}")
        for key, value in block.items()
    }


def api_key(
    method: AuthMethod,
    provider_id: str,
    env: Mapping[str, str],
    data: Mapping[str, Any],
    flag_value: str | None = None,
    warn: Warn = warn_on_stderr,
) -> ResolvedKey:
    """The key from the first source that has one (see :mod:`.secrets`)."""
    from .secrets import resolve_api_key

    return resolve_api_key(
        method,
        env,
        data,
        flag_value,
        provider_id=provider_id,
        state_dir=state_dir(env),
        warn=warn,
    )
