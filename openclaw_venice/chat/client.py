"""``VeniceChat``: runtime turns to Venice chat completions and back, async with sync wrappers.

The key comes from the argument, else ``VENICE_API_KEY``; it travels as a ``SecretStr`` and
goes only to https (or loopback http). ``stream`` never raises for Venice trouble: it ends
with an ``error`` event carrying the typed error; ``complete`` raises it.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator, Mapping
from contextlib import aclosing
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import OpenClawError, SecretError, UnknownModelError
from ..identity import BASE_URL_ENV_VAR, DEFAULT_BASE_URL, ENV_VAR, PROVIDER_ID
from ..profiles import profiled
from ..runtime.ai import AssistantMessage, Context, StreamEvent
from ..runtime.catalog import Catalog, ModelInfo, deprecation_warning
from .config_settings import NONE, ProviderSettings
from .options import StreamOptions
from .request import build_request, split_model_suffix

if TYPE_CHECKING:
    from pathlib import Path

    from ..runtime.plugins import SecretStr
    from ..wire.client import AsyncClient, ConnectionLimits, Wire
    from .e2ee import E2EEState, TeeSettings

Warn = Callable[[str], None]
T = TypeVar("T")
_log = logging.getLogger("openclaw_venice")


def _log_warning(message: str) -> None:
    """The library's warnings go to ``logging`` (the CLI shows them as ``warning: ...``)."""
    _log.warning("%s", message)


