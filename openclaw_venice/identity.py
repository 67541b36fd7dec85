"""Who the Venice provider is: ids, URLs, the auth method and the onboarding note."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._version import __version__
from .runtime.plugins import AuthMethod

PROVIDER_ID = "venice"
LABEL = "Venice"
ENV_VAR = "VENICE_API_KEY"
BASE_URL_ENV_VAR = "VENICE_BASE_URL"
DEFAULT_BASE_URL = "https://api.venice.ai/api/v1"
API = "openai-completions"
PROFILE_ID = "venice:default"
KEY_PAGE = "https://venice.ai/settings/api"
USER_AGENT = f"openclaw-venice/{__version__}"  # no OS, architecture or runtime version

ONBOARDING_NOTE = (
    "Venice AI offers privacy-focused inference. Get an API key at "
    f"{KEY_PAGE}. Models are 'private' (fully private: nothing stored or logged) or "
    "'anonymized' (proxied to Claude, GPT, Gemini, Grok without identifying you)."
)

AUTH_METHOD = AuthMethod(
    method="api-key",
    choice="venice-api-key",
    label="Venice AI API key",
    cli_flag="--venice-api-key",
    env_var=ENV_VAR,
    profile_id=PROFILE_ID,
    hint="Privacy-focused (uncensored models)",
    group="Venice AI",
    prompt="Enter Venice AI API key",
    note=ONBOARDING_NOTE,
)


def base_url_problem(base_url: str) -> str | None:
    """Why no request can go to ``base_url`` (a bad port, no host, not http(s), a user name
    or password in it), None when one can. Nothing of a URL holding userinfo is shown."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(base_url)
        parts.port  # noqa: B018 - raises ValueError when out of range or not a number
    except ValueError as exc:
        return f"the base URL is malformed: {exc}"
    if "@" in parts.netloc:
        return "the base URL holds a user name or password; remove the part before @"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "the base URL is not an http(s) URL with a host"
    return None


def resolve_base_url(config: Mapping[str, Any], env: Mapping[str, str]) -> str:
    """``VENICE_BASE_URL`` over config ``baseUrl`` over the public endpoint."""
    configured = config.get("baseUrl")
    url = env.get(BASE_URL_ENV_VAR) or (configured if isinstance(configured, str) else "")
    return (url or DEFAULT_BASE_URL).rstrip("/")
