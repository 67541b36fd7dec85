"""The plugin contract: everything a provider plugin may import from the host, in one module.

# Writing a provider plugin (or a runtime that loads them)

The `openclaw` host knows no provider: it loads every object of the `openclaw.plugins`
entry-point group the same way, the Venice plugin of this package included. A plugin imports
from `openclaw_venice.runtime.plugins` alone; every name below is offered there (the turn
types are defined in `runtime/ai.py`, the model records in `runtime/catalog.py`, the same
objects). This page is rendered from the module's docstrings
(`python -m tests.support.contract_page`; `tests/test_contract_page.py` checks it), and
`CHANGELOG.md` says when the contract changes.

## A plugin

An object with `id`, `name`, `description`, `config_schema` (JSON Schema of its
`models.providers.<id>` block) and `register(api)`. `register` builds objects and calls
`api.register_provider(provider)` (and `api.register_capability(...)` for what it offers
beyond chat); it does no network or disk I/O and never fails for a missing key. A plugin
that fails to import, is not a `Plugin`, takes another plugin's id, or whose `register`
raises is left out with one warning line (`Registry.failures`) and the others still load.

```python
from openclaw_venice.runtime.plugins import (
    AuthMethod, Catalog, ModelInfo, PluginApi, ProviderContext,
)

MODELS = (ModelInfo(id="acme-small", name="Acme Small", provider="acme", context_window=8000),)


class AcmeProvider:
    id = "acme"
    label = "Acme"
    env_vars = ("ACME_API_KEY",)
    default_base_url = "https://api.acme.example/v1"
    api = "openai-completions"
    auth_methods = (
        AuthMethod("api-key", "acme-api-key", "Acme API key", "--acme-api-key",
                   "ACME_API_KEY", "acme:default"),
    )
    default_model = "acme-small"

    def base_url(self, ctx: ProviderContext) -> str:
        return str(ctx.config.get("baseUrl") or self.default_base_url)

    def onboarding_config(self, existing, catalog, api_key_ref, mode):
        return {} if existing.get("apiKey") else {"apiKey": api_key_ref}

    def bundled_catalog(self) -> Catalog:
        return Catalog("acme", "bundled", MODELS)

    def catalog(self, ctx: ProviderContext) -> Catalog:
        return self.bundled_catalog()


class AcmePlugin:
    id = "acme"
    name = "Acme"
    description = "Acme's models"
    config_schema = {"type": "object"}

    def register(self, api: PluginApi) -> None:
        api.register_provider(AcmeProvider())


plugin = AcmePlugin()
```

Declared in the plugin package's `pyproject.toml`:

```toml
[project.entry-points."openclaw.plugins"]
acme = "acme_openclaw:plugin"
```

With it installed, `openclaw models list --provider acme` lists `acme/acme-small`,
`openclaw models set acme/acme-small` makes it the default, and `openclaw onboard
--auth-choice acme-api-key` stores its key (`tests/test_docs.py` installs this very
example and runs those commands).

## What the host promises

Every record is an immutable named tuple (change one with `record._replace(...)`); the one
mutable type is `Context`, the conversation. A provider's errors subclass `ProviderError`
and say, in one line with no secret in it, what to do next; the `openclaw` command alone
prints them (`Error: ...`) with the error's `exit_code`. A provider owns the clients it
makes and closes them: a chat session's in its `aclose()`, which the host calls when the
session ends; anything it keeps across calls in its own `aclose()` (see `Provider`), which
the host calls once, when it is done with the provider. The user's
`models.providers.<id>.models` entries are applied over a provider's catalog by the host.
"""
from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, cast, runtime_checkable

