"""One provider of the host as Hermes Agent asks for it: identity, base URL, models,
limits and per-request fields, through the plugin contract alone.

Hermes builds and sends each request itself (openai SDK). A profile can only add to it:
body fields (``extra_body`` and top-level kwargs), a default ``max_tokens``, client
headers. What the provider wants of a request comes from its ``DirectClientRules``; a
provider without them gets Hermes' request as is.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..ai import ChatSettings, ReasoningLevel
from ..catalog import Catalog, ModelInfo
from ..errors import OpenClawError
from ..host import Host
from ..plugins import DirectClientRules, Provider

# The openai SDK's fingerprint headers (platform_headers() and the per-request pair): the
# SDK drops a header whose value is its ``Omit``, default or per request.
SDK_CLIENT_HEADERS = (
    "X-Stainless-Lang",
    "X-Stainless-Package-Version",
    "X-Stainless-OS",
    "X-Stainless-Arch",
    "X-Stainless-Runtime",
    "X-Stainless-Runtime-Version",
    "X-Stainless-Async",
)
SDK_REQUEST_HEADERS = ("x-stainless-retry-count", "x-stainless-read-timeout")

# Hermes' effort words (hermes_constants.VALID_REASONING_EFFORTS) on the host's scale.
_EFFORTS: Mapping[str, ReasoningLevel] = {
    "none": "off",
    "minimal": "minimal",
    "low": "low",
    "medium": "medium",
    "high": "high",
    "xhigh": "xhigh",
    "max": "xhigh",
    "ultra": "xhigh",
}


def reasoning_level(reasoning_config: Mapping[str, Any] | None) -> ReasoningLevel | None:
    """Hermes' ``reasoning_config`` (None, ``{"enabled": False}`` or ``{"enabled": True,
    "effort": word}``) as the host's level; None means the model's own default."""
    if not isinstance(reasoning_config, Mapping):
        return None
    if reasoning_config.get("enabled") is False:
        return "off"
    effort = str(reasoning_config.get("effort") or "").strip().lower()
    return _EFFORTS.get(effort)


@dataclass(frozen=True, slots=True)
class RequestExtras:
    """What one Hermes request gets from the bridge: ``extra_body`` fields and top-level
    kwargs of ``chat.completions.create``."""

    extra_body: dict[str, Any]
    top_level: dict[str, Any]


class HermesBridge:
    """``provider_id`` of the host's registry, for one Hermes process. The catalog is read
    on first need (live, cache or bundle, never at import) and kept for the process."""

    def __init__(self, provider_id: str, host: Host | None = None) -> None:
        self.host = host or Host()
        self.provider: Provider = self.host.registry.provider(provider_id)
        self._catalog: Catalog | None = None

    @property
    def rules(self) -> DirectClientRules | None:
        return self.provider if isinstance(self.provider, DirectClientRules) else None

    # -- identity -----------------------------------------------------------------------
    @property
    def aliases(self) -> tuple[str, ...]:
        rules = self.rules
        return tuple(rules.aliases) if rules else ()

    @property
    def key_env_var(self) -> str:
        methods = self.provider.auth_methods
        return methods[0].env_var if methods else ""

    def base_url(self) -> str:
        """The endpoint the host would call (config ``baseUrl``, env override)."""
        return self.provider.base_url(self.host.provider_context(self.provider))

    def export_key(self, environ: os._Environ[str] | dict[str, str]) -> str | None:
        """Hermes reads the key from its ``.env`` or the environment only. When neither has
        it, put the key the host would use (config ``env`` block, keyring, auth profile)
        into this process's environment, which Hermes keeps from the commands its tools run.
        Returns the source used, or None (no key anywhere: Hermes says which variable to
        set)."""
        var = self.key_env_var
        if not var or environ.get(var, "").strip():
            return None
        try:
            key = self.host.resolve_key(self.provider)
        except OpenClawError:
            return None
        environ[var] = key.value.get_secret_value()
        return key.source

    # -- models -------------------------------------------------------------------------
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = self.host.catalog(self.provider.id)
        return self._catalog

    def agent_models(self, catalog: Catalog) -> list[str]:
        """Ids Hermes may offer: those the provider's rules allow for agent use."""
        rules = self.rules
        return [m.id for m in catalog.models if rules is None or rules.offered_for_agents(m)]

    def fallback_models(self) -> tuple[str, ...]:
        """For Hermes' picker when nothing else answers: the bundled catalog (no network)."""
        return tuple(self.agent_models(self.provider.bundled_catalog()))

    def model(self, model_id: str | None) -> ModelInfo | None:
        if not model_id:
            return None
        found = self.catalog().resolve(model_id)
        return found.model if found else None

    def max_tokens(self, model_id: str | None) -> int | None:
        """The model's output limit, Hermes' default ``max_tokens`` for it."""
        model = self.model(model_id)
        return model.max_tokens if model else None

    # -- requests -----------------------------------------------------------------------
    def request_extras(
        self,
        model_id: str | None,
        *,
        reasoning_config: Mapping[str, Any] | None = None,
        session_id: str | None = None,
        configured_max_tokens: int | None = None,
        max_tokens_key: str = "max_tokens",
    ) -> RequestExtras:
        """Fields for one request. Hermes sends its tools on every agent turn: a model
        without function calling gets the turn without them (the provider would fail the
        whole request), and the rules are asked for a turn with tools otherwise. A configured
        ``max_tokens`` above the model's limit is brought down to it (Hermes would send it as
        is)."""
        top: dict[str, Any] = {}
        if self.rules is not None and self.rules.fingerprint_free:
            top["extra_headers"] = dict.fromkeys(SDK_REQUEST_HEADERS, _omit())
        if not model_id:
            return RequestExtras({}, top)
        model = self.model(model_id)
        if model is None:  # not in the catalog: the rules still judge the id (e2ee-...)
            model = ModelInfo(id=model_id, name=model_id, provider=self.provider.id)
        elif configured_max_tokens is not None and configured_max_tokens > model.max_tokens:
            top[max_tokens_key] = model.max_tokens
        if not model.supports_tools:
            top["tools"] = _omit()  # the SDK leaves an omitted argument out of the body
        if self.rules is None:
            return RequestExtras({}, top)
        settings = ChatSettings(reasoning=reasoning_level(reasoning_config), session_id=session_id)
        with_tools = model.supports_tools
        fields = dict(self.rules.request_fields(model, settings, with_tools=with_tools))
        return RequestExtras(fields, top)

    def default_headers(self) -> dict[str, Any]:
        """Client headers: the SDK's fingerprint headers removed where the rules ask, and its
        User-Agent (``AsyncOpenAI/Python <version>``) replaced by the provider's own."""
        if self.rules is None or not self.rules.fingerprint_free:
            return {}
        headers: dict[str, Any] = dict.fromkeys(SDK_CLIENT_HEADERS, _omit())
        user_agent = getattr(self.rules, "user_agent", "")
        if isinstance(user_agent, str) and user_agent:
            headers["User-Agent"] = user_agent
        return headers


def hermes_model_metadata(models: Sequence[ModelInfo]) -> dict[str, dict[str, Any]]:
    """The catalog as Hermes reads a ``/models`` answer (``agent.model_metadata``): context
    window, output limit, and prices per token as decimal strings (for its cost estimate);
    a cache price not listed is given as the input price, as our own estimate counts it
    (Hermes would call the whole turn's cost unknown)."""
    return {
        m.id: {
            "name": m.name,
            "context_length": m.context_window,
            "max_completion_tokens": m.max_tokens,
            "pricing": {
                "prompt": _per_token(m.cost.input),
                "completion": _per_token(m.cost.output),
                "cache_read": _per_token(m.cost.cache_read_rate),
                "cache_write": _per_token(m.cost.cache_write_rate),
            },
        }
        for m in models
    }


def _per_token(per_million: float) -> str:
    return format(per_million / 1_000_000, ".12g")


def _omit() -> Any:
    """The openai SDK's marker for "do not send this" (a header, an argument)."""
    from openai import Omit

    return Omit()


def provider_ids(host: Host) -> Sequence[str]:
    return sorted(host.registry.providers)
