"""Venice's branch of the error tree.

The whole tree, host and plugin::

    OpenClawError                      (openclaw_venice.runtime.errors)
    ├── UsageError, ConfigError(+Parse/Value), MissingVariableError, SecretError,
    │   PluginError, UnknownModelError
    └── ProviderError
        └── VeniceError                anything Venice-specific
            ├── DiscoveryError         GET /models failed (caught: the bundle is used)
            ├── RequestRefused         refused before sending (e2ee model, images for a
            │                          text-only model, key to a non-https URL, prompt
            │                          larger than the context)
            ├── StreamFormatError      a stream that breaks the SSE/JSON framing, or is cut
            ├── VeniceConnectionError  network failure (after retries)
            │   └── VeniceTimeoutError     no answer, or no next byte, in time
            └── VeniceAPIError         an error answer (status, request id = CF-RAY)
                ├── BadRequestError        400, 422
                ├── AuthenticationError    401 (also the host's KeyRefusedError)
                ├── InsufficientBalanceError 402
                ├── PermissionDeniedError  403
                ├── NotFoundError          404 (names the URL: check the base URL)
                │   └── ModelNotFoundError 404 of a chat turn (the model, or the base URL)
                ├── PayloadTooLargeError   413
                ├── RateLimitError         429
                ├── ServerError            5xx
                ├── InBandError            {"error": ...} inside a 200 stream
                └── E2EERefusedError       Venice refused an E2EE request: needs streaming,
                                           failed to decrypt, debug mode, invalid public key
            E2EEError                      (under VeniceError) an E2EE turn was not private
            └── AttestationError           the enclave's attestation failed a check

Every Venice error has ``request_id`` (Venice's CF-RAY header; None when Venice never
answered), also named at the end of its message. Messages are one line, say what to do next,
and never contain the API key.
"""

from __future__ import annotations

from typing import Any

from .runtime.plugins import (
    ConfigError,
    ConfigParseError,
    ConfigValueError,
    KeyRefusedError,
    MissingVariableError,
    OpenClawError,
    PluginError,
    ProviderError,
    SecretError,
    UnknownModelError,
    UsageError,
)

__all__ = [
    "AttestationError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigError",
    "ConfigParseError",
    "ConfigValueError",
    "DiscoveryError",
    "E2EEDebugModeError",
    "E2EEDecryptError",
    "E2EEError",
    "E2EEInvalidKeyError",
    "E2EERefusedError",
    "E2EEStreamingRequiredError",
    "InBandError",
    "InsufficientBalanceError",
    "KeyRefusedError",
    "MissingVariableError",
    "ModelNotFoundError",
    "NotFoundError",
    "OpenClawError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "PluginError",
    "ProviderError",
    "RateLimitError",
    "RequestRefused",
    "SecretError",
    "ServerError",
    "StreamFormatError",
    "UnknownModelError",
    "UsageError",
    "VeniceAPIError",
    "VeniceConnectionError",
    "VeniceError",
    "VeniceTimeoutError",
]


class VeniceError(ProviderError):
    """Base of every Venice-specific failure. ``request_id``: Venice's CF-RAY for the
    request that failed, for support; None when no answer came (or it had none)."""

    def __init__(self, message: str = "", *, request_id: str | None = None) -> None:
        super().__init__(message)
        self.request_id = request_id

    def __str__(self) -> str:
        text = super().__str__()
        return f"{text} (request id {self.request_id})" if self.request_id else text


class DiscoveryError(VeniceError):
    """``GET /models`` gave no usable answer (after retries where they apply)."""


class RequestRefused(VeniceError):
    """We will not send this request; the message says what to change."""

    status = 400


class StreamFormatError(VeniceError):
    """The answer broke the SSE or JSON framing, or ended before it was complete."""


class VeniceConnectionError(VeniceError):
    """Venice could not be reached, or did not answer in time."""


class VeniceTimeoutError(VeniceConnectionError):
    """Venice did not answer (or send the next byte) within the time allowed."""