from .auth import AuthMethod
from .capabilities import (
    DESCRIPTIONS,
    KINDS,
    AttestationCapability,
    BackgroundRemovalCapability,
    BalanceCapability,
    CharacterCapability,
    EmbeddingCapability,
    ImageCapability,
    ImageEditCapability,
    ImageStylesCapability,
    ImageUpscaleCapability,
    Kind,
    MediaModelsCapability,
    QueuedJobCapability,
    RateLimitCapability,
    SpeechCapability,
    TranscriptionCapability,
    UsageCapability,
)
from .catalog import (
    MODEL_KINDS,
    NOTHING,
    Catalog,
    CatalogSource,
    Cost,
    Deprecation,
    ModelInfo,
    ModelKind,
    ModelProfile,
    PriceTier,
    Resolution,
)
from .context import ProviderContext
from .errors import (
    ConfigError,
    ConfigParseError,
    ConfigValueError,
    KeyRefusedError,
    MissingVariableError,
    OpenClawError,
    PluginError,
    ProviderError,
    SecretError,
    UnknownCharacterError,
    UnknownModelError,
    UnknownProviderError,
    UsageError,
)
from .secret import SecretStr  # the key's type, offered to plugins with the contract

if TYPE_CHECKING:
    from .account import (
        Allocation,
        Amount,
        Balance,
        RateLimit,
        RateLimitEvent,
        RateLimitLog,
        RateLimits,
        UsageReport,
        UsageRow,
    )
    from .ai import (
        AssistantMessage,
        ChatSettings,
        Context,
        EventType,
        ImagePart,
        Message,
        ReasoningLevel,
        StopReason,
        StreamEvent,
        TextPart,
        ThinkingPart,
        Tool,
        ToolCallPart,
        ToolResultMessage,
        Usage,
        UserMessage,
    )
    from .attestation import Attestation
    from .audio import (
        MAX_AUDIO_BYTES,
        AudioSink,
        SpeechQuote,
        SpeechRequest,
        SpeechResult,
        TimedText,
        Transcript,
        TranscriptionQuote,
        TranscriptionRequest,
        audio_seconds,
        audio_type,
        video_type,
    )
    from .characters import Character, CharacterQuery, CharacterReview, CharacterReviews
    from .image_tools import ImageEditRequest, UpscaleRequest
    from .media import (
        EmbeddingResult,
        GeneratedImage,
        ImageRequest,
        ImageResult,
        MediaCatalog,
        MediaModel,
    )
    from .media_jobs import Job, JobProgress, MediaInput, MusicRequest, Quote, VideoRequest

__all__ = [
    "ENTRY_POINT_GROUP",
    "MAX_AUDIO_BYTES",
    "MODEL_KINDS",
    "NOTHING",
    "Allocation",
    "Amount",
    "AssistantMessage",
    "Attestation",
    "AttestationCapability",
    "AudioSink",
    "AuthMethod",
    "BackgroundRemovalCapability",
    "Balance",
    "BalanceCapability",
    "Catalog",
    "CatalogSource",
    "Character",
    "CharacterCapability",
    "CharacterQuery",
    "CharacterReview",
    "CharacterReviews",
    "ChatFlag",
    "ChatProvider",
    "ChatSession",
    "ChatSettings",
    "ConfigError",
    "ConfigParseError",
    "ConfigValueError",
    "Context",
    "Cost",
    "Deprecation",
    "DirectClientRules",
    "EmbeddingCapability",
    "EmbeddingResult",
    "EventType",
    "GeneratedImage",
    "ImageCapability",
    "ImageEditCapability",
    "ImageEditRequest",
    "ImagePart",
    "ImageRequest",
    "ImageResult",
    "ImageStylesCapability",
    "ImageUpscaleCapability",
    "Job",
    "JobProgress",
    "KeyRefusedError",
    "Kind",
    "MediaCatalog",
    "MediaInput",
    "MediaModel",
    "MediaModelsCapability",
    "Message",
    "MissingVariableError",
    "ModelInfo",
    "ModelKind",
    "ModelProfile",
    "MusicRequest",
    "OpenClawError",
    "Plugin",
    "PluginApi",
    "PluginError",
    "PriceTier",
    "Provider",
    "ProviderContext",
    "ProviderError",
    "QueuedJobCapability",
    "Quote",
    "RateLimit",
    "RateLimitCapability",
    "RateLimitEvent",
    "RateLimitLog",
    "RateLimits",
    "ReasoningLevel",
    "Registry",
    "Resolution",
    "SecretError",
    "SecretStr",
    "SpeechCapability",
    "SpeechQuote",
    "SpeechRequest",
    "SpeechResult",
    "StopReason",
    "StreamEvent",
    "TextPart",
    "ThinkingPart",
    "TimedText",
    "Tool",
    "ToolCallPart",
    "ToolResultMessage",
    "Transcript",
    "TranscriptionCapability",
    "TranscriptionQuote",
    "TranscriptionRequest",
    "UnknownCharacterError",
    "UnknownModelError",
    "UnknownProviderError",
    "UpscaleRequest",
    "Usage",
    "UsageCapability",
    "UsageError",
    "UsageReport",
    "UsageRow",
    "UserMessage",
    "VideoRequest",
    "audio_seconds",
    "audio_type",
    "close_provider",
    "host_api_key",
    "host_context",
    "load_plugins",
    "make_private_dir",
    "openai_fields",
    "provider_cache_dir",
    "read_regular_file",
    "video_type",
]

