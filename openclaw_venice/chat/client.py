"""``VeniceChat``: runtime turns to Venice chat completions and back, async with sync wrappers.

The key comes from the argument, else ``VENICE_API_KEY``; it travels as a ``SecretStr`` and
goes only to https (or loopback http). ``stream`` never raises for Venice trouble: it ends
with an ``error`` event carrying the typed error; ``complete`` raises it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncGenerator, Callable, Iterator, Mapping
from contextlib import aclosing
from typing import TYPE_CHECKING, Any

from ..errors import OpenClawError, SecretError, UnknownModelError
from ..identity import BASE_URL_ENV_VAR, DEFAULT_BASE_URL, ENV_VAR, PROVIDER_ID
from ..runtime.ai import AssistantMessage, Context, StreamEvent
from ..runtime.catalog import Catalog, ModelInfo
from .options import StreamOptions
from .quirks import is_e2ee
from .request import build_request, split_model_suffix
from .transport import check_key_destination

if TYPE_CHECKING:
    import httpx

    from ..runtime.plugins import SecretStr
    from .e2ee import E2EEState, TeeSettings

Warn = Callable[[str], None]


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
    ) -> None:
        env = os.environ if env is None else env
        self._key = _secret(api_key if api_key is not None else env.get(ENV_VAR))
        self.base_url = (base_url or env.get(BASE_URL_ENV_VAR) or DEFAULT_BASE_URL).rstrip("/")
        check_key_destination(self.base_url)
        self._catalog = catalog
        self._injected = http_client
        self._clients: dict[asyncio.AbstractEventLoop, httpx.AsyncClient] = {}
        self._sync_loop: asyncio.AbstractEventLoop | None = None
        self._max_connections = max_connections
        self.warn: Warn = warn or _stderr_warn
        self._warned: set[str] = set()
        self._tee = tee
        self._tee_env = {k: v for k, v in env.items() if k.startswith("VENICE_TEE_")}
        self._e2ee: E2EEState | None = None  # this session's key pair and attested enclaves

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
            return model, model.id
        base, suffix = split_model_suffix(model.removeprefix(f"{PROVIDER_ID}/"))
        resolution = self.catalog.resolve(base)
        if resolution is None:
            raise UnknownModelError(f"{PROVIDER_ID}/{base}", self.catalog.suggestions(base))
        if resolution.notice:
            self.warn_once(resolution.notice)
        return resolution.model, resolution.model.id + suffix

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
            turn = run_turn(self, record, body, options)  # type: ignore[assignment]
        async with aclosing(turn) as events:
            async for event in events:
                yield event

    def e2ee_state(self) -> E2EEState:
        """This client's E2EE session: one key pair for its life, attestations by model."""
        if self._e2ee is None:
            from .e2ee import E2EEState, TeeSettings

            settings = self._tee or TeeSettings.from_env(self._tee_env)
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
            record,
            context,
            options,
            stream=stream,
            requested_id=requested,
            vision_models=vision,
            warn=self.warn_once,
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
        """:meth:`complete` for scripts without an event loop."""
        return self._loop().run_until_complete(
            self.complete(model, context, options, stream=stream)
        )

    def stream_sync(
        self, model: ModelInfo | str, context: Context, options: StreamOptions | None = None
    ) -> Iterator[StreamEvent]:
        """:meth:`stream` for scripts without an event loop."""
        loop = self._loop()
        events = self.stream(model, context, options).__aiter__()
        try:
            while True:
                try:
                    yield loop.run_until_complete(events.__anext__())
                except StopAsyncIteration:
                    return
        finally:
            loop.run_until_complete(events.aclose())  # type: ignore[attr-defined]

    def _loop(self) -> asyncio.AbstractEventLoop:
        if self._sync_loop is None or self._sync_loop.is_closed():
            self._sync_loop = asyncio.new_event_loop()
        return self._sync_loop

    # -- HTTP clients ------------------------------------------------------------------------
    def http_client(self) -> httpx.AsyncClient:
        """The client for the running event loop (one per loop: httpx pools are loop-bound)."""
        if self._injected is not None:
            return self._injected
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            import httpx

            limits = httpx.Limits(
                max_connections=self._max_connections,
                max_keepalive_connections=self._max_connections,  # fewer: busy pools churn
            )
            client = httpx.AsyncClient(limits=limits, trust_env=False)
            self._clients[loop] = client
        return client

    def api_key(self) -> str:
        return self._key.get_secret_value()

    async def aclose(self) -> None:
        """Close the pool of the running loop (never an injected client)."""
        client = self._clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()

    def close(self) -> None:
        """Close what the sync wrappers opened."""
        if self._sync_loop is not None and not self._sync_loop.is_closed():
            self._sync_loop.run_until_complete(self._close_for(self._sync_loop))
            self._sync_loop.close()

    async def _close_for(self, loop: asyncio.AbstractEventLoop) -> None:
        client = self._clients.pop(loop, None)
        if client is not None:
            await client.aclose()

    async def __aenter__(self) -> VeniceChat:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __enter__(self) -> VeniceChat:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _secret(value: str | SecretStr | None) -> SecretStr:
    from ..runtime.plugins import SecretStr

    if not isinstance(value, str | None):  # ours, pydantic's, any get_secret_value()
        value = value.get_secret_value()
    if not value or not value.strip():
        raise SecretError(
            f"no Venice API key: pass api_key=..., set {ENV_VAR}, or run "
            "`openclaw onboard --auth-choice venice-api-key`"
        )
    return SecretStr(value.strip())


def _failed(error: Exception, model: ModelInfo | str) -> AssistantMessage:
    ref = model.id if isinstance(model, ModelInfo) else model
    return AssistantMessage(
        (), "error", model=ref, provider=PROVIDER_ID, meta={"error": str(error)}
    )
