"""A failure -> an OpenAI-shaped error answer: the status a client acts on, the error type,
one line saying what happened, ``Retry-After`` when the provider said when."""

from __future__ import annotations

import sys

from ..errors import OpenClawError, PluginError, ProviderError, UnknownModelError, UsageError
from . import answer
from .http import Reply


def describe_error(error: BaseException | None) -> tuple[int, str, str]:
    """Status, OpenAI error type and message for a turn's or a media call's error."""
    if isinstance(error, UnknownModelError):
        return 404, "invalid_request_error", str(error)
    if isinstance(error, ProviderError):
        status = error.status
        if status == 429:
            return 429, "rate_limit_error", str(error)
        if status in (401, 403):  # the provider refused the key: not the client's token
            return 502, "upstream_error", str(error)
        if status == 402:
            return 402, "insufficient_quota", str(error)
        if 400 <= status < 500:
            return status, "invalid_request_error", str(error)
        return 502, "upstream_error", str(error)
    if isinstance(error, UsageError | PluginError):  # what was asked cannot be done as asked
        return 400, "invalid_request_error", str(error)
    if isinstance(error, OpenClawError):
        return 500, "server_error", str(error)
    return 500, "server_error", "internal error in the gateway (see its log)"


def error_reply(error: BaseException | None) -> Reply:
    status, kind, message = describe_error(error)
    headers: list[tuple[str, str]] = []
    retry = getattr(error, "retry_after", None)
    if isinstance(retry, int | float) and retry >= 0:
        headers.append(("Retry-After", str(max(1, round(retry)))))
    if not isinstance(error, OpenClawError) and error is not None:
        print(f"gateway: {type(error).__name__} in a request (a bug)", file=sys.stderr)
    return Reply(status, answer.error_json(message, kind), headers)


def refusal(
    status: int, message: str, kind: str, param: str | None = None, code: str | None = None
) -> Reply:
    """An error answer of the gateway's own (the request, not the provider, is at fault)."""
    return Reply(status, answer.error_json(message, kind, param, code))