ENTRY_POINT_GROUP = "openclaw.plugins"

AI_NAMES = (
    "AssistantMessage", "ChatSettings", "Context", "EventType", "ImagePart", "Message",
    "ReasoningLevel", "StopReason", "StreamEvent", "TextPart", "ThinkingPart", "Tool",
    "ToolCallPart", "ToolResultMessage", "Usage", "UserMessage",
)  # fmt: skip

#: the records offered here that few commands use (capability records, chat flags), by the
#: module that defines them; each is imported on first use, so a command that shows none of
#: them does not pay for their classes

class ChatFlag(NamedTuple):
    """A provider's own ``openclaw chat`` flag; its value lands in
    ``ChatSettings.provider_options[dest]``. No ``choices`` and no ``metavar``: a switch."""

    flag: str  # e.g. "--web-search"
    dest: str
    help: str
    choices: tuple[str, ...] = ()
    metavar: str | None = None

_RECORDS = {
    **dict.fromkeys(
        (
            "Allocation",
            "Amount",
            "Balance",
            "RateLimit",
            "RateLimitEvent",
            "RateLimitLog",
            "RateLimits",
            "UsageReport",
            "UsageRow",
        ),
        "account",
    ),
    **dict.fromkeys(
        (
            "EmbeddingResult",
            "GeneratedImage",
            "ImageRequest",
            "ImageResult",
            "MediaCatalog",
            "MediaModel",
        ),
        "media",
    ),
    **dict.fromkeys(
        ("Job", "JobProgress", "MediaInput", "MusicRequest", "Quote", "VideoRequest"), "media_jobs"
    ),
    **dict.fromkeys(
        (
            "AudioSink",
            "SpeechQuote",
            "SpeechRequest",
            "SpeechResult",
            "TimedText",
            "Transcript",
            "TranscriptionQuote",
            "TranscriptionRequest",
            "MAX_AUDIO_BYTES",
            "audio_seconds",
            "audio_type",
            "video_type",
        ),
        "audio",
    ),
    **dict.fromkeys(("ImageEditRequest", "UpscaleRequest"), "image_tools"),
    "Attestation": "attestation",
    **dict.fromkeys(
        ("Character", "CharacterQuery", "CharacterReview", "CharacterReviews"), "characters"
    ),
    **dict.fromkeys(AI_NAMES, "ai"),  # a turn's types: only chat and the gateway use them
}


def __getattr__(name: str) -> Any:
    module = _RECORDS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__package__}.{module}"), name)
    globals()[name] = value  # the next lookup is an ordinary one
    return value