class VeniceAPIError(VeniceError):
    """Venice answered with an error: ``status``, Venice's own words (``detail``), and for
    a 400 the per-field complaints (``details``, as Venice sent them)."""

    status: int = 0
    advice = "check the request and try again"
    advice_with_id: str | None = None  # instead of ``advice`` when Venice sent a request id
    retry_after: float | None = None  # seconds, from a Retry-After header
    details: Any = None

    def __init__(
        self,
        message: str,
        status: int | None = None,
        request_id: str | None = None,
        advice: str | None = None,
    ) -> None:
        self.status = status if status is not None else type(self).status
        self.detail = message
        advice = advice or (request_id and self.advice_with_id) or self.advice
        text = f"Venice {self.status or 'error'}: {_clause(message)}; {advice}"
        super().__init__(text, request_id=request_id)


def _clause(text: str) -> str:
    """Venice's words as a clause of our line: without a full stop or semicolon of their
    own before ours ("Invalid request.; check..."); an ellipsis stays."""
    text = text.rstrip()
    if text.endswith((";", ":", ",")) or (text.endswith(".") and not text.endswith("...")):
        return text[:-1].rstrip()
    return text


class BadRequestError(VeniceAPIError):
    status = 400
    advice = "check the options and the model you used, then try again"
    advice_with_id = (
        "check the options and the model you used; if they look right, report it to Venice "
        "with the request id"
    )


class AuthenticationError(VeniceAPIError, KeyRefusedError):
    """401. The ``openclaw`` command replaces ``advice`` by where the key came from."""

    status = 401
    advice = "the API key was refused; run `openclaw onboard --auth-choice venice-api-key`"

    @property
    def headline(self) -> str:
        text = f"Venice {self.status}: {_clause(self.detail)}"
        return f"{text} (request id {self.request_id})" if self.request_id else text


class InsufficientBalanceError(VeniceAPIError):
    status = 402
    advice = "add credits at https://venice.ai/settings/api"


class PermissionDeniedError(VeniceAPIError):
    status = 403
    advice = "this key may not use that model or feature; check https://venice.ai/settings/api"


class NotFoundError(VeniceAPIError):
    """404: nothing at the URL asked; most often a base URL that is not Venice's API root
    (the message names the URL)."""

    status = 404
    advice = "nothing is there; check the base URL (VENICE_BASE_URL, or baseUrl in the config)"


class ModelNotFoundError(NotFoundError):
    """404 of a chat turn: the model is not offered (or the base URL is wrong)."""

    advice = (
        "the model may be retired (`openclaw models list` shows what is offered), or the base "
        "URL is wrong (VENICE_BASE_URL, or baseUrl in the config)"
    )


class PayloadTooLargeError(VeniceAPIError):
    status = 413
    advice = "the request is too large; send fewer or smaller images, or a shorter history"


class RateLimitError(VeniceAPIError):
    status = 429
    advice = "rate limited; wait a moment and try again"


class ServerError(VeniceAPIError):
    status = 500
    advice = "Venice had a problem; try again shortly"


class InBandError(VeniceAPIError):
    advice = "the model stopped with an error; try again"


# -- end-to-end encryption (e2ee-* models) -----------------------------------------------------
class E2EEError(VeniceError):
    """An E2EE turn could not be made private: the enclave's attestation did not verify, or an
    encrypted answer did not open. Nothing was shown from it."""


class AttestationError(E2EEError):
    """The enclave's attestation failed a check; no chat request was sent. ``report`` is the
    full :class:`~openclaw_venice.tee.AttestationReport`."""

    def __init__(self, message: str, report: object = None) -> None:
        super().__init__(message)
        self.report = report


class E2EERefusedError(VeniceAPIError):
    """Venice refused an E2EE request for an E2EE reason (see the subclasses)."""

    marker = ""


class E2EEStreamingRequiredError(E2EERefusedError):
    marker = "requires streaming"
    advice = "end-to-end encrypted turns must stream; call with stream=True (the default)"


class E2EEDecryptError(E2EERefusedError):
    marker = "failed to decrypt"
    advice = (
        "the enclave could not open the encrypted message even after a fresh attestation; "
        "try again, or use --no-e2ee for TEE-only mode"
    )


class E2EEDebugModeError(E2EERefusedError):
    marker = "debug mode"
    advice = "the enclave runs in debug mode and is not private; pick another e2ee model"


class E2EEInvalidKeyError(E2EERefusedError):
    marker = "invalid public key"
    advice = "the enclave refused the session key; try again (each session makes a new key)"


E2EE_REFUSALS: tuple[type[E2EERefusedError], ...] = (
    E2EEStreamingRequiredError,
    E2EEDecryptError,
    E2EEDebugModeError,
    E2EEInvalidKeyError,
)
