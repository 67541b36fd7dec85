"""Venice's answers to ``/video/*`` and ``/audio/*`` job calls as records. Pure.

``quote``: ``{"quote": USD}``. ``queue``: ``{"model", "queue_id"}`` (video may add a
``download_url``, audio a ``status``). ``retrieve`` answers JSON while the job runs
(``{"status": "PROCESSING", "average_execution_time": ms, "execution_duration": ms}``) and
the file itself once it is done; a video with a ``download_url`` answers
``{"status": "COMPLETED", ...}`` instead, and the file is at that URL.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..runtime.plugins import Job, JobProgress, Quote
from ..wire.client import malformed

PROVIDER = "venice"


def parse_quote(payload: Any, model: str, request_id: str | None) -> Quote:
    price = payload.get("quote") if isinstance(payload, Mapping) else None
    if isinstance(price, bool) or not isinstance(price, int | float) or not math.isfinite(price):
        raise malformed("price quote", request_id)
    if price < 0:
        raise malformed("price quote", request_id)
    return Quote(model, float(price), "USD", request_id)


def parse_queued(payload: Any, kind: str, model: str, request_id: str | None) -> Job:
    if not isinstance(payload, Mapping):
        raise malformed(f"{kind} queue", request_id)
    queue_id = payload.get("queue_id")
    if not isinstance(queue_id, str) or not queue_id.strip():
        raise malformed(f"{kind} queue", request_id)
    queued_model = payload.get("model")
    meta: dict[str, Any] = {}
    url = payload.get("download_url")
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        meta["downloadUrl"] = url
    return Job(
        PROVIDER,
        kind,
        queued_model if isinstance(queued_model, str) and queued_model else model,
        queue_id.strip(),
        request_id,
        meta,
    )


def parse_status(payload: Any, kind: str, request_id: str | None) -> tuple[str, JobProgress]:
    """(Venice's status word, the progress it states); the status is PROCESSING, QUEUED or
    COMPLETED (anything else is malformed)."""
    status = payload.get("status") if isinstance(payload, Mapping) else None
    if status not in ("PROCESSING", "QUEUED", "COMPLETED"):
        raise malformed(f"{kind} status", request_id)
    assert isinstance(payload, Mapping)
    return status, JobProgress(
        False,
        _seconds(payload.get("execution_duration")),
        _seconds(payload.get("average_execution_time")),
        request_id=request_id,
    )


def _seconds(milliseconds: Any) -> float | None:
    if isinstance(milliseconds, bool) or not isinstance(milliseconds, int | float):
        return None
    if not math.isfinite(milliseconds) or milliseconds < 0:
        return None
    return milliseconds / 1000
