"""``VeniceChat``: runtime turns to Venice chat completions and back, async with sync wrappers.

The key comes from the argument, else ``VENICE_API_KEY``; it travels as a ``SecretStr`` and
goes only to https (or loopback http). ``stream`` never raises for Venice trouble: it ends
with an ``error`` event carrying the typed error; ``complete`` raises it.
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from collections.abc import AsyncGenerator, Callable, Iterator, Mapping
from contextlib import aclosing
from typing import TYPE_CHECKING, Any

from ..errors import OpenClawError, RequestRefused, SecretError, UnknownModelError, UsageError
from ..identity import BASE_URL_ENV_VAR, DEFAULT_BASE_URL, ENV_VAR, PROVIDER_ID
from ..runtime.ai import AssistantMessage, Context, StreamEvent
from ..runtime.catalog import Catalog, ModelInfo, deprecation_warning
from .config_settings import NONE, ProviderSettings
from .options import StreamOptions
from .quirks import is_e2ee
from .request import build_request, split_model_suffix
from .transport import check_key_destination

if TYPE_CHECKING:
    from pathlib import Path

    import httpx

    from ..runtime.plugins import SecretStr
    from .e2ee import E2EEState, TeeSettings

Warn = Callable[[str], None]
# an idle connection is kept this long (httpx: 5 s), so that an agent's next turn after a
# tool call or a person's next prompt reuses it instead of paying a new TLS handshake
KEEPALIVE_SECONDS = 60.0


def _stderr_warn(message: str) -> None:
    import sys

    print(f"warning: {message}", file=sys.stderr)


class VeniceChat:
    """Venice chat completions for a Python agent runtime.

    ``model`` arguments take a catalog record or an id (``venice/`` prefix and Venice's
    ``id:key=value`` suffix allowed; renamed and retired ids resolve to their successor).
    Pass ``http_client`` to share a pool; it is then yours to close.
    """

    def __init__(
        self,
        api_key: str | SecretStr | None = None,
        *,
        base_url: str | None = None,
        catalog: Catalog | None = None,
        http_client: httpx.AsyncClient | None = None,
        env: Mapping[str, str] | None = None,
        warn: Warn | None = None,
        max_connections: int = 64,
        tee: TeeSettings | None = None,
        state_dir: Path | None = None,
        settings: ProviderSettings | None = None,
    ) -> None:
        env = os.environ if env is None else env
        self._env = env  # proxy and certificate variables are read from here too
        self._key = _secret(api_key if api_key is not None else env.get(ENV_VAR))
        self.base_url = (base_url or env.get(BASE_URL_ENV_VAR) or DEFAULT_BASE_URL).rstrip("/")
        check_key_destination(self.base_url)
        self._catalog = catalog
        self._injected = http_client
        # per event loop, and gone with it: its pool, and the generator that closes it
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient]
        self._clients = weakref.WeakKeyDictionary()
        self._guards: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, AsyncGenerator[None, None]
        ] = weakref.WeakKeyDictionary()
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]
        self._slots = weakref.WeakKeyDictionary()
        self._local = threading.local()  # each thread's loop for the sync wrappers
        self._sync_loops: list[asyncio.AbstractEventLoop] = []
        self._lock = threading.Lock()
        self._max_connections = max_connections
        self.warn: Warn = warn or _stderr_warn
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

    # -- models ------------------------------------------------------------------------------
    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            from ..catalog import load_bundle

            self._catalog = load_bundle()
        return self._catalog

    def resolve_model(self, model: ModelInfo | str) -> tuple[ModelInfo, str]:
        """The catalog record and the id to send (with any ``:key=value`` suffix)."""
        if isinstance(model, ModelInfo):
            self._warn_deprecated(model)
            return model, model.id
        base, suffix = split_model_suffix(model.removeprefix(f"{PROVIDER_ID}/"))
        resolution = self.catalog.resolve(base)
        if resolution is None:
            raise UnknownModelError(f"{PROVIDER_ID}/{base}", self.catalog.suggestions(base))
        if resolution.notice:
            self.warn_once(resolution.notice)
        self._warn_deprecated(resolution.model)
        return resolution.model, resolution.model.id + suffix

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
        try:
            record, requested = self.resolve_model(model)
            body = self._body(record, requested, context, options, stream=True)
        except OpenClawError as exc:
            yield StreamEvent("error", error=exc, message=_failed(exc, model))
            return
        turn: AsyncGenerator[StreamEvent, None]
        if is_e2ee(record):
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
        """This client's E2EE session: one key pair for its life, attestations by model."""
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
        if not stream and not is_e2ee(self.resolve_model(model)[0]):  # e2ee: streams only
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
        vision = [m.ref for m in self.catalog.models if "image" in m.input]
        return build_request(
            self.settings.cap(record),
            context,
            options,
            stream=stream,
            requested_id=requested,
            vision_models=vision,
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
        """:meth:`complete` for scripts without an event loop (each thread gets its own)."""
        loop = self._loop()
        return loop.run_until_complete(self.complete(model, context, options, stream=stream))

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
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise UsageError(
                "complete_sync/stream_sync cannot run inside a running event loop; use "
                "`await chat.complete(...)` or `async for event in chat.stream(...)`"
            )
        loop: asyncio.AbstractEventLoop | None = getattr(self._local, "loop", None)
        if loop is None or loop.is_closed():
            loop = self._local.loop = asyncio.new_event_loop()
            with self._lock:
                self._sync_loops.append(loop)
        return loop

    # -- HTTP clients ------------------------------------------------------------------------
    def http_client(self) -> httpx.AsyncClient:
        """The client for the running event loop (one per loop: httpx pools are loop-bound).
        It is closed when that loop shuts down its async generators (``asyncio.run`` and
        ``asyncio.Runner`` do), so a loop that ends takes its sockets with it."""
        if self._injected is not None:
            return self._injected
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = self._clients[loop] = self._new_client()
            guard = self._guards[loop] = self._pool_guard(client)
            _start(guard)
        return client

    def http_slots(self) -> asyncio.Semaphore:
        """The running loop's turns in flight, at most ``max_connections`` at once."""
        loop = asyncio.get_running_loop()
        slots = self._slots.get(loop)
        if slots is None:
            slots = self._slots[loop] = asyncio.Semaphore(self._max_connections)
        return slots

    def _new_client(self) -> httpx.AsyncClient:
        """A pool on the network policy (proxy, CA certificates) shared with discovery."""
        import httpx

        from .. import network

        limits = httpx.Limits(
            max_connections=self._max_connections,
            max_keepalive_connections=self._max_connections,  # fewer: busy pools churn
            keepalive_expiry=KEEPALIVE_SECONDS,
        )
        try:
            transport = network.async_transport(self.base_url, self._env, limits)
        except network.NetworkSettingError as exc:
            raise RequestRefused(str(exc)) from None
        return httpx.AsyncClient(transport=transport, trust_env=False)

    def route(self) -> str:
        """How requests travel, for messages: "" (direct) or " through the proxy ..."."""
        from .. import network

        try:
            return network.route_for(self.base_url, self._env).describe()
        except network.NetworkSettingError:
            return ""

    async def _pool_guard(self, client: httpx.AsyncClient) -> AsyncGenerator[None, None]:
        """Suspended for the life of the loop; closed by ``loop.shutdown_asyncgens()``.
        (It holds no reference to the loop, so the weak maps can let a dead loop go.)"""
        try:
            yield
        finally:
            loop = asyncio.get_running_loop()
            self._guards.pop(loop, None)
            if self._clients.get(loop) is client:
                del self._clients[loop]
            await client.aclose()

    def api_key(self) -> str:
        return self._key.get_secret_value()

    async def aclose(self) -> None:
        """Close the pool of the running loop (never an injected client)."""
        loop = asyncio.get_running_loop()
        client = self._clients.pop(loop, None)
        guard = self._guards.pop(loop, None)
        if guard is not None:
            await guard.aclose()  # closes the client
        elif client is not None:
            await client.aclose()

    def close(self) -> None:
        """Close what the sync wrappers opened, in every thread that used them (loops still
        running in another thread are left to it)."""
        with self._lock:
            loops, self._sync_loops = self._sync_loops, []
        for loop in loops:
            if loop.is_running():
                with self._lock:
                    self._sync_loops.append(loop)
            elif not loop.is_closed():
                loop.run_until_complete(self._close_for(loop))
                loop.close()

    async def _close_for(self, loop: asyncio.AbstractEventLoop) -> None:
        await self.aclose()
        await loop.shutdown_asyncgens()

    async def __aenter__(self) -> VeniceChat:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __enter__(self) -> VeniceChat:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _start(generator: AsyncGenerator[None, None]) -> None:
    """Run ``generator`` to its first ``yield`` now (it awaits nothing before it), which
    also registers it with the running loop's async-generator hooks."""
    step = generator.asend(None)
    try:
        step.send(None)
    except StopIteration:
        return
    raise RuntimeError("the pool guard awaited before its first yield")  # pragma: no cover


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