@runtime_checkable
class Provider(Protocol):
    """A model provider as the host uses it.

    Its lifecycle: a provider owns the clients it makes. Those of a call (a catalog
    request, a capability's call) close before the call returns; a chat session's close in
    the session's ``aclose()``. A provider that keeps anything across calls (a connection
    pool, a client for a Python caller) also has ``async def aclose(self) -> None``, which
    releases it; the host calls it once, when it is done with the provider (the end of
    ``openclaw chat``, the gateway's shutdown), through :func:`close_provider`, in the event
    loop the provider's calls ran in. It is optional: the host asks nothing of a provider
    without it."""

    id: str
    label: str
    env_vars: Sequence[str]
    default_base_url: str
    api: str
    auth_methods: Sequence[AuthMethod]
    default_model: str | None  # the model id onboarding proposes

    def base_url(self, ctx: ProviderContext) -> str:
        """The endpoint this provider will call, after config and env overrides."""
        ...

    def onboarding_config(
        self, existing: Mapping[str, Any], catalog: Catalog, api_key_ref: str, mode: str
    ) -> dict[str, Any]:
        """Keys to set in ``models.providers.<id>`` on onboarding. ``existing`` is the block
        as written (``${VAR}``s unexpanded: keep them); ``mode`` is ``models.mode``
        (``merge`` or ``replace``). Keys whose value would not change are not written."""
        ...

    def catalog(self, ctx: ProviderContext) -> Catalog:
        """The provider's models: live when reachable, else cached or bundled. Never raises
        for network trouble; reports it through ``ctx.warn``."""
        ...

    def bundled_catalog(self) -> Catalog:
        """The offline catalog alone (no I/O beyond package data)."""
        ...


class ChatSession(Protocol):
    """One authenticated connection to a provider's chat endpoint."""

    def stream(
        self, model: ModelInfo | str, context: Context, settings: ChatSettings
    ) -> AsyncGenerator[StreamEvent, None]:
        """Events of one turn, ending with ``done`` or ``error`` (never raises for provider
        trouble: the ``error`` event carries it, an unknown model included). ``model`` is a
        catalog record, or a model id as the user wrote it (after ``provider/``), which the
        host hands over untouched: what an id may carry is the provider's syntax.

        An async generator (an ``async def`` with ``yield``): the host stops reading when the
        user interrupts or a client goes away, and then calls its ``aclose()``, which must
        release what the turn holds (its HTTP stream)."""
        ...

    async def aclose(self) -> None:
        """Release the session (its connections); the host calls it when the chat ends."""
        ...


@runtime_checkable
class ChatProvider(Provider, Protocol):
    """A provider that can chat (optional part of the contract).

    It may also have ``openai_fields``, the names of the OpenAI chat-completions request
    fields its sessions carry from ``ChatSettings.openai_fields`` to the model (a value it
    cannot send is its error, naming the field); the host reads it with
    :func:`openai_fields` and refuses any other such field itself."""

    chat_flags: Sequence[ChatFlag]

    def chat(
        self, ctx: ProviderContext, api_key: SecretStr, catalog: Catalog | None = None
    ) -> ChatSession:
        """A chat session using ``api_key``; no I/O until the first turn. ``catalog``: the
        models the host lists (the config file's applied), in which the session resolves
        model ids; without it, the provider's own."""
        ...


def openai_fields(provider: Provider) -> frozenset[str]:
    """The OpenAI request fields ``provider``'s chat sessions carry (none when it says none)."""
    return frozenset(getattr(provider, "openai_fields", ()))


@runtime_checkable
class DirectClientRules(Protocol):
    """Optional part of the contract: a provider whose endpoint another runtime may call with
    its own OpenAI-compatible client (an agent runtime that sends requests itself, such as
    Hermes Agent through the openai SDK). The host's bridges read these rules and never name
    a provider; what the rules ask for is the provider's business.
    """

    aliases: Sequence[str]  # other names a runtime may accept for the provider
    fingerprint_free: bool  # the client must send no fingerprint headers (SDK, OS, runtime)
    #: with ``fingerprint_free``, the User-Agent the client sends in place of its own (the
    #: openai SDK's names itself, its version and Python's); "" keeps the client's. A
    #: plugin written before this attribute existed is read as "".
    user_agent: str

    def offered_for_agents(self, model: ModelInfo) -> bool:
        """Whether an agent runtime (which sends tools on every turn) may be offered
        ``model``."""
        ...

    def request_fields(
        self, model: ModelInfo, settings: ChatSettings, *, with_tools: bool
    ) -> Mapping[str, Any]:
        """Body fields a chat-completions request for ``model`` must carry for a turn with
        ``settings`` (they replace the client's own). Raises the provider's error for a turn
        it would refuse."""
        ...


