"""The gateway's endpoints over the host's providers, through the plugin contract alone:
``GET /v1/models`` (every chat provider's catalog) and ``POST /v1/chat/completions`` (each
turn through the provider's own chat session, so its rules apply: limits, reasoning, tool
gating, replay repair, its own parameters, E2EE); the media endpoints of :mod:`.media`
(images, embeddings) through the providers' capabilities.

One session per provider for the life of the gateway (its connection pool, its E2EE key and
attestations). Nothing here names a provider.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import unquote

from ..ai import StreamEvent
from ..catalog import Catalog, ModelInfo, split_ref
from ..errors import OpenClawError, ProviderError, UnknownModelError
from ..plugins import ChatProvider, ChatSession, SecretStr, openai_fields
from . import answer, audio
from .failures import describe_error, error_reply, refusal
from .guard import authorized, local_request
from .http import Reply, Request
from .media import ENDPOINTS as MEDIA_ENDPOINTS
from .media import MediaProviders
from .request import BadField, read_request

if TYPE_CHECKING:
    from ..host import Host

JSON = "application/json"
SSE = "text/event-stream"


@dataclass(slots=True)
class Route:
    """One chat provider as the gateway serves it."""

    provider: ChatProvider
    catalog: Catalog
    key: SecretStr
    fields: frozenset[str]
    session: ChatSession | None = None


@dataclass(slots=True)
class Gateway:
    """The application: ``await gateway.handle(request)``."""

    host: Host
    token: str
    routes: dict[str, Route]
    allowed_hosts: Sequence[str] = ()
    log: Callable[[str], None] = field(default=lambda line: None)
    #: upstream requests in flight per provider (its config's ``params.maxConnections``, which the
    #: provider's wire honours); None leaves the provider's own setting
    max_connections: int | None = None
    #: the providers behind the media endpoints (:data:`.media.ENDPOINTS`); None serves none
    media: MediaProviders | None = None
    #: the speech and transcription endpoints, made on their first request
    speech_endpoints: audio.AudioEndpoints | None = None

    async def handle(self, request: Request) -> Reply:
        refused = local_request(request.headers, self.allowed_hosts)
        if refused is not None:
            return refusal(403, refused, "permission_error")
        if not authorized(request.headers, self.token):
            return refusal(
                401,
                "missing or wrong bearer token; use the token in the file `openclaw serve` printed",
                "authentication_error",
                code="invalid_api_key",
            )
        path = request.target.partition("?")[0].rstrip("/")
        if path == "/v1/models" and request.method == "GET":
            return Reply(200, answer.models_json(self.models()))
        if path.startswith("/v1/models/") and request.method == "GET":
            # OpenAI's JavaScript SDK sends the id's slash as %2F
            return self.model(unquote(path.removeprefix("/v1/models/")))
        if path in audio.PATHS:
            if self.speech_endpoints is None:
                self.speech_endpoints = audio.AudioEndpoints(self.host, self.log, error_reply)
            return await self.speech_endpoints.handle(path, request)
        if path == "/v1/chat/completions":
            if request.method != "POST":
                return refusal(405, "use POST for /v1/chat/completions", "invalid_request_error")
            return await self.chat(request.body)
        endpoint = MEDIA_ENDPOINTS.get(path)
        if endpoint is not None and self.media is not None:
            if request.method != "POST":
                return refusal(405, f"use POST for {path}", "invalid_request_error")
            return await endpoint(self.media, request)
        return refusal(404, f"no endpoint {request.method} {path or '/'}", "invalid_request_error")

    # -- models -----------------------------------------------------------------------
    def models(self) -> list[ModelInfo]:
        return [m for route in self.routes.values() for m in route.catalog.models]

    def model(self, ref: str) -> Reply:
        try:
            route, model_id = self.route_for(ref)
        except UnknownModelError as exc:
            return refusal(404, str(exc), "invalid_request_error", "model", "model_not_found")
        found = route.catalog.resolve(model_id)
        if found is None:
            return refusal(404, f"unknown model {ref}", "invalid_request_error", "model")
        return Reply(200, json.dumps(answer.model_json(found.model)).encode())

    def route_for(self, ref: str) -> tuple[Route, str]:
        """The provider of ``provider/id`` (or of a bare id: the one provider, or the one
        whose catalog lists it) and the id as written after ``provider/``."""
        single = next(iter(self.routes)) if len(self.routes) == 1 else None
        provider_id, model_id = split_ref(ref, single)
        if provider_id is not None and provider_id in self.routes and model_id:
            return self.routes[provider_id], model_id
        if provider_id is not None and provider_id not in self.routes:
            model_id = ref  # an id with a slash of its own, bare
        for route in self.routes.values():
            if route.catalog.find(model_id) is not None:
                return route, model_id
        raise UnknownModelError(ref, [])

    # -- chat ---------------------------------------------------------------------------
    async def chat(self, raw: bytes) -> Reply:
        try:
            body = json.loads(raw)
        except ValueError:
            return refusal(400, "the request body is not valid JSON", "invalid_request_error")
        model_ref = body.get("model") if isinstance(body, Mapping) else None
        if not isinstance(model_ref, str) or not model_ref:
            return refusal(400, "`model` is missing", "invalid_request_error", "model")
        try:
            route, model_id = self.route_for(model_ref)
            found = route.catalog.resolve(model_id)
            record_id = found.model.id if found else model_id
            turn = read_request(body, route.fields, route.provider.id, record_id)
        except BadField as exc:
            return refusal(400, str(exc), "invalid_request_error", exc.param or None)
        except UnknownModelError as exc:
            return refusal(404, str(exc), "invalid_request_error", "model", "model_not_found")
        session = self.session(route)
        events = session.stream(model_id, turn.context, turn.settings)
        ident = answer.completion_id()
        first = await _first_event(events)
        if first.type == "error":
            await events.aclose()
            return error_reply(first.error)
        if not turn.stream:
            return await _whole(first, events, model_ref, ident)
        writer = answer.ChunkWriter(model_ref, ident, turn.include_usage)
        return Reply(200, _chunks(first, events, writer), content_type=SSE)

    def session(self, route: Route) -> ChatSession:
        if route.session is None:
            ctx = self.host.provider_context(route.provider, warn=self.log)
            if self.max_connections is not None:
                params = ctx.config.get("params")
                params = {**params} if isinstance(params, Mapping) else {}
                params["maxConnections"] = self.max_connections
                ctx = ctx._replace(config={**ctx.config, "params": params})
            route.session = route.provider.chat(ctx, route.key, route.catalog)
        return route.session

    async def aclose(self) -> None:
        """Close every session, then every provider (the contract's lifecycle)."""
        from ..plugins import close_provider

        for route in self.routes.values():
            if route.session is not None:
                await route.session.aclose()
                route.session = None
        for route in self.routes.values():
            failure = await close_provider(route.provider)
            if failure:
                self.log(failure)


async def _first_event(events: AsyncGenerator[StreamEvent, None]) -> StreamEvent:
    async for event in events:
        return event
    return StreamEvent("error", error=ProviderError("the provider sent nothing"))


async def _whole(
    first: StreamEvent, events: AsyncGenerator[StreamEvent, None], model: str, ident: str
) -> Reply:
    """A JSON answer: the turn's final message."""
    event = first
    async with aclosing(events) as rest:
        if event.type not in ("done", "error"):
            async for event in rest:
                if event.type in ("done", "error"):
                    break
    if event.type != "done" or event.message is None:
        return error_reply(event.error)
    return Reply(200, json.dumps(answer.completion(event.message, model, ident)).encode())


async def _chunks(
    first: StreamEvent, events: AsyncGenerator[StreamEvent, None], writer: answer.ChunkWriter
) -> AsyncIterator[bytes]:
    try:  # (aclosing's work, without its two awaits per answer)
        yield writer.event(first)
        async for event in events:
            if event.type == "error":
                _, kind, message = describe_error(event.error)
                yield answer.stream_error(message, kind)
                return
            data = writer.event(event)
            if data:
                yield data
    finally:
        await events.aclose()


def build_routes(host: Host, warn: Callable[[str], None]) -> dict[str, Route]:
    """Every chat provider that has a key, with its catalog (live, cached or bundled)."""
    routes: dict[str, Route] = {}
    for provider in host.registry.providers.values():
        if not isinstance(provider, ChatProvider):
            continue
        try:
            key = host.resolve_key(provider).value
        except OpenClawError as exc:
            warn(f"{provider.label} is not served: {exc}")
            continue
        catalog = host.catalog(provider.id)
        routes[provider.id] = Route(provider, catalog, key, openai_fields(provider))
    return routes
