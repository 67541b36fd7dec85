"""``Wire``: the one object every request to Venice goes through.

It holds the base URL, the key and the network policy (proxy, CA certificates), and per
event loop an httpx pool that is closed with its loop (httpx pools are loop-bound). Each
request checks where the key is going at send time, carries the plain headers of
:func:`.http.request_headers`, runs through the one request loop below (retries under a
:class:`~.retry.RetryPolicy`, a deadline, the request id on every error) and is read within a
byte cap. Nothing above this package imports httpx; the library logs through
``logging.getLogger("openclaw_venice.wire")`` and never prints.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import threading
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import urlsplit

from ..errors import (
    OpenClawError,
    RequestRefused,
    StreamFormatError,
    VeniceConnectionError,
    VeniceError,
    VeniceTimeoutError,
)
from ..identity import USER_AGENT
from . import http, route
from .body import UNBOUNDED, Refused, TooLarge
from .limits import ANSWER, JsonLimits, JsonRefused, loads
from .retry import CHAT, RetryPolicy
from .text import mask_error

if TYPE_CHECKING:
    import httpx
    from httpx import AsyncBaseTransport as AsyncBaseTransport
    from httpx import AsyncClient as AsyncClient
    from httpx import Response as Response  # the types above the wire names, from here

    from ..runtime.plugins import SecretStr

__all__ = [
    "Answer",
    "AttestationFailures",
    "CallLimits",
    "ConnectionLimits",
    "Download",
    "Failures",
    "VeniceFailures",
    "Wire",
    "body_pieces",
    "is_proxy_failure",
    "malformed",
    "pieces",
]

log = logging.getLogger("openclaw_venice.wire")

CONNECT_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """The pool of one event loop.

    ``max_connections``: requests in flight at once (more wait on a semaphore, in order,
    rather than in httpcore's queue, whose bookkeeping costs queued x connections on every
    request). ``max_keepalive``: idle connections kept for the next request; bounded because
    httpcore scans its idle list on every request and response (keep-alive equal to thousands
    of connections turns that scan quadratic). 100 is the openai SDK's setting. A pool of
    more than 256 connections is split into httpcore pools of at most 256 each
    (:mod:`.shards`), the kept-alive ones split with it, so no scan is longer than that.
    ``keepalive_seconds``: how long an idle connection is kept (httpx: 5 s), so that an
    agent's next turn after a tool call reuses it instead of paying a new TLS handshake."""

    max_connections: int = 4096
    max_keepalive: int = 100
    keepalive_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.max_connections < 1 or self.max_keepalive < 0:
            raise ValueError("max_connections must be at least 1 and max_keepalive at least 0")

    @classmethod
    def of(cls, value: ConnectionLimits | int | None) -> ConnectionLimits:
        """``value`` as limits: an int sets ``max_connections`` alone; None, the defaults."""
        if value is None:
            return cls()
        if isinstance(value, int):
            return cls(max_connections=value)
        return value


@dataclass(frozen=True, slots=True)
class CallLimits:
    """One JSON call: ``timeout`` seconds without a byte, ``max_bytes`` of answer at most,
    ``max_retries`` retries under the chat policy, ``json``: what its JSON may hold (bytes do
    not bound memory: see :mod:`.limits`)."""

    timeout: float = 60.0
    max_bytes: int = 4 * 1024 * 1024
    max_retries: int = 2
    json: JsonLimits = ANSWER


@dataclass(frozen=True, slots=True)
class Answer:
    payload: Any  # the parsed JSON body
    headers: Mapping[str, str]
    request_id: str | None


@dataclass(frozen=True, slots=True)
class Download:
    """A body written to a sink by :meth:`Wire.download`: its ``size`` in bytes (decoded),
    the answer's headers and ``content_type`` (without parameters)."""

    size: int
    headers: Mapping[str, str]
    request_id: str | None
    content_type: str


class Failures(Protocol):
    """The errors a call raises when it gives up (after ``attempts`` tries)."""

    def status(
        self, status: int, body: bytes, request_id: str | None, wait: float | None, attempts: int
    ) -> Exception: ...

    def timeout(self, attempts: int) -> Exception: ...

    def deadline(self) -> Exception: ...

    def unreachable(self, exc: Exception, attempts: int, refused: bool) -> Exception: ...


