"""HTTP facts of Venice's API: where the key may go, the headers we send, what an error answer
means and what the response headers tell. Pure functions (when to retry: :mod:`.retry`)."""

from __future__ import annotations

from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from .. import errors
from ..errors import RequestRefused
from .body import ACCEPT_ENCODING
from .error_text import body_details, body_error_text, details_text
from .route import is_loopback

MAX_ERROR_BODY = 64 * 1024

_STATUS_ERRORS: dict[int, type[errors.VeniceAPIError]] = {
    400: errors.BadRequestError,
    401: errors.AuthenticationError,
    402: errors.InsufficientBalanceError,
    403: errors.PermissionDeniedError,
    404: errors.NotFoundError,
    413: errors.PayloadTooLargeError,
    422: errors.BadRequestError,
    429: errors.RateLimitError,
}
_META_HEADERS = {
    "cf-ray": "requestId",
    "x-venice-balance-usd": "balanceUsd",
    "x-venice-balance-diem": "balanceDiem",
    "x-ratelimit-remaining-requests": "rateLimitRemainingRequests",
    "x-ratelimit-remaining-tokens": "rateLimitRemainingTokens",
    "x-ratelimit-reset-requests": "rateLimitResetRequests",
    "x-ratelimit-reset-tokens": "rateLimitResetTokens",
    "x-venice-model-deprecation-warning": "deprecationWarning",
    "x-venice-model-deprecation-date": "deprecationDate",
}


def check_key_destination(url: str) -> None:
    """The key goes only to https URLs, or to http on this machine's loopback, and only to a
    plain URL: one with a user name or password (httpx would send them as HTTP Basic
    credentials), a query or a fragment is refused. Called for every request, at send time.
    The message shows the scheme and host only, never what the userinfo held."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 (a bad port raises ValueError)
    except ValueError:
        raise RequestRefused(
            "refusing to send the API key to a malformed base URL; use https://HOST/PATH"
        ) from None
    shown = f"{parts.scheme}://{host}"
    if "@" in parts.netloc:
        raise RequestRefused(
            f"refusing to send the API key to {shown}: the base URL holds a user name or "
            "password; remove the part before @"
        )
    if parts.query or parts.fragment or url.rstrip("/").endswith(("?", "#")):
        raise RequestRefused(
            f"refusing to send the API key to {shown}: the base URL has a query or fragment "
            "(? or #); remove it"
        )
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and is_loopback(host):
        return
    raise RequestRefused(
        f"refusing to send the API key to {shown}: use an https base URL "
        "(plain http is allowed only on loopback)"
    )


def request_headers(api_key: str | None, user_agent: str, accept: str) -> dict[str, str]:
    """Authorization (unless ``api_key`` is None), a plain User-Agent and content negotiation;
    no fingerprint headers (no OS, architecture or runtime version, unlike the OpenAI SDK's
    ``x-stainless-*``)."""
    headers = {
        "User-Agent": user_agent,
        "Content-Type": "application/json",
        "Accept": accept,
        "Accept-Encoding": ACCEPT_ENCODING,  # what wire.body inflates with a bounded memory
    }
    if api_key is not None:
        headers = {"Authorization": f"Bearer {api_key}", **headers}
    return headers


def response_meta(headers: Mapping[str, str]) -> dict[str, Any]:
    """Request id (CF-RAY), balance, rate-limit and deprecation headers, by friendly name."""
    meta: dict[str, Any] = {}
    for header, value in headers.items():  # one pass (a lookup in httpx's headers is a scan)
        name = _META_HEADERS.get(header.lower())
        if name and value:
            meta[name] = _number(value) if name.startswith(("balance", "rateLimitRem")) else value
    return meta


def _number(value: str) -> float | int | str:
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() else number


def error_for_status(
    status: int,
    body: bytes,
    request_id: str | None,
    replacement: str | None = None,
    wait: float | None = None,
    *,
    endpoint: str | None = None,
    model: str | None = None,
) -> errors.VeniceAPIError:
    """The error class of an HTTP error answer, with Venice's own words when it gave some.
    ``replacement``: the model that succeeds a 404'd one; ``wait``: seconds of Retry-After;
    ``endpoint``: what was asked (``POST https://host/api/v1/image/generate``, see
    :func:`endpoint_text`); ``model``: the model ref of a chat turn, the only request whose
    404 may mean the model is gone (any other 404 is a URL with nothing there)."""
    cls = _STATUS_ERRORS.get(status) or (
        errors.ServerError if status >= 500 else errors.VeniceAPIError
    )
    if status == 404 and model:
        cls = errors.ModelNotFoundError
    text = body_error_text(body) or f"HTTP {status}"
    details = body_details(body)
    fields = details_text(details)
    advice = None
    if status == 404 and replacement:
        advice = f"the model is gone; use its replacement {replacement}"
    elif status == 404:
        advice = not_found_advice(endpoint, model)
    elif status == 429 and wait is not None:
        advice = f"rate limited; Venice asks to wait {wait_text(wait)} before trying again"
    elif status == 401 and "pro user" in text.lower():  # the key is fine, the plan is not
        advice = "upgrade to Venice Pro, or pick another model with `openclaw models list`"
    error = cls(f"{text} ({fields})" if fields else text, status, request_id, advice)
    error.retry_after, error.details = wait, details
    if isinstance(error, errors.KeyRefusedError) and advice is not None:
        error.blames_key = False  # the plan, not the key
    return error


def not_found_advice(endpoint: str | None, model: str | None) -> str:
    """What a 404 tells: for a chat turn, the model may be gone or the base URL wrong; for
    anything else, the URL has nothing there, so the base URL is the suspect."""
    base_url = "the base URL (VENICE_BASE_URL, or baseUrl in the config)"
    at = f" at {endpoint}" if endpoint else ""
    if model:
        return (
            f"Venice offers no {model}{at}: the model may be retired (`openclaw models list` "
            f"shows what is offered), or {base_url} is wrong"
        )
    return f"nothing found{at}; check {base_url}"


def endpoint_text(method: str, url: str) -> str:
    """``POST https://host/path``, without the query (a nonce, a model id) or fragment."""
    return f"{method} {url.split('?', 1)[0].split('#', 1)[0]}"


def wait_text(seconds: float) -> str:
    """A wait as a person reads it: "12 s", "5 min", "more than an hour" (a Retry-After of
    ten to the twentieth power is not printed digit by digit)."""
    if seconds < 300:
        return f"{seconds:.0f} s"
    if seconds <= 3600:
        return f"{seconds / 60:.0f} min"
    return "more than an hour"


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from ``Retry-After`` (delta-seconds or an HTTP date), None when absent/bad."""
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return None if seconds != seconds else max(0.0, seconds)  # NaN: no usable value
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    from datetime import UTC, datetime

    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