class VeniceChat:
    """Venice chat completions for a Python agent runtime.

    ``model`` arguments take a catalog record or an id (``venice/`` prefix and Venice's
    ``id:key=value`` suffix allowed; renamed and retired ids resolve to their successor). Ids
    resolve in ``catalog`` when given, else in the catalog the ``openclaw`` command lists
    (live, cached or bundled, the config file's models applied), loaded on the first turn.
    Pass ``http_client`` to share a pool; it is then yours to close. ``connections`` (or
    ``max_connections`` alone) sizes each event loop's pool: the defaults of
    :class:`~openclaw_venice.wire.client.ConnectionLimits` serve thousands of turns at once.
    """

    def __init__(
        self,
        api_key: str | SecretStr | None = None,
        *,
        base_url: str | None = None,
        catalog: Catalog | None = None,
        http_client: AsyncClient | None = None,
        env: Mapping[str, str] | None = None,
        warn: Warn | None = None,
        max_connections: int | None = None,
        connections: ConnectionLimits | None = None,
        tee: TeeSettings | None = None,
        state_dir: Path | None = None,
        settings: ProviderSettings | None = None,
    ) -> None:
        from ..wire.client import ConnectionLimits, Wire
        from ..wire.sync import LoopRunner

        env = os.environ if env is None else env
        key = _secret(api_key if api_key is not None else env.get(ENV_VAR))
        base_url = (base_url or env.get(BASE_URL_ENV_VAR) or DEFAULT_BASE_URL).rstrip("/")
        if connections is None and max_connections is not None:
            connections = ConnectionLimits(max_connections=max_connections)
        self.wire: Wire = Wire(
            base_url, key, env=env, limits=connections, http_client=http_client
        )  # checks where the key may go
        self._catalog = catalog
        self._runner = LoopRunner()  # each thread's loop for the sync wrappers
        self.warn: Warn = warn or _log_warning
        self._warned: set[str] = set()
        self._tee = tee
        self._state_dir = state_dir  # the user's TEE policy file is read from here
        self._tee_env = {k: v for k, v in env.items() if k.startswith("VENICE_TEE_")}
        self._e2ee: E2EEState | None = None  # this session's key pair and attested enclaves
        # what the config's provider block asks of every turn (headers, maxTokens, params)
        self.settings = settings or NONE
        self.config_headers = self.settings.headers

    def __repr__(self) -> str:
        return f"VeniceChat(base_url={self.base_url!r})"

    @property
    def base_url(self) -> str:
        """Where requests go (checked again at each send, wherever it was set)."""
        return self.wire.base_url

    @base_url.setter
    def base_url(self, value: str) -> None:
        self.wire.base_url = value.rstrip("/")

    # -- models ------------------------------------------------------------------------------
    @property
    def catalog(self) -> Catalog:
        """The catalog model ids resolve in: the one given, else the host's once a turn
        loaded it (:meth:`load_catalog`), else the bundled one."""
        if self._catalog is None:
            from ..catalog import load_bundle

            return load_bundle()
        return self._catalog

    async def load_catalog(self) -> Catalog:
        """The catalog given, else the one the ``openclaw`` command lists for this base URL
        (fresh cache, else live ``/models``, else the bundle; the config file's models
        applied), loaded once, awaited on the caller's loop."""
        if self._catalog is None:
            from ..live_catalog import host_catalog

            self._catalog = await host_catalog(self.wire, self.warn_once)
        return self._catalog

    def resolve_model(self, model: ModelInfo | str) -> tuple[ModelInfo, str]:
        """The catalog record and the id to send (with any ``:key=value`` suffix). A record
        made outside Venice's catalog (the config file's, one built by hand) gets the profile
        its id implies."""
        if isinstance(model, ModelInfo):
            self._warn_deprecated(model)
            return profiled(model), model.id
        base, suffix = split_model_suffix(model.removeprefix(f"{PROVIDER_ID}/"))
        resolution = self.catalog.resolve(base)
        if resolution is None:
            raise UnknownModelError(f"{PROVIDER_ID}/{base}", self.catalog.suggestions(base))
        if resolution.notice:
            self.warn_once(resolution.notice)
        self._warn_deprecated(resolution.model)
        return profiled(resolution.model), resolution.model.id + suffix

    def _warn_deprecated(self, model: ModelInfo) -> None:
        """One line, once, before the first turn on a model Venice has deprecated."""
        warning = deprecation_warning(model)
        if warning:
            self.warn_once(warning)

    def warn_once(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            self.warn(message)

    # -- turns -------------------------------------------------------------------------------
    async def stream(
        self,
        model: ModelInfo | str,
        context: Context,
        options: StreamOptions | None = None,
    ) -> AsyncGenerator[StreamEvent, None]:
        """The events of one turn: ``start``, part events, then ``done`` or ``error``.
        Closing the iterator early (or cancelling its task) closes the HTTP stream."""
        from .turn import run_turn

        options = options or StreamOptions()
        if not isinstance(model, ModelInfo):
            await self.load_catalog()
        try:
            record, requested = self.resolve_model(model)
            body = self._body(record, requested, context, options, stream=True)
        except OpenClawError as exc:
            yield StreamEvent("error", error=exc, message=_failed(exc, model))
            return
        turn: AsyncGenerator[StreamEvent, None]
        if record.profile.e2ee:
            from .e2ee import run_e2ee_turn

            try:
                state = self.e2ee_state()
            except OpenClawError as exc:
                yield StreamEvent("error", error=exc, message=_failed(exc, model))
                return
            turn = run_e2ee_turn(self, record, body, options, state)
        else:
            turn = run_turn(self, record, body, options)
        async with aclosing(turn) as events:
            async for event in events:
                yield event

    def e2ee_state(self) -> E2EEState:
        """This client's E2EE session: the enclaves attested for it, by model."""
        if self._e2ee is None:
            from .e2ee import E2EEState, TeeSettings

            settings = self._tee or TeeSettings.from_env(self._tee_env, self._state_dir)
            self._e2ee = E2EEState(settings)
        return self._e2ee

    async def complete(
        self,
        model: ModelInfo | str,
        context: Context,
        options: StreamOptions | None = None,
        *,
        stream: bool = True,
    ) -> AssistantMessage:
        """The final message of one turn; raises the typed error on failure. ``stream=False``
        asks Venice for one JSON answer instead of an event stream."""
        if not isinstance(model, ModelInfo):
            await self.load_catalog()
        if not stream and not self.resolve_model(model)[0].profile.e2ee:  # e2ee: streams only
            from .turn import complete_once

            options = options or StreamOptions()
            record, requested = self.resolve_model(model)
            body = self._body(record, requested, context, options, stream=False)
            return await complete_once(self, record, body, options)
        async with aclosing(self.stream(model, context, options)) as events:  # closed now
            async for event in events:  # (not by a GC finalizer, after the loop moved on)
                if event.type == "error" and event.error is not None:
                    raise event.error
                if event.type == "done" and event.message is not None:
                    return event.message
        raise RuntimeError("the stream ended without done or error")  # pragma: no cover

    def _body(
        self,
        record: ModelInfo,
        requested: str,
        context: Context,
        options: StreamOptions,
        stream: bool,
    ) -> dict[str, Any]:
        vision = _vision_models(self.catalog)
        return build_request(
            self.settings.cap(record),
            context,
            options,
            stream=stream,
            requested_id=requested,
            vision_models=vision,
            media_models=_media_models(self.catalog),
            warn=self.warn_once,
            venice_defaults=self.settings.venice_parameters,
        )

    # -- sync wrappers -----------------------------------------------------------------------
    def complete_sync(
        self,
        model: ModelInfo | str,
        context: Context,
        options: StreamOptions | None = None,
        *,
        stream: bool = True,
    ) -> AssistantMessage:
        """:meth:`complete` for scripts without an event loop (each thread gets its own);
        inside a running loop it refuses with :class:`UsageError` (the one sync rule)."""
        return self._runner.run(
            lambda: self.complete(model, context, options, stream=stream), *_SYNC
        )

    def stream_sync(
        self, model: ModelInfo | str, context: Context, options: StreamOptions | None = None
    ) -> Iterator[StreamEvent]:
        """:meth:`stream` for scripts without an event loop. Leaving the loop early (or
        closing the iterator) closes the HTTP stream."""
        loop = self._loop()
        events = self.stream(model, context, options)
        try:
            while True:
                try:
                    yield loop.run_until_complete(anext(events))
                except StopAsyncIteration:
                    return
        finally:
            loop.run_until_complete(events.aclose())

    def _loop(self) -> asyncio.AbstractEventLoop:
        """This thread's loop for the sync wrappers; refused inside a running loop (where
        blocking would stall it), before any coroutine exists to warn about."""
        return self._runner.loop(*_SYNC)

    def run_sync(self, call: Callable[[], Awaitable[T]]) -> T:
        """``call()`` on this client's loop for sync wrappers (images, embeddings)."""
        return self._runner.run(call, *_SYNC)

    # -- HTTP --------------------------------------------------------------------------------
    def http_client(self) -> AsyncClient:
        """The pool for the running event loop (see :class:`~openclaw_venice.wire.Wire`)."""
        return self.wire.http_client()

    def route(self) -> str:
        """How requests travel, for messages: "" (direct) or " through the proxy ..."."""
        return self.wire.route()

    def api_key(self) -> str:
        return self.wire.api_key()

    async def aclose(self) -> None:
        """Close the pool of the running loop (never an injected client)."""
        await self.wire.aclose()

    def close(self) -> None:
        """Close what the sync wrappers opened, in every thread that used them (loops still
        running in another thread are left to it)."""
        self._runner.close(self.wire.aclose)

    async def __aenter__(self) -> VeniceChat:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __enter__(self) -> VeniceChat:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_SYNC = (
    "complete_sync/stream_sync",
    "await chat.complete(...)` or `async for event in chat.stream(...)",
)


_VISION: dict[int, tuple[Catalog, list[str]]] = {}


_MEDIA: dict[int, tuple[Catalog, dict[str, list[str]]]] = {}


def _media_models(catalog: Catalog) -> dict[str, list[str]]:
    """The models of ``catalog`` that take audio and video input (named when a turn holds
    one the model does not take), worked out once per catalog."""
    known = _MEDIA.get(id(catalog))
    if known is None or known[0] is not catalog:
        if len(_MEDIA) > 16:
            _MEDIA.clear()
        takers = {w: [m.ref for m in catalog.models if w in m.input] for w in ("audio", "video")}
        known = _MEDIA[id(catalog)] = (catalog, takers)
    return known[1]


def _vision_models(catalog: Catalog) -> list[str]:
    """The vision models of ``catalog`` (named when images go to a text model), worked out
    once per catalog rather than on every turn."""
    known = _VISION.get(id(catalog))
    if known is None or known[0] is not catalog:
        if len(_VISION) > 16:
            _VISION.clear()
        known = _VISION[id(catalog)] = (
            catalog,
            [m.ref for m in catalog.models if "image" in m.input],
        )
    return known[1]


def _secret(value: str | SecretStr | None) -> SecretStr:
    from ..runtime.plugins import SecretStr

    if not isinstance(value, str | None):  # ours, pydantic's, any get_secret_value()
        value = value.get_secret_value()
    if not value or not value.strip():
        raise SecretError(
            f"no Venice API key: pass api_key=..., set {ENV_VAR}, or run "
            "`openclaw onboard --auth-choice venice-api-key`"
        )
    key = value.strip()
    if not (key.isascii() and key.isprintable() and " " not in key):
        raise SecretError(  # it would fail in the HTTP header (or be retried three times)
            "the Venice API key contains a space, a control character or a character that is "
            "not ASCII, so it cannot be sent; copy it again from https://venice.ai/settings/api"
        )
    return SecretStr(key)


def _failed(error: Exception, model: ModelInfo | str) -> AssistantMessage:
    ref = model.id if isinstance(model, ModelInfo) else model
    return AssistantMessage(
        (), "error", model=ref, provider=PROVIDER_ID, meta={"error": str(error)}
    )