@dataclass(frozen=True, slots=True)
class VeniceFailures:
    """Failures of a call to Venice's API, in the one error tree."""

    where: str  # host[:port], and the route (" through the proxy ...")
    timeout_text: str
    deadline_text: str = "Venice's answer went past the call's time limit; try again"
    replacement: str | None = None  # the model that succeeds a 404'd one
    model: str | None = None  # the model ref of a chat turn: its 404 may blame the model
    endpoint: str | None = None  # the request that failed, ``POST https://...`` (see ``at``)

    def at(self, request: httpx.Request) -> VeniceFailures:
        """These failures naming ``request`` (a 404 says which URL had nothing)."""
        return replace(self, endpoint=http.endpoint_text(request.method, str(request.url)))

    def status(
        self, status: int, body: bytes, request_id: str | None, wait: float | None, attempts: int
    ) -> OpenClawError:
        return http.error_for_status(
            status, body, request_id, self.replacement, wait,
            endpoint=self.endpoint, model=self.model,
        )  # fmt: skip

    def timeout(self, attempts: int) -> OpenClawError:
        return VeniceTimeoutError(self.timeout_text)

    def deadline(self) -> OpenClawError:
        return VeniceTimeoutError(self.deadline_text)

    def unreachable(self, exc: Exception, attempts: int, refused: bool) -> OpenClawError:
        return VeniceConnectionError(
            f"could not reach Venice at {self.where} ({type(exc).__name__}, {attempts} "
            "attempts); check your connection and try again"
        )


@dataclass(frozen=True, slots=True)
class AttestationFailures(VeniceFailures):
    """An enclave's attestation that could not be fetched (tried once)."""

    def unreachable(self, exc: Exception, attempts: int, refused: bool) -> OpenClawError:
        return VeniceConnectionError(
            f"could not fetch the enclave's attestation ({type(exc).__name__}); try again"
        )


Reader = Callable[["httpx.Response"], Awaitable[Any]]
E = TypeVar("E", bound=Exception)


class _GiveUp(Exception):
    """One attempt failed: ``error(attempts)`` is what to raise, ``delay`` the wait before a
    retry (None: none)."""

    def __init__(
        self, error: Callable[[int], Exception], delay: float | None, why: str = ""
    ) -> None:
        self.error, self.delay, self.why = error, delay, why