@runtime_checkable
class Plugin(Protocol):
    """What the ``openclaw.plugins`` entry point names: ``id`` (unique among the installed
    plugins), ``name`` and ``description`` for people, ``config_schema`` (the JSON Schema of
    its providers' ``models.providers.<id>`` blocks)."""

    id: str
    name: str
    description: str
    config_schema: Mapping[str, Any]

    def register(self, api: PluginApi) -> None:
        """Register the plugin's providers and capabilities with ``api``; no network or
        disk I/O, and no failure for a missing key (the host has not resolved one)."""
        ...


class PluginApi:
    """What ``register(api)`` receives. Collects providers by id."""

    def __init__(self, plugin_id: str = "") -> None:
        self.plugin_id = plugin_id
        self.providers: dict[str, Provider] = {}
        self.capabilities: dict[tuple[Kind, str], object] = {}

    def register_provider(self, provider: Provider) -> None:
        """Offer ``provider`` (a :class:`Provider`, or a :class:`ChatProvider`) under its
        ``id``; a second provider with that id from the same plugin is a ``PluginError``."""
        if provider.id in self.providers:
            raise PluginError(f"plugin {self.plugin_id}: provider {provider.id} registered twice")
        self.providers[provider.id] = provider

    def register_capability(self, provider_id: str, kind: Kind, implementation: object) -> None:
        """Offer ``kind`` (balance, usage, images, embeddings, speech, ...) for
        ``provider_id``, which this plugin registers too. ``implementation`` must follow that
        kind's protocol."""
        protocol = KINDS.get(kind)
        if protocol is None:
            raise PluginError(f"plugin {self.plugin_id}: unknown capability {kind!r}")
        if not isinstance(implementation, protocol):
            raise PluginError(
                f"plugin {self.plugin_id}: {type(implementation).__name__} does not offer "
                f"{DESCRIPTIONS[kind]} the way the host calls it ({protocol.__name__})"
            )
        if (kind, provider_id) in self.capabilities:
            raise PluginError(f"plugin {self.plugin_id}: {kind} of {provider_id} registered twice")
        self.capabilities[(kind, provider_id)] = implementation


