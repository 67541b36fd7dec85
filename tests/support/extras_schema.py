"""Would Venice accept this request beyond chat? For every such request the suite sends.

``POST /image/generate`` bodies against ``GenerateImageRequest``, ``POST /embeddings`` bodies
against ``CreateEmbeddingRequestSchema``, the video and audio job calls against theirs (all
closed: a key the spec does not name fails),
and the ``GET /billing/usage-analytics`` query against its parameters, all from Venice's
spec (``tests/support/openapi.py``).
"""

from __future__ import annotations

import functools
from typing import Any

from jsonschema import Draft7Validator

from tests.support import openapi
from tests.support.requests_schema import close_objects
from tests.support.server import Request

BODY_SCHEMAS = {
    "/image/generate": "GenerateImageRequest",
    "/embeddings": "CreateEmbeddingRequestSchema",
    # image tools and queued jobs (issue 25)
    "/image/edit": "EditImageRequest",
    "/image/multi-edit": "MultiEditImageRequest",
    "/image/upscale": "UpscaleImageRequest",
    "/image/background-remove": "BackgroundRemoveImageRequest",
    "/video/quote": "QuoteVideoRequest",
    "/video/queue": "QueueVideoRequest",
    "/video/retrieve": "RetrieveVideoRequest",
    "/video/complete": "CompleteVideoRequest",
    "/audio/quote": "QuoteAudioRequest",
    "/audio/queue": "QueueAudioRequest",
    "/audio/retrieve": "RetrieveAudioRequest",
    "/audio/complete": "CompleteAudioRequest",
}
QUERY_ENDPOINTS = {
    "/billing/usage-analytics": ("/billing/usage-analytics", "get"),
    "/api_keys/rate_limits": ("/api_keys/rate_limits", "get"),  # no parameters: none may come
    "/api_keys/rate_limits/log": ("/api_keys/rate_limits/log", "get"),
}


@functools.cache
def _body_validator(name: str) -> Draft7Validator:
    return Draft7Validator(close_objects(openapi.schema(name)))


@functools.cache
def _query_validator(path: str, method: str) -> Draft7Validator:
    operation = openapi.spec()["paths"][path][method]
    properties = {
        p["name"]: openapi.operation_schema(p["schema"])
        for p in operation.get("parameters", ())
        if p.get("in") == "query"
    }
    return Draft7Validator(
        {"type": "object", "properties": properties, "additionalProperties": False}
    )


def endpoint(request: Request) -> str | None:
    """The spec path of a request to ``.../api/v1<path>``, for the paths checked here."""
    for path in (*BODY_SCHEMAS, *QUERY_ENDPOINTS):
        if request.path.endswith(path):
            return path
    return None


def spec_problems(request: Request) -> list[str]:
    """Where ``request`` breaks the spec; [] for paths not checked here or without the spec."""
    path = endpoint(request)
    if path is None:
        return []
    if path in BODY_SCHEMAS:
        validator = _body_validator(BODY_SCHEMAS[path])
        subject: Any = request.json()
    else:
        validator = _query_validator(*QUERY_ENDPOINTS[path])
        subject = {name: values[-1] for name, values in request.query.items()}
    return [f"{path}: {e.message[:300]}" for e in validator.iter_errors(subject)]


def assert_valid_extras_request(request: Request) -> None:
    problems = spec_problems(request)
    assert not problems, "invalid Venice request:\n  " + "\n  ".join(problems)