class Wire:
    """Requests to Venice at ``base_url``, as ``api_key`` (None: unauthenticated calls only).

    ``env`` holds the proxy and certificate variables; ``limits`` the pool of each event loop;
    ``http_client`` an httpx client to use instead (it is then yours to close); ``transport``
    the httpx transport of the pools made here (tests: ``httpx.MockTransport``)."""

    def __init__(
        self,
        base_url: str,
        api_key: SecretStr | None = None,
        *,
        env: Mapping[str, str] | None = None,
        limits: ConnectionLimits | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        user_agent: str = USER_AGENT,
    ) -> None:
        import os

        self.base_url = base_url.rstrip("/")
        self._key = api_key
        if api_key is not None:
            http.check_key_destination(self.base_url)
        self.env = os.environ if env is None else env
        self._transport = transport
        self.limits = limits or ConnectionLimits()
        self.user_agent = user_agent
        self._injected = http_client
        # per event loop, and gone with it: its pool, the generator that closes it, its slots
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient]
        self._clients = weakref.WeakKeyDictionary()
        self._guards: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, AsyncGenerator[None, None]
        ] = weakref.WeakKeyDictionary()
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]
        self._slots = weakref.WeakKeyDictionary()
        # the transport under each pool: requests go to it directly (see ``_send``)
        self._transports: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, httpx.AsyncBaseTransport
        ] = weakref.WeakKeyDictionary()
        self._header_sets: dict[tuple[object, ...], dict[str, str]] = {}
        self._lock = threading.Lock()
        self._where: tuple[str, str] | None = None

    def __repr__(self) -> str:
        return f"Wire(base_url={self.base_url!r})"

    def api_key(self) -> str:
        if self._key is None:
            raise RequestRefused("this call needs a Venice API key")
        return self._key.get_secret_value()

    def secret(self) -> str | None:
        """The key, to mask it in what a server says (None: there is none)."""
        return None if self._key is None else self._key.get_secret_value()

    # -- where requests go -------------------------------------------------------------------
    def route(self) -> str:
        """How requests travel, for messages: "" (direct) or " through the proxy ..."."""
        try:
            return route.route_for(self.base_url, self.env).describe()
        except route.NetworkSettingError:
            return ""

    def where(self) -> str:
        """``host[:port]`` and the route, for messages (worked out once per base URL)."""
        known = self._where
        if known is None or known[0] != self.base_url:
            known = self._where = (self.base_url, urlsplit(self.base_url).netloc + self.route())
        return known[1]

    def failures(self, timeout: float, hint: str = "") -> VeniceFailures:
        return VeniceFailures(
            self.where(), f"Venice did not answer within {timeout:g} s; try again{hint}"
        )

    # -- the pools ---------------------------------------------------------------------------
    def http_client(self) -> httpx.AsyncClient:
        """The pool for the running event loop. It is closed when that loop shuts down its
        async generators (``asyncio.run`` and ``asyncio.Runner`` do), so a loop that ends
        takes its sockets with it."""
        if self._injected is not None:
            return self._injected
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            transport = self._new_transport()
            client = self._clients[loop] = self._client_over(transport)
            self._transports[loop] = transport
            guard = self._guards[loop] = self._pool_guard(client)
            _start(guard)
        return client

    def _pool(self) -> tuple[httpx.AsyncClient, httpx.AsyncBaseTransport | None]:
        """The running loop's pool, and its transport (None: an injected client)."""
        client = self.http_client()
        if self._injected is not None:
            return client, None
        return client, self._transports.get(asyncio.get_running_loop())

    def slots(self) -> asyncio.Semaphore:
        """The running loop's requests in flight, at most ``limits.max_connections``."""
        loop = asyncio.get_running_loop()
        slots = self._slots.get(loop)
        if slots is None:
            slots = self._slots[loop] = asyncio.Semaphore(self.limits.max_connections)
        return slots

    def _new_transport(self) -> httpx.AsyncBaseTransport:
        import httpx

        limits = httpx.Limits(
            max_connections=self.limits.max_connections,
            max_keepalive_connections=self.limits.max_keepalive,
            keepalive_expiry=self.limits.keepalive_seconds,
        )
        if self._transport is not None:
            return self._transport
        from .shards import pooled

        base_url, env = self.base_url, dict(self.env)  # every shard on the same route

        def make(shard: httpx.Limits) -> httpx.AsyncBaseTransport:
            return route.async_transport(base_url, env, shard)

        try:  # the first shard is made now: a proxy or certificate setting fails here
            return pooled(make, limits)
        except route.NetworkSettingError as exc:
            raise RequestRefused(str(exc)) from None

    @staticmethod
    def _client_over(transport: httpx.AsyncBaseTransport) -> httpx.AsyncClient:
        import httpx

        return httpx.AsyncClient(transport=transport, trust_env=False)

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
                self._transports.pop(loop, None)
            await client.aclose()

    def open_pools(self) -> int:
        """Pools open now (one per event loop that used this wire and still runs)."""
        return len(self._clients)

    async def aclose(self) -> None:
        """Close the running loop's pool (never an injected client)."""
        loop = asyncio.get_running_loop()
        client = self._clients.pop(loop, None)
        self._transports.pop(loop, None)
        guard = self._guards.pop(loop, None)
        if guard is not None:
            await guard.aclose()  # closes the client
        elif client is not None:
            await client.aclose()

    async def __aenter__(self) -> Wire:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- requests ----------------------------------------------------------------------------
    def headers(
        self, accept: str = "application/json", *, auth: bool = True, body: bool = False
    ) -> dict[str, str]:
        """Authorization (when ``auth``), a plain User-Agent and content negotiation (a new
        dict: the caller may add to it)."""
        kind = (accept, auth, body, self.user_agent, self._key)
        known = self._header_sets.get(kind)
        if known is None:
            known = http.request_headers(self.api_key() if auth else None, self.user_agent, accept)
            if not body:
                del known["Content-Type"]
            if len(self._header_sets) < 32:  # a few kinds of request per wire
                self._header_sets[kind] = known
        return dict(known)

    @asynccontextmanager
    async def open(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float,
        policy: RetryPolicy = CHAT,
        failures: Failures | None = None,
        deadline: float | None = None,
        slot: bool = False,
        on_retry: Callable[[float, str], None] | None = None,
    ) -> AsyncIterator[httpx.Response]:
        """A 2xx answer, open for reading, after the retries ``policy`` allows, all before
        ``deadline`` (``loop.time()`` seconds; the answer's headers included). ``slot``: the
        request holds one of :meth:`slots` until the answer is closed."""
        response: httpx.Response = await self._loop(
            method, path, content, params, headers, timeout, policy,
            failures, deadline, None, slot, on_retry, None,
        )  # fmt: skip
        try:
            yield response
        finally:
            await response.aclose()
            if slot:
                self.slots().release()

    async def request(
        self,
        method: str,
        path: str,
        read: Reader,
        *,
        content: bytes | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float,
        policy: RetryPolicy = CHAT,
        failures: Failures | None = None,
        attempt_limit: float | None = None,
        on_retry: Callable[[float, str], None] | None = None,
    ) -> Any:
        """``read(answer)`` of a 2xx answer; ``read`` runs inside the attempt, so a timeout
        or a cut while reading is retried as ``policy`` says. ``attempt_limit``: seconds for a
        whole attempt (connecting, the headers, the body)."""
        return await self._loop(
            method, path, content, params, headers, timeout, policy,
            failures, None, attempt_limit, False, on_retry, read,
        )  # fmt: skip

    async def json(
        self,
        method: str,
        path: str,
        *,
        limits: CallLimits,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        upload: tuple[bytes, str] | None = None,
    ) -> Answer:
        """The JSON answer of ``method path`` (a 200), or the typed error of the one tree.
        ``upload``: a body that is not JSON, as (bytes, its Content-Type), e.g. a multipart
        form (sent again as it is on a retry)."""
        from .body import read_capped

        content = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        headers = self.headers(body=content is not None)
        if upload is not None:
            content, headers["Content-Type"] = upload
        failures = self.failures(limits.timeout)

        async def read(response: httpx.Response) -> Answer:
            request_id = response.headers.get("cf-ray")
            raw = await read_capped(
                response,
                limits.max_bytes,
                timed_out=failures.timeout_text,
                undecodable="Venice's answer could not be decompressed; try again",
                request_id=request_id,
            )
            return Answer(_parse(raw, limits.json, request_id), response.headers, request_id)

        return await self.request(  # type: ignore[no-any-return]
            method, path, read,
            content=content, params=params, headers=headers,
            timeout=limits.timeout, policy=CHAT.tries(limits.max_retries + 1),
            failures=failures,
        )  # fmt: skip

    async def download(
        self,
        method: str,
        path: str,
        sink: Callable[[bytes], object],
        *,
        limits: CallLimits,
        body: Mapping[str, Any] | None = None,
        accept: str = "*/*",
        total: float | None = None,
    ) -> Download:
        """The 2xx body of ``method path`` handed to ``sink`` piece by bounded piece (never
        whole in memory), at most ``limits.max_bytes`` decoded bytes. ``limits.timeout``:
        seconds without a byte; ``total``: seconds for a whole attempt.

        Refusals, timeouts and server errors are retried as ``limits.max_retries`` allows,
        but only until the first byte reached ``sink``: after that a failure is final (what
        was written is the caller's to discard), a timeout as :class:`VeniceTimeoutError`, a
        cut or a body past the cap as :class:`StreamFormatError`, each with the request id.
        An error of ``sink`` itself (a full disk) is raised as it is."""
        content = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        headers = self.headers(accept, body=content is not None)
        failures = self.failures(limits.timeout)

        async def read(response: httpx.Response) -> Download:
            return await _drain(response, sink, limits.max_bytes, failures.timeout_text)

        return await self.request(  # type: ignore[no-any-return]
            method, path, read,
            content=content, headers=headers, timeout=limits.timeout,
            policy=CHAT.tries(limits.max_retries + 1), failures=failures, attempt_limit=total,
        )  # fmt: skip

    async def fetch(
        self,
        path: str,
        *,
        max_bytes: int,
        timeout: float,
        params: Mapping[str, str] | None = None,
        auth: bool = True,
        accept: str = "application/json",
        failures: Failures | None = None,
        attempts: int = 1,
    ) -> Answer:
        """The body (bytes, at most ``max_bytes``) of ``GET path`` (or an absolute URL),
        tried ``attempts`` times under the chat policy."""
        failures = failures or self.failures(timeout)
        timed_out = f"no answer within {timeout:g} s; try again"

        async def read(response: httpx.Response) -> Answer:
            raw = await read_capped(
                response, max_bytes, timed_out=timed_out,
                undecodable="the answer could not be decompressed; try again",
            )  # fmt: skip
            return Answer(raw, response.headers, response.headers.get("cf-ray"))

        return await self.request(  # type: ignore[no-any-return]
            "GET", path, read,
            params=params, headers=self.headers(accept, auth=auth), timeout=timeout,
            policy=CHAT.tries(attempts), failures=failures,
        )  # fmt: skip

    def url(self, path: str) -> str:
        """``path`` under the base URL; an absolute URL (Intel's PCS) as it is."""
        if path.startswith(("https://", "http://")):
            return path
        return self.base_url + path

    async def _loop(
        self,
        method: str,
        path: str,
        content: bytes | None,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        timeout: float,
        policy: RetryPolicy,
        failures: Failures | None,
        deadline: float | None,
        attempt_limit: float | None,
        slot: bool,
        on_retry: Callable[[float, str], None] | None,
        read: Reader | None,
    ) -> Any:
        """The one request loop: send, classify, wait, send again; give up with the typed
        error (naming the request id once Venice answered)."""
        import httpx

        url = self.url(path)
        sent_headers = headers if headers is not None else self.headers()
        if "Authorization" in sent_headers:
            http.check_key_destination(url)  # now, not only when the wire was made
        client, transport = self._pool()
        slots = self.slots() if slot else None
        failures = failures or self.failures(timeout)
        limit = _timeouts(timeout, CONNECT_TIMEOUT)
        for attempt in range(max(policy.attempts, 1)):
            if transport is None:  # an injected client: its own ways (hooks, cookies, auth)
                request = client.build_request(
                    method, url, content=content, params=params, headers=sent_headers,
                    timeout=limit,
                )  # fmt: skip
            else:
                request = httpx.Request(
                    method, _parsed(url) if params is None else url, params=params,
                    headers=sent_headers, content=content,
                    extensions={"timeout": limit.as_dict()},
                )  # fmt: skip
            try:
                return await self._attempt(
                    client, transport, request, slots, read, policy, failures, deadline,
                    attempt_limit, attempt,
                )  # fmt: skip
            except _GiveUp as failed:
                if failed.delay is None:  # a server may quote the Authorization header
                    raise mask_error(failed.error(attempt + 1), self.secret()) from None
                why = failed.why or str(failed.error(attempt + 1))
                log.info("%s %s failed (%s); retrying in %.1f s", method, _shown(url), why,
                         failed.delay)  # fmt: skip
                if on_retry is not None:
                    on_retry(failed.delay, why)
                loop_time = asyncio.get_running_loop().time()
                if deadline is not None and loop_time + failed.delay >= deadline:
                    raise mask_error(failed.error(attempt + 1), self.secret()) from None
                await asyncio.sleep(failed.delay)
        raise VeniceConnectionError("no attempt made")  # only when attempts < 1

    async def _attempt(
        self,
        client: httpx.AsyncClient,
        transport: httpx.AsyncBaseTransport | None,
        request: httpx.Request,
        slots: asyncio.Semaphore | None,
        read: Reader | None,
        policy: RetryPolicy,
        failures: Failures,
        deadline: float | None,
        attempt_limit: float | None,
        attempt: int,
    ) -> Any:
        import httpx

        overall = asyncio.timeout_at(deadline)
        each = asyncio.timeout(attempt_limit)
        request_id: str | None = None
        try:
            async with overall, each:
                response = await _send(client, transport, request, slots)
                request_id = response.headers.get("cf-ray") or None
                kept = False
                try:
                    if 200 <= response.status_code < 300:
                        if read is None:
                            kept = True
                            return response
                        return await read(response)
                    body = await _error_body(response)
                finally:
                    if not kept:
                        await response.aclose()
                        if slots is not None:
                            slots.release()
        except TimeoutError:
            if overall.expired():
                raise _GiveUp(lambda n: _named(failures.deadline(), request_id), None) from None
            delay = policy.after_failure(True, False, attempt)
            raise _GiveUp(
                lambda n: _named(failures.timeout(n), request_id), delay, "timed out"
            ) from None
        except httpx.ConnectTimeout as exc:
            # nothing was sent: a connection failure (retried as a refused one is), not a
            # timeout of Venice's. Thousands of connects at once can overflow a listen queue
            # (the kernel resends a dropped SYN after 1, 3, 7 s): the next try goes through.
            timed_out: Exception = exc
            delay = policy.after_failure(False, False, attempt)
            raise _GiveUp(
                lambda n: _named(failures.unreachable(timed_out, n, False), request_id),
                delay,
                "connect timed out",
            ) from None
        except httpx.TimeoutException:
            delay = policy.after_failure(True, False, attempt)
            raise _GiveUp(
                lambda n: _named(failures.timeout(n), request_id), delay, "timed out"
            ) from None
        except httpx.TransportError as exc:
            cause, refused = exc, _refused(exc)
            delay = policy.after_failure(False, refused, attempt)
            raise _GiveUp(
                lambda n: _named(failures.unreachable(cause, n, refused), request_id),
                delay,
                "connection failed",
            ) from None
        except VeniceError as exc:
            raise _named(exc, request_id) from None
        status = response.status_code
        wait = http.retry_after(response.headers)
        delay = policy.after_status(status, wait, attempt)
        if isinstance(failures, VeniceFailures):
            failures = failures.at(request)
        raise _GiveUp(lambda n: _named(failures.status(status, body, request_id, wait, n),
                                       request_id), delay, f"HTTP {status}")  # fmt: skip


