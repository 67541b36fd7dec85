"""Our Venice extras held to outside truth: the hand-written answers the tests serve match the
spec's response schemas, every image body we would build is one the spec accepts, and the
bundled image/embedding list agrees with Venice's own model snapshot (all from
tests/data/venice-api)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from openclaw_venice.errors import OpenClawError
from openclaw_venice.images.request import image_body
from openclaw_venice.media_catalog import load_media_bundle, media_model
from openclaw_venice.runtime.media import ImageRequest, MediaModel
from tests.conftest import VENICE_DATA
from tests.support import openapi
from tests.support.fuzzing import examples
from tests.support.requests_schema import close_objects
from tests.support.venice_audio import ASR_ROWS, TIMESTAMPS, TRANSCRIPT, TTS_ROWS
from tests.support.venice_extras import (
    BALANCE,
    CHARACTER,
    EMBEDDING_ROWS,
    IMAGE_ROWS,
    RATE_LIMIT_LOG,
    RATE_LIMITS,
    REVIEWS,
    USAGE,
    embeddings_answer,
    image_answer,
)

SNAPSHOT = VENICE_DATA / "static-models-2026-08.json"


def response_schema(path: str, method: str = "get") -> dict[str, Any]:
    operation = openapi.spec()["paths"][path][method]
    raw = operation["responses"]["200"]["content"]["application/json"]["schema"]
    converted: dict[str, Any] = openapi.operation_schema(raw)
    return converted


@pytest.mark.parametrize(
    ("path", "method", "payload"),
    [
        ("/billing/balance", "get", BALANCE),
        ("/billing/usage-analytics", "get", USAGE),
        ("/image/generate", "post", json.loads(image_answer(2).body)),  # type: ignore[arg-type]
        (
            "/embeddings",
            "post",
            json.loads(embeddings_answer({"model": "m", "input": ["a", "b"]}).body),  # type: ignore[arg-type]
        ),
        ("/models", "get", {"object": "list", "type": "image", "data": IMAGE_ROWS}),
        ("/models", "get", {"object": "list", "type": "embedding", "data": EMBEDDING_ROWS}),
        ("/api_keys/rate_limits", "get", RATE_LIMITS),
        ("/api_keys/rate_limits/log", "get", RATE_LIMIT_LOG),
        ("/characters", "get", {"object": "list", "data": [CHARACTER]}),
        ("/characters/{slug}", "get", {"object": "character", "data": CHARACTER}),
        ("/characters/{slug}/reviews", "get", REVIEWS),
        ("/models", "get", {"object": "list", "type": "tts", "data": TTS_ROWS}),
        ("/models", "get", {"object": "list", "type": "asr", "data": ASR_ROWS}),
        ("/audio/transcriptions", "post",
         {"text": TRANSCRIPT, "duration": 2.5, "timestamps": TIMESTAMPS}),
    ],
    ids=[
        "balance",
        "usage",
        "image",
        "embeddings",
        "image-models",
        "embedding-models",
        "rate-limits",
        "rate-limit-log",
        "characters",
        "character",
        "reviews",
        "speech-models",
        "transcription-models",
        "transcription",
    ],
)
def test_served_answers_match_the_spec(path: str, method: str, payload: Any) -> None:
    errors = list(Draft7Validator(response_schema(path, method)).iter_errors(payload))
    assert not errors, [e.message for e in errors]


LIVE_MODELS = [
    m for m in (media_model(r, "image", load_media_bundle("image")) for r in IMAGE_ROWS) if m
]
requests = st.builds(
    ImageRequest,
    prompt=st.text(min_size=0, max_size=60),
    count=st.integers(-1, 6),
    width=st.none() | st.integers(-5, 1400),
    height=st.none() | st.integers(-5, 1400),
    aspect_ratio=st.none() | st.sampled_from(["1:1", "16:9", "4:3", ""]),
    resolution=st.none() | st.sampled_from(["1K", "4K", "8K"]),
    seed=st.none() | st.integers(-(10**10), 10**10),
    negative_prompt=st.none() | st.text(max_size=60),
    style=st.none() | st.sampled_from(["3D Model", "", " "]),
    safe_mode=st.none() | st.booleans(),
    format=st.none() | st.sampled_from(["png", "jpeg", "webp", "gif"]),
    quality=st.none() | st.sampled_from(["low", "high", "ultra"]),
)


@settings(max_examples=examples(300), deadline=None)
@given(request=requests, model=st.sampled_from([*LIVE_MODELS, *load_media_bundle("image").models]))
def test_every_image_body_we_send_is_one_the_spec_accepts(
    request: ImageRequest, model: MediaModel
) -> None:
    schema = close_objects(openapi.schema("GenerateImageRequest"))
    try:
        body = image_body(request, model)
    except OpenClawError:
        return  # refused before sending: nothing reaches Venice
    errors = [e.message for e in Draft7Validator(schema).iter_errors(body)]
    assert not errors, (body, errors)
    assert isinstance(body["safe_mode"], bool)  # always said, never Venice's default


def _snapshot() -> dict[str, dict[str, Any]]:
    rows = json.loads(SNAPSHOT.read_text())
    return {r["id"]: r for r in rows}


@pytest.mark.parametrize("kind", ["image", "embedding"])
def test_the_bundled_list_agrees_with_venices_snapshot(kind: str) -> None:
    rows = _snapshot()
    bundle = load_media_bundle(kind)  # type: ignore[arg-type]
    assert bundle.default in {m.id for m in bundle.models}
    for model in bundle.models:
        row = rows.get(model.id)
        assert row is not None, f"{model.id} is not a Venice model"
        assert row["type"] == kind
        assert (model.name, model.privacy) == (
            row["model_spec"]["name"],
            row["model_spec"]["privacy"],
        )


def test_the_bundled_embedding_models_are_the_specs() -> None:
    schema = openapi.schema("CreateEmbeddingRequestSchema")
    named = schema["properties"]["model"]["anyOf"][1]["enum"]
    assert sorted(m.id for m in load_media_bundle("embedding").models) == sorted(named)
