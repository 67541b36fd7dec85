"""``GET {baseUrl}/models?type=text`` (or image, embedding): retries, a time limit per
attempt, a size cap, all through the wire.

Sent without the Authorization header: the listing is public, and leaving the key out keeps
it from identifying the user. Retried (:data:`~openclaw_venice.wire.retry.DISCOVERY`):
connection errors but a refused connection (nothing listens: an offline first run must not
spend seconds on it), timeouts (unlike the TypeScript plugin, their issue #22115) and
408/425/429/500/502/503/504, three attempts in all, with 300 ms doubling to 2 s of ±20 %
jittered backoff. The time limit covers a whole attempt: connecting, waiting for the response
headers (a server dripping them byte by byte is cut off too) and reading the body. Proxies and
CA certificates follow :mod:`openclaw_venice.wire.route`, the same policy as chat.

:func:`fetch_rows` is the operation (awaited on the caller's loop); :func:`fetch_model_rows`
its sync form (refused inside a running loop, as every sync form is).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import DiscoveryError, OpenClawError
from .identity import USER_AGENT, base_url_problem
from .wire import retry, route

if TYPE_CHECKING:
    from .wire.client import AsyncBaseTransport, Response, Wire

ATTEMPTS = 3
TIMEOUT_SECONDS = 10.0
MAX_BODY_BYTES = 16 * 1024 * 1024  # the real answer is ~100 KB; anything huge is not /models
OnRetry = Callable[[float, str], None]


def fetch_model_rows(
    base_url: str,
    *,
    user_agent: str = USER_AGENT,
    timeout: float | None = None,
    attempts: int = ATTEMPTS,
    env: Mapping[str, str] | None = None,
    model_type: str = "text",
    transport: AsyncBaseTransport | None = None,
    on_retry: OnRetry | None = None,
) -> list[Any]:
    """:func:`fetch_rows` on a wire of its own, for sync code (a :class:`DiscoveryError`
    inside a running event loop: there, ``await fetch_rows(...)``)."""
    from .wire.sync import refuse_in_loop

    try:
        refuse_in_loop("model discovery", "await discovery.fetch_rows(...)")
    except OpenClawError as exc:
        raise DiscoveryError(str(exc)) from None
    import asyncio

    async def run() -> list[Any]:
        async with discovery_wire(base_url, env, user_agent, transport) as wire:
            return await fetch_rows(wire, model_type, timeout, attempts, on_retry)

    return asyncio.run(run())


def discovery_wire(
    base_url: str,
    env: Mapping[str, str] | None = None,
    user_agent: str = USER_AGENT,
    transport: AsyncBaseTransport | None = None,
) -> Wire:
    """An unauthenticated wire to ``base_url`` (the listing needs no key); close it after."""
    from .wire.client import Wire

    problem = base_url_problem(base_url)
    if problem:  # said at once, not found out by three failed attempts (or a crash)
        raise DiscoveryError(problem)
    return Wire(base_url, env=os.environ if env is None else env, transport=transport,
                user_agent=user_agent)  # fmt: skip


async def fetch_rows(
    wire: Wire,
    model_type: str = "text",
    timeout: float | None = None,
    attempts: int = ATTEMPTS,
    on_retry: OnRetry | None = None,
) -> list[Any]:
    """The ``data`` rows of a successful answer, or :class:`DiscoveryError` saying why not.
    Each attempt ends within ``timeout`` seconds, whatever the server does. ``model_type``:
    the ``type`` asked for (text, image, embedding)."""
    limit = TIMEOUT_SECONDS if timeout is None else timeout
    problem = base_url_problem(wire.base_url)
    if problem:
        raise DiscoveryError(problem)
    try:
        shown = route.route_for(wire.base_url + "/models", wire.env)
    except route.NetworkSettingError as exc:
        raise DiscoveryError(str(exc)) from None
    rows: list[Any] = await wire.request(
        "GET", "/models", _read_rows,
        params={"type": model_type}, headers=wire.headers(auth=False), timeout=limit,
        policy=retry.DISCOVERY.tries(attempts), failures=_Failures(limit, shown),
        attempt_limit=limit, on_retry=on_retry,
    )  # fmt: skip
    return rows


@dataclass(frozen=True, slots=True)
class _Failures:
    """Discovery's own words for a failed attempt (the catalog falls back, saying why)."""

    limit: float
    route: route.Route

    def status(
        self, status: int, body: bytes, request_id: str | None, wait: float | None, attempts: int
    ) -> OpenClawError:
        return DiscoveryError(f"HTTP {status}" + _after(attempts), request_id=request_id)

    def timeout(self, attempts: int) -> OpenClawError:
        return DiscoveryError(f"no answer within {self.limit:g} s" + _after(attempts))

    def deadline(self) -> OpenClawError:
        return self.timeout(1)

    def unreachable(self, exc: Exception, attempts: int, refused: bool) -> OpenClawError:
        from .wire.client import is_proxy_failure

        if refused:  # nothing listens there: trying again in a second will not help
            return DiscoveryError(f"connection refused{self.route.describe()}")
        if is_proxy_failure(exc):
            return DiscoveryError(
                f"the proxy {self.route.shown} (from {self.route.source}) failed "
                f"({type(exc).__name__})" + _after(attempts)
            )
        return DiscoveryError(
            f"connection failed ({type(exc).__name__}){self.route.describe()}" + _after(attempts)
        )


def _after(attempts: int) -> str:
    return f" after {attempts} attempts" if attempts > 1 else ""


async def _read_rows(response: Response) -> list[Any]:
    """The rows, read and parsed inside the attempt (a failure names the request id)."""
    return parse_models_body(await _read_capped(response))


async def _read_capped(response: Response) -> bytes:
    from .errors import StreamFormatError
    from .wire.client import body_pieces

    chunks: list[bytes] = []
    size = 0
    try:
        async with aclosing(
            body_pieces(response, "answer could not be decompressed", MAX_BODY_BYTES)
        ) as body:
            async for chunk in body:
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise DiscoveryError(f"answer larger than {MAX_BODY_BYTES // 2**20} MB")
                chunks.append(chunk)
        return b"".join(chunks)
    except StreamFormatError as exc:
        raise DiscoveryError(str(exc)) from None
    finally:  # the pieces of a refused read are not kept alive by its error's traceback
        chunks.clear()


def parse_models_body(body: bytes) -> list[Any]:
    """The non-empty ``data`` list of a ``/models`` body, else :class:`DiscoveryError`."""
    from .wire.limits import JsonRefused, loads

    try:
        payload = loads(body)
    except JsonRefused as exc:
        raise DiscoveryError(f"answer {exc}") from None
    except ValueError:
        raise DiscoveryError("answer is not JSON") from None
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, list) or not data:
        raise DiscoveryError("answer has no models")
    return data