async def _send(
    client: httpx.AsyncClient,
    transport: httpx.AsyncBaseTransport | None,
    request: httpx.Request,
    slots: asyncio.Semaphore | None,
) -> httpx.Response:
    """Send once a slot is free; the slot stays taken until the caller closes the response.
    Requests beyond the pool's size wait here, on a semaphore, rather than in httpcore's
    queue, whose bookkeeping costs (queued requests x connections) on every request.

    Our own pool's requests go straight to its transport: httpx's client layer (auth flow,
    redirects, cookie jar, event hooks: none of which a Venice request uses) costs about
    80 µs a request, as much as the rest of the wire (benchmarks/wire_cost.py)."""
    if slots is not None:
        await slots.acquire()
    try:
        if transport is None:
            return await client.send(request, stream=True)
        response = await transport.handle_async_request(request)
        response.request = request
        return response
    except BaseException:
        if slots is not None:
            slots.release()
        raise


async def _drain(
    response: httpx.Response, sink: Callable[[bytes], object], limit: int, timed_out: str
) -> Download:
    """``response``'s decoded body into ``sink`` (see :meth:`Wire.download`)."""
    import httpx

    from .body import TooLarge, apieces

    request_id = response.headers.get("cf-ray") or None
    size = 0
    try:
        async with aclosing(apieces(response, limit)) as body:
            async for piece in body:
                size += len(piece)
                if size > limit:
                    raise TooLarge(limit)
                sink(piece)
    except Refused as exc:
        advice = "" if isinstance(exc, TooLarge) else "; try again"
        raise StreamFormatError(f"Venice's answer {exc}{advice}", request_id=request_id) from None
    except httpx.DecodingError:
        raise StreamFormatError(
            "Venice's answer could not be decompressed; try again", request_id=request_id
        ) from None
    except httpx.TimeoutException:
        if not size:
            raise  # nothing written yet: the request loop retries as its policy says
        raise VeniceTimeoutError(timed_out, request_id=request_id) from None
    except httpx.TransportError as exc:
        if not size:
            raise
        raise StreamFormatError(
            f"the answer was cut after {size} bytes ({type(exc).__name__}); try again",
            request_id=request_id,
        ) from None
    kind = response.headers.get("content-type", "").partition(";")[0].strip().lower()
    return Download(size, response.headers, request_id, kind)