class Registry:
    """Every loaded plugin and the providers they registered."""

    __slots__ = ("capabilities", "failures", "plugins", "providers")

    def __init__(
        self,
        plugins: dict[str, Plugin] | None = None,
        providers: dict[str, Provider] | None = None,
        failures: list[str] | None = None,
        capabilities: dict[tuple[Kind, str], object] | None = None,
    ) -> None:
        self.plugins: dict[str, Plugin] = {} if plugins is None else plugins
        self.providers: dict[str, Provider] = {} if providers is None else providers
        self.failures: list[str] = [] if failures is None else failures
        self.capabilities: dict[tuple[Kind, str], object] = (
            {} if capabilities is None else capabilities
        )

    def __repr__(self) -> str:
        return f"Registry(plugins={sorted(self.plugins)}, providers={sorted(self.providers)})"

    def provider(self, provider_id: str) -> Provider:
        """The provider registered as ``provider_id``; an ``UnknownProviderError`` naming the
        installed ones when none is."""
        try:
            return self.providers[provider_id]
        except KeyError:
            known = ", ".join(sorted(self.providers)) or "none"
            raise UnknownProviderError(
                f"no provider {provider_id!r} is installed (installed: {known}); "
                "install its plugin package"
            ) from None

    def offers(self, kind: Kind) -> list[str]:
        """The ids of the providers that registered ``kind``, sorted."""
        return sorted(pid for k, pid in self.capabilities if k == kind)

    def capability(self, kind: Kind, provider_id: str) -> object:
        """What ``provider_id`` registered for ``kind``; a clear error when nothing."""
        self.provider(provider_id)
        found = self.capabilities.get((kind, provider_id))
        if found is None:
            others = ", ".join(self.offers(kind)) or "none installed"
            raise PluginError(
                f"provider {provider_id} offers no {DESCRIPTIONS[kind]} (providers that do: "
                f"{others})"
            )
        return found

    def balance(self, provider_id: str) -> BalanceCapability:
        """:meth:`capability` for ``balance``, typed."""
        return cast("BalanceCapability", self.capability("balance", provider_id))

    def usage(self, provider_id: str) -> UsageCapability:
        """:meth:`capability` for ``usage``, typed."""
        return cast("UsageCapability", self.capability("usage", provider_id))

    def images(self, provider_id: str) -> ImageCapability:
        """:meth:`capability` for ``images``, typed."""
        return cast("ImageCapability", self.capability("images", provider_id))

    def embeddings(self, provider_id: str) -> EmbeddingCapability:
        """:meth:`capability` for ``embeddings``, typed."""
        return cast("EmbeddingCapability", self.capability("embeddings", provider_id))

    def attestation(self, provider_id: str) -> AttestationCapability:
        """:meth:`capability` for ``attestation``, typed."""
        return cast("AttestationCapability", self.capability("attestation", provider_id))

    def characters(self, provider_id: str) -> CharacterCapability:
        return cast("CharacterCapability", self.capability("characters", provider_id))

    def rate_limits(self, provider_id: str) -> RateLimitCapability:
        return cast("RateLimitCapability", self.capability("rate_limits", provider_id))

    def media_models(self, provider_id: str) -> MediaModelsCapability:
        """:meth:`capability` for ``media_models``, typed."""
        return cast("MediaModelsCapability", self.capability("media_models", provider_id))

    def speech(self, provider_id: str) -> SpeechCapability:
        return cast("SpeechCapability", self.capability("speech", provider_id))

    def transcription(self, provider_id: str) -> TranscriptionCapability:
        return cast("TranscriptionCapability", self.capability("transcription", provider_id))


def load_plugins(group: str = ENTRY_POINT_GROUP) -> Registry:
    """Load and register every plugin of ``group``. A broken plugin (it fails to import, is
    not a :class:`Plugin`, takes an id another plugin has, or its ``register`` raises) is
    left out and reported in one line in ``failures``; the others load as if it were not
    there."""
    # importlib.metadata's answer, remembered while what it was read from is unchanged
    # (importing the library costs a third of an offline `models list`)
    from .entry_point_cache import entry_points
    from .settings import cache_dir

    registry = Registry()
    for ep in sorted(entry_points(group, cache_dir()), key=lambda e: e.name):
        try:
            plugin = ep.load()
        except Exception as exc:  # a third-party plugin must not take the host down
            registry.failures.append(f"plugin {ep.name} failed to load: {_line(exc)}")
            continue
        wrong = _not_a_plugin(plugin)
        if wrong:
            registry.failures.append(
                f"plugin {ep.name} is not an OpenClaw plugin ({wrong}); left out"
            )
            continue
        if plugin.id in registry.plugins:
            registry.failures.append(
                f"plugin {ep.name} has the id {plugin.id!r} of another plugin; left out"
            )
            continue
        api = PluginApi(plugin.id)
        try:
            plugin.register(api)
        except Exception as exc:
            registry.failures.append(
                f"plugin {ep.name} failed to register ({_line(exc)}); left out"
            )
            continue
        registry.plugins[plugin.id] = plugin
        for provider_id, provider in api.providers.items():
            if provider_id in registry.providers:
                registry.failures.append(f"provider {provider_id} registered by two plugins")
                continue
            registry.providers[provider_id] = provider
        for (kind, provider_id), implementation in api.capabilities.items():
            own = api.providers.get(provider_id)
            if own is None or registry.providers.get(provider_id) is not own:
                registry.failures.append(
                    f"plugin {ep.name}: {kind} for provider {provider_id}, which it does not own"
                )
                continue
            registry.capabilities[(kind, provider_id)] = implementation
    return registry


