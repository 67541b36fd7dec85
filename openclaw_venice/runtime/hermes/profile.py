"""The bridge as a Hermes ``ProviderProfile``: runs inside a Hermes Agent process only.

``register_profile(provider_id)`` is what an installed plugin folder calls; it builds the
profile from the host's registry and hands it to ``providers.register_provider``. Hermes'
modules are imported by name (they are untyped and present only inside Hermes).
"""

from __future__ import annotations

import importlib
import math
import os
from typing import Any

from ..catalog import Catalog
from .bridge import HermesBridge, hermes_model_metadata

_PROFILE_CLASS: type[Any] | None = None


def register_profile(provider_id: str) -> Any:
    """Register ``provider_id`` with Hermes and return its profile."""
    bridge = HermesBridge(provider_id)
    bridge.export_key(os.environ)
    profile = build_profile(bridge)
    importlib.import_module("providers").register_provider(profile)
    return profile


def build_profile(bridge: HermesBridge) -> Any:
    provider = bridge.provider
    profile = _profile_class()(
        name=provider.id,
        aliases=bridge.aliases,
        display_name=provider.label,
        description=f"{provider.label} (through the openclaw host)",
        env_vars=(bridge.key_env_var,) if bridge.key_env_var else (),
        base_url=bridge.base_url(),
        fallback_models=bridge.fallback_models(),
    )
    profile.bridge = bridge
    _seed_metadata(profile.base_url, provider.bundled_catalog())
    return profile


def _catalog(profile: Any) -> Catalog:
    """The host's catalog, loaded on first need; Hermes' model metadata follows it, again on
    every request (the live catalog replaces the bundled one seeded at start)."""
    bridge: HermesBridge = profile.bridge
    catalog = bridge.catalog()
    _seed_metadata(profile.base_url, catalog)
    return catalog


def _seed_metadata(base_url: str, catalog: Catalog) -> None:
    """Hermes takes context windows and prices from an endpoint's ``/models`` answer, kept
    in memory per base URL; the host's catalog goes there instead, so Hermes neither probes
    the endpoint for them nor falls back to its guesses. Hermes has no hook for this: a
    Hermes that moved the cache loses only this (and probes as before).

    The entry never expires: Hermes' copy of what it fetched lasts 5 minutes, then it asks
    ``/models`` again, and Venice's answer does not say limits or prices in Hermes' terms;
    ours is the host's catalog, which the bridge keeps for the whole process. Dated now,
    a turn that took over 5 minutes was priced without it (and Hermes fetched ``/models``
    with the key)."""
    try:
        metadata = importlib.import_module("agent.model_metadata")
        key = metadata._normalize_base_url(base_url)
        metadata._endpoint_model_metadata_cache[key] = hermes_model_metadata(catalog.models)
        metadata._endpoint_model_metadata_cache_time[key] = math.inf
    except Exception:
        return


def _profile_class() -> type[Any]:
    """A ``ProviderProfile`` subclass whose hooks ask the bridge (made once per process)."""
    global _PROFILE_CLASS
    if _PROFILE_CLASS is None:
        base = importlib.import_module("providers.base").ProviderProfile
        _PROFILE_CLASS = type(
            "OpenClawProviderProfile",
            (base,),
            {
                "fetch_models": _fetch_models,
                "get_max_tokens": _get_max_tokens,
                "build_api_kwargs_extras": _build_api_kwargs_extras,
                "default_headers": property(_default_headers, _keep_headers),
                "__module__": __name__,
            },
        )
    return _PROFILE_CLASS


def _default_headers(self: Any) -> dict[str, Any]:
    """Read when Hermes builds its OpenAI client: made then, since the SDK's ``Omit`` costs
    the import of the whole SDK (seconds) that a Hermes command without a turn never pays."""
    headers: dict[str, Any] | None = self.__dict__.get("_headers")
    if headers is None:
        bridge: HermesBridge | None = self.__dict__.get("bridge")
        headers = bridge.default_headers() if bridge else {}
        headers.update(self.__dict__.get("_given_headers", {}))
        self.__dict__["_headers"] = headers
    return headers


def _keep_headers(self: Any, value: dict[str, Any]) -> None:
    self.__dict__["_given_headers"] = dict(value)


def _fetch_models(self: Any, **_: Any) -> list[str] | None:
    """The host's catalog (live, cache or bundle), as Hermes' live model list."""
    bridge: HermesBridge = self.bridge
    return bridge.agent_models(_catalog(self))


def _get_max_tokens(self: Any, model: str | None) -> int | None:
    _catalog(self)
    bridge: HermesBridge = self.bridge
    return bridge.max_tokens(model)


def _build_api_kwargs_extras(
    self: Any, *, reasoning_config: dict[str, Any] | None = None, **context: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    _catalog(self)
    bridge: HermesBridge = self.bridge
    model = context.get("model")
    if reasoning_config is None:
        reasoning_config = _configured_reasoning(model)
    extras = bridge.request_extras(
        model,
        reasoning_config=reasoning_config,
        session_id=context.get("session_id"),
        configured_max_tokens=_configured_max_tokens(),
        max_tokens_key=_max_tokens_key(model),
    )
    return extras.extra_body, extras.top_level


def _configured_reasoning(model: str | None) -> dict[str, Any] | None:
    """``agent.reasoning_effort`` from Hermes' config. ``hermes -z`` (0.19.0) never passes
    it to the agent, so without this a one-shot turn would ignore the user's setting."""
    try:
        config = importlib.import_module("hermes_cli.config").load_config_readonly()
        resolve = importlib.import_module("hermes_constants").resolve_reasoning_config
        found = resolve(config, model or "")
    except Exception:
        return None
    return found if isinstance(found, dict) else None


def _configured_max_tokens() -> int | None:
    try:
        config = importlib.import_module("hermes_cli.config").load_config_readonly()
    except Exception:
        return None
    model = config.get("model") if isinstance(config, dict) else None
    value = model.get("max_tokens") if isinstance(model, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _max_tokens_key(model: str | None) -> str:
    """The name Hermes gives the budget for ``model`` (``AIAgent._max_tokens_param``)."""
    try:
        forces = importlib.import_module("utils").model_forces_max_completion_tokens
        return "max_completion_tokens" if forces(model or "") else "max_tokens"
    except Exception:
        return "max_tokens"