async def _error_body(response: httpx.Response) -> bytes:
    """The start of an error answer (what Venice said), or nothing when it cannot be read."""
    import httpx

    from .body import read_capped

    try:
        return await read_capped(
            response, http.MAX_ERROR_BODY, timed_out="", undecodable="", request_id=None
        )
    except (httpx.HTTPError, OpenClawError):
        return b""


def is_proxy_failure(exc: Exception) -> bool:
    """Whether a connection failure was the proxy's (for messages naming it)."""
    import httpx

    return isinstance(exc, httpx.ProxyError)


async def body_pieces(
    response: httpx.Response, undecodable: str, limit: int = UNBOUNDED
) -> AsyncGenerator[bytes, None]:
    """The decoded body piece by bounded piece, inside a request's ``read``: a body that
    cannot be decompressed, or whose raw bytes or any content-coding layer pass ``limit``,
    is :class:`StreamFormatError` (``undecodable`` says the first); a timeout or a cut stays
    the transport's, for the request loop to retry as its policy says."""
    import httpx

    from .body import apieces

    try:
        async with aclosing(apieces(response, limit)) as body:
            async for piece in body:
                yield piece
    except Refused as exc:
        raise StreamFormatError(_refused_text(exc)) from None
    except httpx.DecodingError:
        raise StreamFormatError(undecodable) from None


