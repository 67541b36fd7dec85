"""Would Venice accept this request beyond chat? For every such request the suite sends.

``POST /image/generate`` bodies against ``GenerateImageRequest``, ``POST /embeddings`` bodies
against ``CreateEmbeddingRequestSchema``, the video and audio job calls against theirs,
``POST /audio/speech`` bodies against ``CreateSpeechRequestSchema`` (all closed: a key the
spec does not name fails), the ``POST /audio/transcriptions`` multipart form against
``CreateTranscriptionRequestSchema`` (its ``file`` a file part, every other field a text value
of the schema's type), and the ``GET /billing/usage-analytics`` query against its parameters,
all from Venice's spec (``tests/support/openapi.py``).
"""

from __future__ import annotations

import functools
import re
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
    "/audio/speech": "CreateSpeechRequestSchema",
}
FORM_SCHEMAS = {"/audio/transcriptions": "CreateTranscriptionRequestSchema"}
QUERY_ENDPOINTS = {
    "/billing/usage-analytics": ("/billing/usage-analytics", "get"),
    "/api_keys/rate_limits": ("/api_keys/rate_limits", "get"),  # no parameters: none may come
    "/api_keys/rate_limits/log": ("/api_keys/rate_limits/log", "get"),
    "/characters": ("/characters", "get"),
    "/characters/{slug}": ("/characters/{slug}", "get"),
    "/characters/{slug}/reviews": ("/characters/{slug}/reviews", "get"),
}
#: spec paths with a parameter in them, as a request's path ends
TEMPLATES = (
    (re.compile(r"/characters/[^/]+/reviews$"), "/characters/{slug}/reviews"),
    (re.compile(r"/characters/[^/]+$"), "/characters/{slug}"),
)


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
    for pattern, template in TEMPLATES:
        if pattern.search(request.path):
            return template
    for path in (*BODY_SCHEMAS, *FORM_SCHEMAS, *QUERY_ENDPOINTS):
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
    elif path in FORM_SCHEMAS:
        validator = _body_validator(FORM_SCHEMAS[path])
        subject = _form_values(request, validator.schema)
    else:
        validator = _query_validator(*QUERY_ENDPOINTS[path])
        properties = validator.schema["properties"]
        subject = {
            name: _as_typed(values[-1], properties.get(name, {}))
            for name, values in request.query.items()
        }
    return [f"{path}: {e.message[:300]}" for e in validator.iter_errors(subject)]


def _as_typed(text: str, schema: Any) -> Any:
    """A query value as the schema types it: a whole number for ``integer``, the
    comma-separated values for ``array`` (which the spec says it accepts); else the text."""
    kind = schema.get("type") if isinstance(schema, dict) else None
    if kind == "integer" and text.lstrip("-").isdigit():
        return int(text)
    if kind == "array":
        return text.split(",")
    return text


def _form_values(request: Request, schema: dict[str, Any]) -> dict[str, Any]:
    """A multipart form as the JSON the schema describes: a file part as a string (the
    spec's ``format: binary``; a text value in its place fails), text values as the type the
    schema gives their field ("true" as true), so that a bad value fails as in JSON."""
    from tests.support.venice_audio import form_fields

    values: dict[str, Any] = {}
    properties = schema.get("properties", {})
    for name, value in form_fields(request).items():
        kind = properties.get(name, {}).get("type")
        is_file = isinstance(value, tuple)
        if properties.get(name, {}).get("format") == "binary":
            values[name] = "<file>" if is_file else 0  # a text field where a file belongs fails
        elif is_file:
            values[name] = {"file": value[0]}  # a file where text belongs fails
        elif kind == "boolean":
            values[name] = {"true": True, "false": False}.get(value, value)
        elif kind == "number":
            try:
                values[name] = float(value)
            except ValueError:
                values[name] = value
        else:
            values[name] = value
    return values


def assert_valid_extras_request(request: Request) -> None:
    problems = spec_problems(request)
    assert not problems, "invalid Venice request:\n  " + "\n  ".join(problems)
