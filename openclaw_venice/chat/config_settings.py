"""What the config's provider block (``models.providers.venice``, as the host hands it over
in ``ProviderContext.config``) asks of every turn, in the keys TypeScript OpenClaw's schema
gives them. Pure.

* ``headers``: sent with each request, except those that would identify the user or this
  machine (``User-Agent``, client hints, forwarding headers, cookies...) or carry a
  credential (the key goes in ``Authorization``, from the key sources, nowhere else), and
  those the request itself sets. A value may be a string or an env SecretRef
  (``{source: "env", provider: "default", id: "NAME"}``). What is dropped is said once, by
  name (never the value).
* ``maxTokens``: the provider-level cap on output tokens; a turn never asks for more.
* ``params.venice_parameters``: Venice switches for every turn, under the turn's own
  (a switch the turn sets wins).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from ..runtime.catalog import ModelInfo

Warn = Callable[[str], None]

#: set by the request itself (auth, content negotiation) or by HTTP (framing, routing)
_OWN = frozenset(
    {"authorization", "user-agent", "content-type", "content-length", "accept",
     "accept-encoding", "host", "connection", "transfer-encoding", "te", "upgrade",
     "keep-alive", "expect", "trailer"}
)  # fmt: skip
#: would identify the user, the machine or the client software to Venice
_FINGERPRINT = frozenset(
    {"cookie", "forwarded", "via", "from", "referer", "origin", "dnt", "x-real-ip",
     "true-client-ip", "x-client-ip", "x-request-id", "x-correlation-id", "x-session-id",
     "x-user-id", "x-device-id", "x-machine-id"}
)  # fmt: skip
_FINGERPRINT_PREFIXES = ("x-forwarded-", "x-stainless-", "sec-ch-", "sec-fetch-", "x-client-")
#: words that mark a header as carrying a credential
_CREDENTIAL_WORDS = ("auth", "key", "token", "secret", "password", "credential", "session")


class ProviderSettings(NamedTuple):
    headers: Mapping[str, str] = {}
    max_tokens: int | None = None
    venice_parameters: Mapping[str, Any] = {}

    def cap(self, model: ModelInfo) -> ModelInfo:
        """``model`` with its output limit at most the provider's ``maxTokens``."""
        if self.max_tokens is None or self.max_tokens >= model.max_tokens:
            return model
        return model._replace(max_tokens=self.max_tokens)


NONE = ProviderSettings()


def settings_from_config(
    config: Mapping[str, Any], env: Mapping[str, str], warn: Warn
) -> ProviderSettings:
    """The settings ``config`` (the provider block, ``${VAR}`` already substituted) holds;
    a value of the wrong shape is said in one line and left out."""
    if not config:
        return NONE
    return ProviderSettings(
        headers=sendable_headers(config.get("headers"), env, warn),
        max_tokens=_max_tokens(config.get("maxTokens"), warn),
        venice_parameters=_venice_parameters(config.get("params"), warn),
    )


def sendable_headers(value: Any, env: Mapping[str, str], warn: Warn) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        warn("models.providers.venice.headers is not an object; no headers sent from it")
        return {}
    headers: dict[str, str] = {}
    for name, raw in value.items():
        text = _header_value(raw, env)
        where = f"models.providers.venice.headers.{name}"
        if not isinstance(name, str) or not _is_token(name) or text is None:
            warn(f"{where} is not a header name and text value; not sent")
            continue
        reason = refused_header(name)
        if reason:
            warn(f"{where} is not sent: {reason}")
            continue
        headers[name] = text
    return headers


def refused_header(name: str) -> str | None:
    """Why a configured header is not sent, or None when it may be."""
    lower = name.lower()
    if lower in _OWN:
        return "the request sets it itself"
    if lower in _FINGERPRINT or lower.startswith(_FINGERPRINT_PREFIXES):
        return "it would identify you or this machine to Venice"
    if any(word in lower for word in _CREDENTIAL_WORDS):
        return "it would carry a credential (the key is sent as Authorization alone)"
    return None


def _header_value(raw: Any, env: Mapping[str, str]) -> str | None:
    if isinstance(raw, Mapping) and raw.get("source") == "env":
        raw = env.get(str(raw.get("id")))
    if not isinstance(raw, str) or any(c in raw for c in "\r\n\0"):
        return None
    return raw


def _is_token(name: str) -> bool:
    """An HTTP header name (RFC 9110 token)."""
    allowed = "!#$%&'*+-.^_`|~"
    return bool(name) and all(c.isascii() and (c.isalnum() or c in allowed) for c in name)


def _max_tokens(value: Any, warn: Warn) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        warn("models.providers.venice.maxTokens is not a number; no provider cap applied")
        return None
    if value < 1:
        warn("models.providers.venice.maxTokens must be positive; no provider cap applied")
        return None
    return int(value)


def _venice_parameters(params: Any, warn: Warn) -> dict[str, Any]:
    value = params.get("venice_parameters") if isinstance(params, Mapping) else None
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        warn("models.providers.venice.params.venice_parameters is not an object; ignored")
        return {}
    return {str(k): v for k, v in value.items()}
