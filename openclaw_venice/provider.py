"""The Venice provider: identity, auth method, catalog, and turns for a Python runtime
(the chat machinery itself lives in ``chat/``)."""

from __future__ import annotations

import functools
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .catalog import load_bundle, merge_catalog
from .identity import (
    API,
    AUTH_METHOD,
    DEFAULT_BASE_URL,
    ENV_VAR,
    LABEL,
    PROVIDER_ID,
    USER_AGENT,
    base_url_problem,
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


_DRIFTING = ("cost", "contextWindow", "maxTokens")  # what changed between our versions


def package_rows(catalog: Catalog) -> dict[str, dict[str, Any]]:
    """What earlier versions of this package wrote into the config for each known id
    (``model_config_entry``), without the facts that drift from release to release."""
    models = (*load_bundle().models, *load_bundle().retired, *catalog.models, *catalog.retired)
    rows: dict[str, dict[str, Any]] = {}
    for model in models:
        entry = model_config_entry(model)
        rows.setdefault(model.id, {k: v for k, v in entry.items() if k not in _DRIFTING})
    return rows


def _written_by_us(row: Any, ours: Mapping[str, Mapping[str, Any]]) -> bool:
    """A row with exactly our keys and our name, reasoning, input and compat for its id: a
    frozen copy of a catalog row, not something the user wrote."""
    if not isinstance(row, Mapping) or set(row) != _ROW_KEYS:
        return False
    known = ours.get(row.get("id"))  # type: ignore[arg-type]
    return known is not None and {k: v for k, v in row.items() if k not in _DRIFTING} == known


_ROW_KEYS = frozenset({"id", "name", "reasoning", "input", "cost", "contextWindow", "maxTokens"})
_ROW_KEYS |= {"compat"}


_REFERENCE = re.compile(r"\$\{[A-Z_][A-Z0-9_]*\}")


def is_reference(api_key: Any) -> bool:
    """``${NAME}`` or a SecretRef object: kept as written, never replaced."""
    if isinstance(api_key, Mapping):
        return True
    return isinstance(api_key, str) and _REFERENCE.fullmatch(api_key.strip()) is not None


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
    #: OpenAI request fields our chat sessions carry to Venice (``chat/openai_fields.py``)
    openai_fields = frozenset(
        {
            "stop", "seed", "top_p", "top_k", "min_p", "frequency_penalty", "presence_penalty",
            "repetition_penalty", "tool_choice", "parallel_tool_calls", "user",
            "response_format",
        }
    )  # fmt: skip

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
        config's ``apiKey`` names, the config's ``env`` block, the system keyring, TypeScript
        OpenClaw's state store, a literal ``apiKey``, the auth-profile file). Passing a key
        makes a new client."""
        if api_key is not None or self._client is None:
            from .chat.client import VeniceChat
            from .chat.config_settings import settings_from_config

            ctx = host_context(self)
            key = api_key if api_key is not None else host_api_key(self)
            base_url = resolve_base_url(ctx.config, ctx.env)
            settings = settings_from_config(ctx.config, ctx.env, ctx.warn)
            self._client = VeniceChat(
                key, base_url=base_url, warn=ctx.warn, state_dir=ctx.state_dir, settings=settings
            )
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
        resolves model ids, ``:key=value`` suffix and all, and sends the suffix once. The
        config's provider block (``ctx.config``) adds its ``headers``, ``maxTokens`` and
        ``params.venice_parameters`` to every turn (``chat/config_settings.py``)."""
        from .chat.client import VeniceChat
        from .chat.config_settings import settings_from_config
        from .chat.session import VeniceSession

        base_url = resolve_base_url(ctx.config, ctx.env)
        settings = settings_from_config(ctx.config, ctx.env, ctx.warn)
        chat = VeniceChat(
            api_key, base_url=base_url, catalog=catalog, warn=ctx.warn, env=ctx.env,
            state_dir=ctx.state_dir, settings=settings,
        )  # fmt: skip
        return VeniceSession(chat)

    def onboarding_config(
        self, existing: Mapping[str, Any], catalog: Catalog, api_key_ref: str, mode: str = "merge"
    ) -> dict[str, Any]:
        """The keys of ``models.providers.venice`` to set, ``existing`` being the block as
        written (``${VAR}`` unexpanded): baseUrl and apiKey only when missing (a literal key
        becomes ``api_key_ref``), api, and in ``merge`` mode no catalog rows (the catalog
        comes from Venice or the bundle at run time, as in TypeScript OpenClaw): rows this
        package wrote earlier are dropped, the user's own stay. ``replace`` mode lists the
        catalog's models the config does not list yet."""
        block: dict[str, Any] = {"api": API}
        base_url = existing.get("baseUrl")
        if not (isinstance(base_url, str) and base_url):
            block["baseUrl"] = DEFAULT_BASE_URL
        if not is_reference(existing.get("apiKey")):
            block["apiKey"] = api_key_ref
        rows = existing.get("models")
        if not isinstance(rows, list):
            return block
        if mode == "replace":
            listed = {m.get("id") for m in rows if isinstance(m, Mapping)}
            rows = rows + [model_config_entry(m) for m in catalog.models if m.id not in listed]
        else:
            ours = package_rows(catalog)
            rows = [m for m in rows if not _written_by_us(m, ours)]
        if rows != existing.get("models"):
            block["models"] = rows
        return block

    def bundled_catalog(self) -> Catalog:
        return load_bundle()

    def catalog(self, ctx: ProviderContext) -> Catalog:
        """Fresh cache, else live ``/models``, else the bundle (with a warning).

        A failure is remembered for a minute so that repeated commands offline stay fast;
        ``ctx.refresh`` skips both the cache and that memory.
        """
        base_url = resolve_base_url(ctx.config, ctx.env)
        bundle = load_bundle()
        problem = base_url_problem(base_url)
        if problem:  # no request can go there: say why each time (nothing to remember)
            ctx.warn(f"Venice model discovery failed: {problem}; showing the bundled catalog")
            return bundle
        cache = ModelCache(ctx.cache_dir, base_url)
        cached = cache.read()
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
        from .errors import DiscoveryError

        try:
            rows = fetch_model_rows(base_url, user_agent=USER_AGENT, env=ctx.env)
        except DiscoveryError as exc:
            cache.remember_failure()
            ctx.warn(f"Venice model discovery failed: {exc}; showing the bundled catalog")
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
        return live._replace(previous_ids=frozenset(m.id for m in previous.models))