async def pieces(
    response: httpx.Response, *, timed_out: str, undecodable: str, limit: int = UNBOUNDED
) -> AsyncGenerator[bytes, None]:
    """The decoded body of an open answer (:meth:`Wire.open`) piece by bounded piece, every
    failure one of the tree's: too slow (:class:`VeniceTimeoutError` saying ``timed_out``),
    not decompressible, cut, or a compressed body whose raw bytes or any content-coding
    layer pass ``limit`` (:class:`StreamFormatError`)."""
    import httpx

    from .body import apieces

    try:
        async with aclosing(apieces(response, limit)) as body:
            async for piece in body:
                yield piece
    except Refused as exc:
        raise StreamFormatError(_refused_text(exc)) from None
    except httpx.TimeoutException:
        raise VeniceTimeoutError(timed_out) from None
    except httpx.DecodingError:
        raise StreamFormatError(undecodable) from None
    except httpx.HTTPError as exc:
        raise StreamFormatError(
            f"the answer stream was cut ({type(exc).__name__}); try again"
        ) from None


async def read_capped(
    response: httpx.Response, limit: int, *, timed_out: str, undecodable: str
) -> bytes:
    """The decoded body of an open answer, refused past ``limit`` bytes; failures as in
    :func:`openclaw_venice.wire.body.read_capped`."""
    from .body import read_capped as read

    request_id = response.headers.get("cf-ray") or None
    return await read(
        response, limit, timed_out=timed_out, undecodable=undecodable, request_id=request_id
    )


