"""The Venice provider: identity, auth method, catalog, and turns for a Python runtime
(the chat machinery itself lives in ``chat/``)."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .catalog import load_bundle, merge_catalog
from .errors import DiscoveryError
from .identity import (
    API,
    AUTH_METHOD,
    DEFAULT_BASE_URL,
    ENV_VAR,
    LABEL,
    PROVIDER_ID,
    USER_AGENT,
    resolve_base_url,
)
from .model_cache import CACHE_TTL_SECONDS, ModelCache
from .runtime.catalog import Catalog, ModelInfo
from .runtime.plugins import (
    AuthMethod,
    ChatFlag,
    ChatSession,
    ProviderContext,
    host_api_key,
    host_context,
)

if TYPE_CHECKING:
    from .chat.client import VeniceChat
    from .chat.options import StreamOptions
    from .embeddings import VeniceEmbeddings
    from .images.client import VeniceImages
    from .runtime.ai import AssistantMessage, ChatSettings, Context, StreamEvent
    from .runtime.plugins import SecretStr

DEFAULT_MODEL_ID = "kimi-k2-6"  # private, vision, tools and reasoning


def model_config_entry(model: ModelInfo) -> dict[str, Any]:
    """A model as TypeScript OpenClaw writes it in ``models.providers.venice.models``."""
    compat: dict[str, Any] = {"supportsUsageInStreaming": False}
    if not model.supports_tools:
        compat["supportsTools"] = False
    return {
        "id": model.id,
        "name": model.name,
        "reasoning": model.reasoning,
        "input": list(model.input),
        "cost": model.cost.to_json(),
        "contextWindow": model.context_window,
        "maxTokens": model.max_tokens,
        "compat": compat,
    }


class VeniceProvider:
    """Venice AI as an OpenClaw provider."""

    id = PROVIDER_ID
    label = LABEL
    env_vars: Sequence[str] = (ENV_VAR,)
    default_base_url = DEFAULT_BASE_URL
    api = API
    auth_methods: Sequence[AuthMethod] = (AUTH_METHOD,)
    default_model: str | None = DEFAULT_MODEL_ID
    aliases: Sequence[str] = ("veniceai", "venice-ai")
    fingerprint_free = True  # privacy: no SDK, OS or runtime headers from another client

    def __init__(self) -> None:
        self._client: VeniceChat | None = None  # made on the first turn, never in register()

    def __repr__(self) -> str:
        return "VeniceProvider()"

    # -- turns, for a Python runtime that loaded the plugin ----------------------------------
    def client(self, api_key: str | SecretStr | None = None) -> VeniceChat:
        """The :class:`VeniceChat` behind :meth:`stream` and :meth:`complete`, set up as the
        ``openclaw`` command sets up a chat: base URL ``VENICE_BASE_URL``, else the config
        file's ``models.providers.venice.baseUrl``, else Venice's; key ``api_key``, else the
        first of the command's sources that has one (``VENICE_API_KEY`` or the variable the
        config's ``apiKey`` names, the config's ``env`` block, the system keyring, a literal
        ``apiKey``, the auth profile). Passing a key makes a new client."""
        if api_key is not None or self._client is None:
            from .chat.client import VeniceChat

            ctx = host_context(self)
            key = api_key if api_key is not None else host_api_key(self)
            base_url = resolve_base_url(ctx.config, ctx.env)
            self._client = VeniceChat(key, base_url=base_url, warn=ctx.warn)
        return self._client

    def stream(
        self, model: ModelInfo | str, context: Context, options: StreamOptions | None = None
    ) -> AsyncIterator[StreamEvent]:
        """One turn's events (``start`` … ``done`` or ``error``); see :class:`VeniceChat`."""
        return self.client().stream(model, context, options)

    async def complete(
        self, model: ModelInfo | str, context: Context, options: StreamOptions | None = None
    ) -> AssistantMessage:
        """One turn's final message; raises the typed error on failure."""
        return await self.client().complete(model, context, options)

    def complete_sync(
        self, model: ModelInfo | str, context: Context, options: StreamOptions | None = None
    ) -> AssistantMessage:
        """:meth:`complete` for scripts without an event loop."""
        return self.client().complete_sync(model, context, options)

    # -- beyond chat: images, embeddings, balance and usage ---------------------------------
    @functools.cached_property
    def images(self) -> VeniceImages:
        """``await provider.images.generate("a lighthouse at dusk", count=2)`` (or
        ``generate_sync``): image bytes with their metadata; the key as for :meth:`client`."""
        from .images.client import VeniceImages

        return VeniceImages(self.client)

    @functools.cached_property
    def embeddings(self) -> VeniceEmbeddings:
        """``await provider.embeddings.create(texts, model=..., dimensions=...)`` (or
        ``create_sync``): one vector per text, batched within Venice's limits."""
        from .embeddings import VeniceEmbeddings

        return VeniceEmbeddings(self.client)

    # -- rules for another runtime's own client (``DirectClientRules``) ----------------------
    def offered_for_agents(self, model: ModelInfo) -> bool:
        from .chat.direct_rules import offered_for_agents

        return offered_for_agents(model)

    def request_fields(
        self, model: ModelInfo, settings: ChatSettings, *, with_tools: bool
    ) -> Mapping[str, Any]:
        from .chat.direct_rules import request_fields

        return request_fields(model, settings, with_tools=with_tools)

    @property
    def chat_flags(self) -> Sequence[ChatFlag]:
        from .chat.session import CHAT_FLAGS

        return CHAT_FLAGS

    def base_url(self, ctx: ProviderContext) -> str:
        return resolve_base_url(ctx.config, ctx.env)

    def chat(
        self, ctx: ProviderContext, api_key: SecretStr, catalog: Catalog | None = None
    ) -> ChatSession:
        """A chat session on the catalog the host lists (no I/O until the first turn); it
        resolves model ids, ``:key=value`` suffix and all, and sends the suffix once."""
        from .chat.client import VeniceChat
        from .chat.session import VeniceSession

        base_url = resolve_base_url(ctx.config, ctx.env)
        return VeniceSession(
            VeniceChat(api_key, base_url=base_url, catalog=catalog, warn=ctx.warn, env=ctx.env)
        )

    def onboarding_config(
        self, existing: Mapping[str, Any], catalog: Catalog, api_key_ref: str
    ) -> dict[str, Any]:
        """baseUrl (kept), api, the key reference, and the models: the config's own first,
        then the catalog's models it does not list yet (as TypeScript OpenClaw does)."""
        models = [m for m in existing.get("models") or [] if isinstance(m, Mapping)]
        listed = {m.get("id") for m in models}
        models += [model_config_entry(m) for m in catalog.models if m.id not in listed]
        base_url = existing.get("baseUrl")
        return {
            "baseUrl": base_url if isinstance(base_url, str) and base_url else DEFAULT_BASE_URL,
            "api": API,
            "apiKey": api_key_ref,
            "models": models,
        }

    def bundled_catalog(self) -> Catalog:
        return load_bundle()

    def catalog(self, ctx: ProviderContext) -> Catalog:
        """Fresh cache, else live ``/models``, else the bundle (with a warning).

        A failure is remembered for a minute so that repeated commands offline stay fast;
        ``ctx.refresh`` skips both the cache and that memory.
        """
        base_url = resolve_base_url(ctx.config, ctx.env)
        cache = ModelCache(ctx.cache_dir, base_url)
        cached = cache.read()
        bundle = load_bundle()
        if not ctx.refresh:
            if cached is not None and 0 <= cached.age() < CACHE_TTL_SECONDS:
                return merge_catalog(cached.rows, bundle, "cache")
            if cache.failed_recently():
                ctx.warn(
                    "Venice was unreachable a moment ago; showing the bundled catalog "
                    "(--refresh tries again)"
                )
                return bundle
        return self._discover(base_url, cache, bundle, cached.rows if cached else None, ctx)

    def _discover(
        self,
        base_url: str,
        cache: ModelCache,
        bundle: Catalog,
        previous_rows: list[Any] | None,
        ctx: ProviderContext,
    ) -> Catalog:
        from .discovery import fetch_model_rows

        try:
            rows = fetch_model_rows(base_url, user_agent=USER_AGENT)
        except DiscoveryError as exc:
            cache.remember_failure()
            ctx.warn(f"Venice model discovery failed ({exc}); showing the bundled catalog")
            return bundle
        live = merge_catalog(rows, bundle, "live")
        if not live.models:
            cache.remember_failure()
            ctx.warn("Venice listed no usable text models; showing the bundled catalog")
            return bundle
        try:
            cache.write(rows)
        except OSError as exc:
            ctx.warn(f"could not write the model cache ({exc.strerror}); continuing")
        if previous_rows is None:
            return live
        previous = merge_catalog(previous_rows, bundle, "cache")
        return replace(live, previous_ids=frozenset(m.id for m in previous.models))
