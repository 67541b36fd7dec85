"""One retry policy type for every request to Venice, parameterised per call.

A request is retried only before any of its answer reached the caller (a stream that broke
after its first event is never sent again). What is retried: connection failures (a refused
connection too, unless the call says nothing listening is final; a connect that timed out is
one: nothing was sent), timeouts when the call says so, and the answer statuses in
``statuses``; never 400/401/402/403/404/410/413/415/422 (reference.md section 5). The wait
is ``Retry-After`` when Venice sent one and it is at most ``retry_after_cap`` seconds (a
longer wait is reported to the caller, not slept through), else backoff: ``backoff`` seconds
doubling to ``backoff_cap``, with ±20 % jitter. Modelled on openai-python's
``_should_retry`` / ``_calculate_retry_timeout``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace

__all__ = ["CHAT", "DISCOVERY", "RETRY_STATUSES", "RetryPolicy", "backoff"]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def backoff(
    attempt: int,
    base: float = 0.5,
    cap: float = 8.0,
    rand: Callable[[], float] = random.random,
) -> float:
    """Seconds before retry number ``attempt + 1``: ``base`` doubling to ``cap``, ±20 %."""
    return float(min(base * 2**attempt, cap) * (0.8 + 0.4 * rand()))


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How one call retries. ``attempts``: tries in all (1: never retried)."""

    attempts: int = 3
    backoff: float = 0.5
    backoff_cap: float = 8.0
    retry_after_cap: float | None = 30.0  # None: Retry-After is not followed, backoff is
    retry_timeouts: bool = False
    retry_refused: bool = True
    statuses: frozenset[int] = field(default=RETRY_STATUSES)

    def tries(self, attempts: int) -> RetryPolicy:
        """This policy with ``attempts`` tries in all."""
        return replace(self, attempts=attempts)

    def wait(self, attempt: int) -> float:
        """The backoff before retry number ``attempt + 1`` (``attempt`` counts from 0)."""
        return backoff(attempt, self.backoff, self.backoff_cap)

    def after_status(self, status: int, retry_after: float | None, attempt: int) -> float | None:
        """Seconds to wait before trying again after an answer with ``status``; None: no retry."""
        if status not in self.statuses or attempt + 1 >= self.attempts:
            return None
        if retry_after is None or self.retry_after_cap is None:
            return self.wait(attempt)
        return None if retry_after > self.retry_after_cap else retry_after

    def after_failure(self, timed_out: bool, refused: bool, attempt: int) -> float | None:
        """Seconds to wait after a connection failure or a timeout; None: no retry."""
        if attempt + 1 >= self.attempts:
            return None
        if (timed_out and not self.retry_timeouts) or (refused and not self.retry_refused):
            return None
        return self.wait(attempt)


CHAT = RetryPolicy()  # chat turns, images, embeddings, billing, attestation
# GET /models: quick (a CLI waits for it), timeouts retried, a refused connection final (an
# offline first run must not spend seconds on it), 408 and 425 retried too
DISCOVERY = RetryPolicy(
    backoff=0.3,
    backoff_cap=2.0,
    retry_after_cap=None,
    retry_timeouts=True,
    retry_refused=False,
    statuses=frozenset({408, 425, *RETRY_STATUSES}),
)
