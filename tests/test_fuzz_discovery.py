"""Fuzzing discovery: any /models payload ends in models or the fallback, never a crash."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openclaw_venice.catalog import load_bundle, merge_catalog
from openclaw_venice.discovery import parse_models_body
from openclaw_venice.errors import DiscoveryError
from tests.support.openapi import schema

BUNDLE = load_bundle()
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)
KNOWN_IDS = st.sampled_from([m.id for m in (*BUNDLE.models, *BUNDLE.retired)])
SPEC_KEYS = st.sampled_from(
    [
        "availableContextTokens",
        "maxCompletionTokens",
        "capabilities",
        "pricing",
        "name",
        "privacy",
        "deprecation",
        "offline",
        "traits",
    ]
)
broken_rows = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"id": KNOWN_IDS | st.text(max_size=10) | json_values},
        optional={
            "type": st.just("text") | json_values,
            "model_spec": st.dictionaries(SPEC_KEYS, json_values) | json_values,
        },
    ),
)


def discover(body: bytes) -> None:
    """The discovery path after HTTP: parse, then merge. Only DiscoveryError may escape."""
    try:
        rows = parse_models_body(body)
    except DiscoveryError:
        return
    catalog = merge_catalog(rows, BUNDLE)
    for model in catalog.models:
        assert model.id and isinstance(model.name, str)
        assert model.max_tokens > 0 and model.context_window > 0
        json.dumps(model.to_json(), allow_nan=False)


@given(st.lists(broken_rows, max_size=6))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_broken_shapes_never_crash(rows: list[Any]) -> None:
    discover(json.dumps({"data": rows}).encode())


@given(json_values)
@settings(max_examples=200)
def test_any_json_document_never_crashes(document: Any) -> None:
    discover(json.dumps(document).encode())


@given(st.binary(max_size=200))
def test_any_bytes_never_crash(body: bytes) -> None:
    discover(body)


@pytest.fixture(scope="module")
def model_rows() -> st.SearchStrategy[Any]:
    from hypothesis_jsonschema import from_schema

    return from_schema(schema("ModelResponse"))


@given(data=st.data())
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_rows_valid_per_the_openapi_schema_become_models(
    model_rows: st.SearchStrategy[Any], data: st.DataObject
) -> None:
    rows = data.draw(st.lists(model_rows, min_size=1, max_size=3))
    body = json.dumps({"object": "list", "data": rows}).encode()
    discover(body)
