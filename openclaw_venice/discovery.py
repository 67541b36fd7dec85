"""``GET {baseUrl}/models?type=text`` (or image, embedding): retries, a time limit per
attempt, a size cap.

Sent without the Authorization header: the listing is public, and leaving the key out keeps
it from identifying the user. Retried: connection errors but a refused connection (nothing
listens: an offline first run must not spend seconds on it), timeouts (unlike the TypeScript
plugin, their issue #22115) and 408/425/429/500/502/503/504, three attempts in all, with
300 ms doubling to 2 s of ±20 % jittered backoff. The time limit covers a whole attempt:
connecting, waiting for the response headers (a server dripping them byte by byte is cut off
too) and reading the body. Proxies and CA certificates follow :mod:`openclaw_venice.network`,
the same policy as chat.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import network
from .errors import DiscoveryError
from .identity import base_url_problem
from .wire.body import ACCEPT_ENCODING, apieces

if TYPE_CHECKING:
    import httpx

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
ATTEMPTS = 3
TIMEOUT_SECONDS = 10.0
MAX_BODY_BYTES = 16 * 1024 * 1024  # the real answer is ~100 KB; anything huge is not /models


def backoff_delays(
    attempts: int = ATTEMPTS, rand: Callable[[], float] = random.random
) -> list[float]:
    """Seconds to wait before each retry: 0.3, 0.6, 1.2, ... capped at 2.0, ±20 % jitter."""
    return [min(0.3 * 2**i, 2.0) * (0.8 + 0.4 * rand()) for i in range(attempts - 1)]


def fetch_model_rows(
    base_url: str,
    *,
    user_agent: str,
    timeout: float | None = None,
    attempts: int = ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
    env: Mapping[str, str] | None = None,
    model_type: str = "text",
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[Any]:
    """The ``data`` rows of a successful answer, or :class:`DiscoveryError` saying why not.
    Each attempt ends within ``timeout`` seconds, whatever the server does. ``model_type``:
    the ``type`` asked for (text, image, embedding)."""
    limit = TIMEOUT_SECONDS if timeout is None else timeout
    problem = base_url_problem(base_url)
    if problem:  # said at once, not found out by three failed attempts (or a crash)
        raise DiscoveryError(problem)
    url = base_url.rstrip("/") + "/models"
    env = os.environ if env is None else env
    try:
        route = network.route_for(url, env)
        transport = transport or network.async_transport(url, env)
    except network.NetworkSettingError as exc:
        raise DiscoveryError(str(exc)) from None
    fetch = _fetch(url, model_type, user_agent, limit, attempts, sleep, route, transport)
    return _run(fetch)


def _run(coroutine: Coroutine[Any, Any, list[Any]]) -> list[Any]:
    """Run ``coroutine`` to the end from sync code, in a thread of its own when this one
    already runs an event loop (a runtime calling the provider's sync catalog)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="venice-discovery") as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _fetch(
    url: str,
    model_type: str,
    user_agent: str,
    limit: float,
    attempts: int,
    sleep: Callable[[float], None],
    route: network.Route,
    transport: httpx.AsyncBaseTransport,
) -> list[Any]:
    import httpx

    delays = backoff_delays(attempts)
    headers = {"Accept": "application/json", "Accept-Encoding": ACCEPT_ENCODING}
    headers["User-Agent"] = user_agent
    async with httpx.AsyncClient(
        timeout=limit, headers=headers, transport=transport, trust_env=False
    ) as client:
        for attempt in range(attempts):
            try:
                return await _attempt(client, url, model_type, limit, route)
            except _Retryable as exc:
                if attempt == attempts - 1:
                    message = f"{exc} after {attempts} attempts"
                    raise DiscoveryError(message, request_id=exc.request_id) from None
                sleep(delays[attempt])  # the loop is ours alone: blocking it blocks nothing
    raise DiscoveryError("no attempt made")  # only when attempts < 1


class _Retryable(Exception):
    request_id: str | None = None


@dataclass(slots=True)
class _Heard:
    request_id: str | None = None  # the answer's CF-RAY, once Venice answered


async def _attempt(
    client: httpx.AsyncClient, url: str, model_type: str, limit: float, route: network.Route
) -> list[Any]:
    """One GET; a failure after Venice answered names the answer's request id (CF-RAY),
    as chat errors do: what Venice's support asks for."""
    heard = _Heard()
    try:
        return parse_models_body(await _get(client, url, model_type, limit, route, heard))
    except (DiscoveryError, _Retryable) as exc:
        exc.request_id = exc.request_id or heard.request_id
        raise


async def _get(
    client: httpx.AsyncClient,
    url: str,
    model_type: str,
    limit: float,
    route: network.Route,
    heard: _Heard,
) -> bytes:
    import httpx

    try:
        async with asyncio.timeout(limit):
            async with client.stream("GET", url, params={"type": model_type}) as response:
                heard.request_id = response.headers.get("cf-ray") or None
                if response.status_code in RETRY_STATUSES:
                    raise _Retryable(f"HTTP {response.status_code}")
                if not response.is_success:
                    raise DiscoveryError(f"HTTP {response.status_code}")
                body = await _read_capped(response)
    except (TimeoutError, httpx.TimeoutException):
        raise _Retryable(f"no answer within {limit:g} s") from None
    except httpx.DecodingError:
        raise DiscoveryError("answer could not be decompressed") from None
    except httpx.ProxyError as exc:
        raise _Retryable(
            f"the proxy {route.shown} (from {route.source}) failed ({type(exc).__name__})"
        ) from None
    except httpx.ConnectError as exc:
        if _refused(exc):  # nothing listens there: trying again in a second will not help
            raise DiscoveryError(f"connection refused{route.describe()}") from None
        raise _Retryable(f"connection failed ({type(exc).__name__}){route.describe()}") from None
    except httpx.TransportError as exc:
        raise _Retryable(f"connection failed ({type(exc).__name__}){route.describe()}") from None
    return body


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


async def _read_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in apieces(response):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise DiscoveryError(f"answer larger than {MAX_BODY_BYTES // 2**20} MB")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_models_body(body: bytes) -> list[Any]:
    """The non-empty ``data`` list of a ``/models`` body, else :class:`DiscoveryError`."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):  # nested past the parser's depth: RecursionError
        raise DiscoveryError("answer is not JSON") from None
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, list) or not data:
        raise DiscoveryError("answer has no models")
    return data