def _refused_text(exc: Refused) -> str:
    """What a refused body says (too large: trying again would not help)."""
    return f"Venice's answer {exc}" + ("" if isinstance(exc, TooLarge) else "; try again")


@functools.lru_cache(maxsize=64)
def _parsed(url: str) -> httpx.URL:
    """``url`` parsed once: httpx parses a URL given as text at every request (~30 µs of a
    one-chunk turn's CPU); a parsed one it takes as it is (httpx URLs do not change)."""
    import httpx

    return httpx.URL(url)


@functools.lru_cache(maxsize=16)
def _timeouts(timeout: float, connect: float) -> httpx.Timeout:
    """The httpx timeouts of a request with ``timeout`` seconds without a byte."""
    import httpx

    return httpx.Timeout(timeout, connect=min(connect, timeout), pool=None)


def _named(error: E, request_id: str | None) -> E:
    if request_id and isinstance(error, VeniceError) and error.request_id is None:
        error.request_id = request_id
    return error


def _refused(exc: BaseException) -> bool:
    """Whether the connection was refused (ECONNREFUSED somewhere down the cause chain)."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, ConnectionRefusedError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _shown(url: str) -> str:
    """``url`` without its query, for log records."""
    return url.partition("?")[0]


def _parse(raw: bytes, limits: JsonLimits, request_id: str | None) -> Any:
    try:
        return loads(raw, limits)
    except JsonRefused as exc:
        says = f"Venice's answer {exc}; try again"
        raise StreamFormatError(says, request_id=request_id) from None
    except ValueError:
        raise StreamFormatError(
            "Venice's answer is not JSON; try again", request_id=request_id
        ) from None


def malformed(what: str, request_id: str | None) -> StreamFormatError:
    """The error for a JSON answer without the fields Venice documents."""
    return StreamFormatError(
        f"Venice's {what} answer is malformed; try again", request_id=request_id
    )


def _start(generator: AsyncGenerator[None, None]) -> None:
    """Run ``generator`` to its first ``yield`` now (it awaits nothing before it), which
    also registers it with the running loop's async-generator hooks."""
    step = generator.asend(None)
    try:
        step.send(None)
    except StopIteration:
        return
    raise RuntimeError("the pool guard awaited before its first yield")  # pragma: no cover
