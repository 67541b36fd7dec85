"""The Venice provider: identity, auth method, catalog, and turns for a Python runtime
(the chat machinery itself lives in ``chat/``)."""

from __future__ import annotations

import functools
import re
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .catalog import load_bundle
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
from .live_catalog import settled_catalog, text_catalog
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
    from .audio.client import VeniceAudio
    from .characters import VeniceCharacters
    from .chat.client import VeniceChat
    from .chat.options import StreamOptions
    from .embeddings import VeniceEmbeddings
    from .images.client import VeniceImages
    from .jobs.client import VeniceMusic, VeniceVideo
    from .rate_limits import VeniceLimits
    from .runtime.ai import AssistantMessage, ChatSettings, Context, StreamEvent
    from .runtime.plugins import SecretStr
    from .wire.client import ConnectionLimits
    from .wire.sync import LoopRunner

DEFAULT_MODEL_ID = "kimi-k2-6"


async def _nothing() -> None:
    return None


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
    user_agent = USER_AGENT  # ...and the User-Agent our own requests carry, not the SDK's
    #: OpenAI request fields our chat sessions carry to Venice (``chat/openai_fields.py``)
    openai_fields = frozenset(
        {
            "stop", "seed", "top_p", "top_k", "min_p", "frequency_penalty", "presence_penalty",
            "repetition_penalty", "tool_choice", "parallel_tool_calls", "user",
            "response_format",
        }
    )  # fmt: skip

    def __init__(self, *, connections: ConnectionLimits | int | None = None) -> None:
        self._client: VeniceChat | None = None  # made on the first turn, never in register()
        self._connections = connections  # None: the config's maxConnections, else defaults
        self._closing: set[Any] = set()  # closes of replaced clients still under way

    def __repr__(self) -> str:
        return "VeniceProvider()"

    # -- what it owns ------------------------------------------------------------------------
    def close(self) -> None:
        """Close the client's pools and the loops of the sync forms (outside event loops)."""
        client, self._client = self._client, None
        if client is not None:
            client.close()
        if "_runner" in self.__dict__:
            self._runner.close(client.wire.aclose if client is not None else _nothing)

    async def aclose(self) -> None:
        """Close the running loop's pool (what async use opened)."""
        if self._client is not None:
            await self._client.aclose()
        for task in list(self._closing):
            await task

    def __enter__(self) -> VeniceProvider:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> VeniceProvider:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _replace(self, old: VeniceChat) -> None:
        """Close a client that a new key replaced: its sync loops now, its pool on the
        running loop (if any) in a task :meth:`aclose` waits for."""
        import asyncio

        old.close()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        task = loop.create_task(old.aclose())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

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
            from .wire.client import ConnectionLimits
            from .wire.config import connection_limits

            ctx = host_context(self)
            key = api_key if api_key is not None else host_api_key(self)
            base_url = resolve_base_url(ctx.config, ctx.env)
            limits = (
                connection_limits(ctx.config)
                if self._connections is None
                else ConnectionLimits.of(self._connections)
            )
            settings = settings_from_config(ctx.config, ctx.env, ctx.warn)
            old, self._client = (
                self._client,
                VeniceChat(
                    key, base_url=base_url, warn=ctx.warn, env=ctx.env, connections=limits,
                    state_dir=ctx.state_dir, settings=settings,
                ),
            )
            if old is not None:
                self._replace(old)
        return self._client

    def stream(
        self, model: ModelInfo | str, context: Context, options: StreamOptions | None = None
    ) -> AsyncGenerator[StreamEvent, None]:
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
    def _runner(self) -> LoopRunner:
        """The loops of the images' and embeddings' sync forms."""
        from .wire.sync import LoopRunner

        return LoopRunner()

    @functools.cached_property
    def images(self) -> VeniceImages:
        """``await provider.images.generate("a lighthouse at dusk", count=2)`` (or
        ``generate_sync``): image bytes with their metadata; the key as for :meth:`client`."""
        from .images.client import VeniceImages

        return VeniceImages(lambda: self.client().wire, self._runner, self._warn)

    @functools.cached_property
    def embeddings(self) -> VeniceEmbeddings:
        """``await provider.embeddings.create(texts, model=..., dimensions=...)`` (or
        ``create_sync``): one vector per text, batched within Venice's limits."""
        from .embeddings import VeniceEmbeddings

        return VeniceEmbeddings(lambda: self.client().wire, self._runner)

    @functools.cached_property
    def video(self) -> VeniceVideo:
        """``await provider.video.generate("a boat at dawn", "boat.mp4")`` (or
        ``generate_sync``); ``quote``, ``queue``, ``save`` step by step, ``job(id, model)``
        to resume one queued earlier."""
        from .jobs.client import VeniceVideo

        return VeniceVideo(lambda: self.client().wire, self._runner)

    @functools.cached_property
    def music(self) -> VeniceMusic:
        """Music and sound effects: ``await provider.music.generate("rain", "rain.mp3",
        sound=True)``; the same steps as :attr:`video`."""
        from .jobs.client import VeniceMusic

        return VeniceMusic(lambda: self.client().wire, self._runner)

    @functools.cached_property
    def audio(self) -> VeniceAudio:
        """``await provider.audio.speak("Hello", "hello.mp3")`` and
        ``await provider.audio.transcribe("memo.m4a")`` (or ``speak_sync`` /
        ``transcribe_sync``); the key as for :meth:`client`."""
        from .audio.client import VeniceAudio

        return VeniceAudio(lambda: self.client().wire, self._runner)

    @functools.cached_property
    def limits(self) -> VeniceLimits:
        """``await provider.limits.get()`` (or ``get_sync``): the key's rate limits by model,
        tier and expiry; ``log()`` the recent times one was hit. The key as for :meth:`client`."""
        from .rate_limits import VeniceLimits

        return VeniceLimits(lambda: self.client().wire, self._runner)

    @functools.cached_property
    def characters(self) -> VeniceCharacters:
        """``await provider.characters.get("alan-watts")`` (``search``, ``reviews``; each
        with a ``*_sync`` form): Venice's characters; the key as for :meth:`client`."""
        from .characters import VeniceCharacters

        return VeniceCharacters(lambda: self.client().wire, self._runner)

    def _warn(self, message: str) -> None:
        self.client().warn_once(message)

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
        from .wire.config import connection_limits

        base_url = resolve_base_url(ctx.config, ctx.env)
        limits = connection_limits(ctx.config)  # the host's (or the gateway's) setting
        settings = settings_from_config(ctx.config, ctx.env, ctx.warn)
        chat = VeniceChat(
            api_key, base_url=base_url, catalog=catalog, warn=ctx.warn, env=ctx.env,
            connections=limits, state_dir=ctx.state_dir, settings=settings,
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
        """Fresh cache, else live ``/models``, else the bundle (with a warning); see
        :mod:`openclaw_venice.live_catalog`. Inside a running event loop (where this sync
        hook would block it): the bundle, with a warning to await :meth:`acatalog`."""
        import sys

        base_url = resolve_base_url(ctx.config, ctx.env)
        settled = settled_catalog(ctx, base_url)  # no event loop for what needs no request
        if settled is not None:
            return settled
        loaded = sys.modules.get("asyncio")  # not imported: no loop can be running
        if loaded is not None and loaded._get_running_loop() is not None:
            ctx.warn(
                "Venice model discovery cannot run inside a running event loop (use `await "
                "provider.acatalog(ctx)`); showing the bundled catalog"
            )
            return load_bundle()
        import asyncio

        return asyncio.run(text_catalog(ctx, base_url, None))

    async def acatalog(self, ctx: ProviderContext) -> Catalog:
        """:meth:`catalog`, awaited on the caller's loop."""
        return await text_catalog(ctx, resolve_base_url(ctx.config, ctx.env), None)