async def close_provider(provider: Provider) -> str | None:
    """Release what ``provider`` keeps across calls: await its ``aclose()`` when it has one
    (see :class:`Provider`). Never raises: a failure comes back as one line for the host to
    warn with; None when all went well."""
    close = getattr(provider, "aclose", None)
    if not callable(close):
        return None
    try:
        await close()
    except Exception as exc:  # a plugin's failure must not take the host down
        return f"provider {provider.id} failed to close ({_line(exc)})"
    return None


def _not_a_plugin(candidate: object) -> str:
    """What ``candidate`` lacks of the :class:`Plugin` protocol ("" when nothing)."""
    missing = [
        name for name in ("id", "name", "description")
        if not isinstance(getattr(candidate, name, None), str)
    ]  # fmt: skip
    if not missing and not candidate.id:  # type: ignore[attr-defined]
        missing.append("id")
    if not isinstance(getattr(candidate, "config_schema", None), Mapping):
        missing.append("config_schema")
    if not callable(getattr(candidate, "register", None)):
        missing.append("register")
    return f"no {', '.join(missing)}" if missing else ""


def _line(exc: BaseException) -> str:
    """An exception as one line: its first, or its type when it says nothing."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# -- the host's settings, for a provider used from Python ------------------------------------


def host_context(
    provider: Provider,
    env: Mapping[str, str] | None = None,
    warn: Callable[[str], None] | None = None,
) -> ProviderContext:
    """The :class:`ProviderContext` the ``openclaw`` command would hand ``provider``: its
    ``models.providers.<id>`` block of the config file (``${VAR}`` substituted), the
    environment (``os.environ`` by default), its cache dir; ``warn`` to stderr by default.
    Raises :class:`ConfigError` for a config file that cannot be read."""
    from . import settings

    env = settings.environment(env)
    warn = warn or settings.warn_on_stderr
    data = settings.config_data(env)
    return ProviderContext(
        config=settings.provider_config(data, provider.id, env, warn),
        env=env,
        cache_dir=provider_cache_dir(provider.id),
        warn=warn,
        state_dir=settings.state_dir(env) / "providers" / provider.id,
    )


def host_api_key(provider: Provider, env: Mapping[str, str] | None = None) -> SecretStr:
    """``provider``'s API key, from the first source that has one, in the ``openclaw``
    command's order: env (or the variable the config's ``apiKey`` names), the config's
    ``env`` block, the system keyring, TypeScript OpenClaw's state store, a literal ``apiKey``,
    the older auth-profile file. Raises
    :class:`SecretError`, saying how to get one, when none has it."""
    from . import settings

    env = settings.environment(env)
    data = settings.config_data(env)
    method = provider.auth_methods[0]
    return settings.api_key(method, provider.id, env, data, warn=settings.warn_on_stderr).value


def provider_cache_dir(provider_id: str) -> Path:
    """Where the host keeps ``provider_id``'s cache (``ProviderContext.cache_dir``)."""
    from .settings import cache_dir

    return cache_dir() / "providers" / provider_id


def make_private_dir(directory: Path) -> None:
    """Make ``directory`` and each missing parent, readable by the user alone (0700)."""
    from .config_file import make_private_dir as make

    make(directory)


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of the file at ``path``, for a file the provider keeps (a cache): an
    :class:`OSError` when it is missing or unreadable, is not a regular file (a FIFO,
    ``/dev/zero``: reading would block or never end) or holds more than ``limit`` bytes."""
    from .config_file import read_regular

    return read_regular(path, limit)
