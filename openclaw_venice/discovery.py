"""``GET {baseUrl}/models?type=text`` (or image, embedding): retries, a time limit per
attempt, a size cap.

Sent without the Authorization header: the listing is public, and leaving the key out keeps
it from identifying the user. Retried: connection errors but a refused connection (nothing
listens: an offline first run must not spend seconds on it), timeouts (unlike the TypeScript
plugin, their issue #22115) and 408/425/429/500/502/503/504, three attempts in all, with
300 ms doubling to 2 s of ±20 % jittered backoff.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import DiscoveryError
from .http_body import ACCEPT_ENCODING, pieces

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
    transport: httpx.BaseTransport | None = None,
    model_type: str = "text",
) -> list[Any]:
    """The ``data`` rows of a successful answer, or :class:`DiscoveryError` saying why not.
    ``model_type``: the ``type`` asked for (text, image, embedding)."""
    import httpx

    timeout = TIMEOUT_SECONDS if timeout is None else timeout
    url = base_url.rstrip("/") + "/models"
    delays = backoff_delays(attempts)
    headers = {"Accept": "application/json", "Accept-Encoding": ACCEPT_ENCODING}
    headers["User-Agent"] = user_agent
    with httpx.Client(timeout=timeout, transport=transport, headers=headers) as client:
        for attempt in range(attempts):
            try:
                return _attempt(client, url, timeout, model_type)
            except _Retryable as exc:
                if attempt == attempts - 1:
                    raise DiscoveryError(f"{exc} after {attempts} attempts") from None
                sleep(delays[attempt])
    raise DiscoveryError("no attempt made")  # only when attempts < 1


class _Retryable(Exception):
    pass


def _attempt(client: httpx.Client, url: str, timeout: float, model_type: str) -> list[Any]:
    import httpx

    deadline = time.monotonic() + timeout
    try:
        with client.stream("GET", url, params={"type": model_type}) as response:
            if response.status_code in RETRY_STATUSES:
                raise _Retryable(f"HTTP {response.status_code}")
            if not response.is_success:
                raise DiscoveryError(f"HTTP {response.status_code}")
            body = _read_capped(response, deadline)
    except httpx.TimeoutException:
        raise _Retryable(f"no answer within {timeout:g} s") from None
    except httpx.DecodingError:
        raise DiscoveryError("answer could not be decompressed") from None
    except httpx.ConnectError as exc:
        if _refused(exc):  # nothing listens there: trying again in a second will not help
            raise DiscoveryError("connection refused") from None
        raise _Retryable(f"connection failed ({type(exc).__name__})") from None
    except httpx.TransportError as exc:
        raise _Retryable(f"connection failed ({type(exc).__name__})") from None
    return parse_models_body(body)


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


def _read_capped(response: httpx.Response, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in pieces(response):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise DiscoveryError(f"answer larger than {MAX_BODY_BYTES // 2**20} MB")
        if time.monotonic() > deadline:
            raise _Retryable("answer too slow")
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
