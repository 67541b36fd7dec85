"""One JSON request to Venice beyond chat (balance, usage, images, embeddings).

Held to chat's standards, with chat's own parts: the key goes only to https or loopback
(``check_key_destination``, checked again for the URL actually sent), the plain headers of
``transport.request_headers`` (no fingerprint), chat's retry policy (connection failures, 429
with ``Retry-After``, 5xx, with backoff; never a timeout) before any answer was read, the typed
errors of ``transport.error_for_status`` naming the request id (CF-RAY), and a bounded read
(``wire.body`` inflates piece by piece, the total is capped).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .chat import transport
from .errors import StreamFormatError, VeniceAPIError, VeniceConnectionError, VeniceTimeoutError
from .identity import USER_AGENT
from .wire import body as http_body

if TYPE_CHECKING:
    import httpx

    from .chat.client import VeniceChat

CONNECT_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class Answer:
    payload: Any  # the parsed JSON body
    headers: Mapping[str, str]
    request_id: str | None


@dataclass(frozen=True, slots=True)
class Limits:
    """``timeout``: seconds without a byte; ``max_bytes``: the largest answer read."""

    timeout: float = 60.0
    max_bytes: int = 4 * 1024 * 1024
    max_retries: int = 2


async def call_json(
    chat: VeniceChat,
    method: str,
    path: str,
    *,
    limits: Limits,
    body: Mapping[str, Any] | None = None,
    params: Mapping[str, str] | None = None,
) -> Answer:
    """The JSON answer of ``method path`` (a 200), or the typed error of the one tree."""
    import httpx

    url = chat.base_url + path
    transport.check_key_destination(url)
    client = chat.http_client()
    headers = transport.request_headers(chat.api_key(), USER_AGENT, stream=False)
    content = None
    if body is None:
        del headers["Content-Type"]
    else:
        content = json.dumps(body, ensure_ascii=False).encode()
    timeout = httpx.Timeout(limits.timeout, connect=min(CONNECT_TIMEOUT, limits.timeout), pool=None)
    for attempt in range(limits.max_retries + 1):
        request = client.build_request(
            method, url, content=content, params=params, headers=headers, timeout=timeout
        )
        try:
            response = await client.send(request, stream=True)
        except httpx.TimeoutException:
            raise VeniceTimeoutError(_timeout_text(limits)) from None
        except httpx.TransportError as exc:
            if attempt == limits.max_retries:
                raise _unreachable(chat, exc, attempt) from None
            await asyncio.sleep(transport.backoff(attempt))
            continue
        try:
            request_id = response.headers.get("cf-ray")
            if response.status_code == 200:
                raw = await read_capped(response, limits.max_bytes, limits, request_id)
                return Answer(_parse(raw, request_id), response.headers, request_id)
            error = await _error(response, request_id, limits)
        finally:
            await response.aclose()
        delay = _retry_delay(error, attempt, limits)
        if delay is None:
            raise error
        await asyncio.sleep(delay)
    raise VeniceConnectionError("no attempt made")  # only when max_retries < 0


async def _error(
    response: httpx.Response, request_id: str | None, limits: Limits
) -> VeniceAPIError:
    import httpx

    try:
        raw = await read_capped(response, transport.MAX_ERROR_BODY, limits, request_id)
    except (httpx.HTTPError, StreamFormatError, VeniceConnectionError):
        raw = b""
    return transport.error_for_status(
        response.status_code,
        raw,
        request_id,
        None,
        transport.retry_after(response.headers),
        endpoint=transport.endpoint_text(response.request.method, str(response.request.url)),
    )


def _retry_delay(error: VeniceAPIError, attempt: int, limits: Limits) -> float | None:
    if error.status not in transport.RETRY_STATUSES or attempt == limits.max_retries:
        return None
    wanted = error.retry_after
    if wanted is None:
        return transport.backoff(attempt)
    return None if wanted > transport.MAX_RETRY_AFTER else wanted


async def read_capped(
    response: httpx.Response, limit: int, limits: Limits, request_id: str | None
) -> bytes:
    """The decoded body, refused once it passes ``limit`` bytes (compressed or not)."""
    return await http_body.read_capped(
        response,
        limit,
        timed_out=_timeout_text(limits),
        undecodable="Venice's answer could not be decompressed; try again",
        request_id=request_id,
    )


def _parse(raw: bytes, request_id: str | None) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise StreamFormatError(
            "Venice's answer is not JSON; try again", request_id=request_id
        ) from None


def malformed(what: str, request_id: str | None) -> StreamFormatError:
    """The error for a JSON answer without the fields Venice documents."""
    return StreamFormatError(
        f"Venice's {what} answer is malformed; try again", request_id=request_id
    )


def _timeout_text(limits: Limits) -> str:
    return f"Venice did not answer within {limits.timeout:g} s; try again"


def _unreachable(chat: VeniceChat, exc: Exception, attempt: int) -> VeniceConnectionError:
    host = urlsplit(chat.base_url).netloc
    return VeniceConnectionError(
        f"could not reach Venice at {host} ({type(exc).__name__}, {attempt + 1} attempts); "
        "check your connection and try again"
    )
