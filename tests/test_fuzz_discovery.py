"""Fuzzing discovery: any /models payload ends in models or the fallback, never a crash.

Most examples run the pure part (parse, then merge) for speed; the rest run the whole path:
``VeniceProvider.catalog`` fetching from a loopback server, writing the cache and reading it
back, and ``openclaw models list --json --refresh``.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from openclaw_venice.catalog import load_bundle, merge_catalog
from openclaw_venice.discovery import parse_models_body
from openclaw_venice.errors import DiscoveryError
from openclaw_venice.model_cache import ModelCache
from openclaw_venice.provider import VeniceProvider
from openclaw_venice.runtime.catalog import Catalog
from openclaw_venice.runtime.plugins import ProviderContext
from tests.conftest import run_cli
from tests.support.fuzzing import examples
from tests.support.openapi import schema
from tests.support.server import LocalServer, Reply

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


def discover(body: bytes) -> Catalog | DiscoveryError:
    """The discovery path after HTTP: parse, then merge. A catalog of sane models, or the
    one-line DiscoveryError that makes the caller fall back to the bundle; any other
    exception escapes and fails the test."""
    try:
        rows = parse_models_body(body)
    except DiscoveryError as exc:
        assert str(exc) in ("answer is not JSON", "answer has no models"), str(exc)
        return exc
    catalog = merge_catalog(rows, BUNDLE)
    for model in catalog.models:
        assert model.id and isinstance(model.name, str)
        assert model.max_tokens > 0 and model.context_window > 0
        json.dumps(model.to_json(), allow_nan=False)
    return catalog


def lists_models(body: bytes) -> bool:
    """What a ``/models`` answer must be for its rows to be merged: a JSON object whose
    ``data`` is a non-empty list (anything else falls back to the bundle)."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        return False
    data = payload.get("data") if isinstance(payload, dict) else None
    return isinstance(data, list) and len(data) > 0


@given(st.lists(broken_rows, max_size=6))
@example([{"id": "aion-labs-aion-3-0", "model_spec": {"maxCompletionTokens": 0.5}}])  # max 0
@example([{"id": "new-model", "model_spec": {"maxCompletionTokens": 0.9}}])  # max 0
@settings(max_examples=examples(300), suppress_health_check=[HealthCheck.too_slow])
def test_broken_shapes_never_crash(rows: list[Any]) -> None:
    """Rows of any shape are merged (the unusable ones skipped), never an error."""
    outcome = discover(json.dumps({"data": rows}).encode())
    assert isinstance(outcome, Catalog) == bool(rows), outcome


@given(json_values)
@settings(max_examples=examples(200))
def test_any_json_document_never_crashes(document: Any) -> None:
    body = json.dumps(document).encode()
    assert isinstance(discover(body), Catalog) == lists_models(body)


@given(st.binary(max_size=200))
@example(b'{"data": [1]}')  # the one kind of body that is a catalog: a non-empty data list
def test_any_bytes_never_crash(body: bytes) -> None:
    assert isinstance(discover(body), Catalog) == lists_models(body)


@pytest.fixture(scope="module")
def model_rows() -> st.SearchStrategy[Any]:
    from hypothesis_jsonschema import from_schema

    return from_schema(schema("ModelResponse"))


@given(data=st.data())
@settings(max_examples=examples(60), deadline=None, suppress_health_check=list(HealthCheck))
def test_rows_valid_per_the_openapi_schema_become_models(
    model_rows: st.SearchStrategy[Any], data: st.DataObject
) -> None:
    rows = data.draw(st.lists(model_rows, min_size=1, max_size=3))
    body = json.dumps({"object": "list", "data": rows}).encode()
    assert isinstance(discover(body), Catalog)


# -- the whole path: HTTP, merge, cache write and read -----------------------------------------


class Answer:
    """The /models body the module's server sends."""

    def __init__(self) -> None:
        self.body = b""

    def __call__(self, request: Any) -> Reply:
        return Reply(200, self.body, {"Content-Type": "application/json"})


@pytest.fixture(scope="module")
def models_server() -> Iterator[tuple[LocalServer, Answer]]:
    answer = Answer()
    server = LocalServer().start()
    server.respond(answer)
    try:
        yield server, answer
    finally:
        server.stop()


def discover_live(served: tuple[LocalServer, Answer], body: bytes, deeper: int = 0) -> None:
    """``body`` through ``VeniceProvider.catalog``: live models or the bundle, with at most
    one one-line warning; then the same from the cache it wrote (or the remembered failure),
    read ``deeper`` frames down the stack (another command, another caller)."""
    server, answer = served
    answer.body = body
    with tempfile.TemporaryDirectory() as cache_dir:
        live = _catalog(server, Path(cache_dir), refresh=True)
        again = _at_depth(deeper, lambda: _catalog(server, Path(cache_dir), refresh=False))
    assert live.source in ("live", "bundled") and again.source in ("cache", "bundled")
    assert again.models == live.models or again.source == "bundled"  # too deep to read here
    del server.requests[:]


def _catalog(server: LocalServer, cache_dir: Path, refresh: bool) -> Catalog:
    warnings: list[str] = []
    ctx = ProviderContext(
        config={"baseUrl": server.url + "/api/v1"},
        env={},
        cache_dir=cache_dir,
        refresh=refresh,
        warn=warnings.append,
    )
    catalog = VeniceProvider().catalog(ctx)
    assert len(warnings) == (catalog.source == "bundled") and "\n" not in "".join(warnings)
    for model in catalog.models:
        assert model.id and model.max_tokens > 0 and model.context_window > 0
        json.dumps(model.to_json(), allow_nan=False)
    return catalog


def _at_depth(frames: int, call: Callable[[], Catalog]) -> Catalog:
    return call() if frames <= 0 else _at_depth(frames - 1, call)


def nested(depth: int) -> bytes:
    """A listing whose one row carries a value nested ``depth`` deep."""
    inner = "[" * depth + "]" * depth
    row = '{"id": "deep-model", "type": "text", "model_spec": {"name": "D", "traits": %s}}'
    return ('{"object": "list", "data": [' + row % inner + "]}").encode()


bodies = st.one_of(
    st.lists(broken_rows, min_size=1, max_size=6).map(lambda rows: {"data": rows}),
    json_values,
).map(lambda value: json.dumps(value).encode())


def stack_depth() -> int:
    frame, depth = sys._getframe(), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1  # type: ignore[assignment]
    return depth


@given(body=st.one_of(bodies, bodies, st.binary(max_size=100)))
@settings(max_examples=examples(80), deadline=None, suppress_health_check=list(HealthCheck))
def test_the_real_discovery_path_never_crashes(
    models_server: tuple[LocalServer, Answer], body: bytes
) -> None:
    discover_live(models_server, body)


@given(offset=st.integers(-80, 10), deeper=st.integers(0, 80))
@settings(max_examples=examples(30), deadline=None, suppress_health_check=list(HealthCheck))
def test_rows_nested_about_as_deep_as_the_parser_goes(
    models_server: tuple[LocalServer, Answer], offset: int, deeper: int
) -> None:
    """Parsing the answer, writing the cache and reading it back each run at their own stack
    depth, so they disagree about what is too deep just below the recursion limit (which
    Hypothesis raises while it runs a test: measured here, not at import)."""
    room = sys.getrecursionlimit() - stack_depth()
    discover_live(models_server, nested(room + offset), deeper)


@given(data=st.data())
@settings(max_examples=examples(20), deadline=None, suppress_health_check=list(HealthCheck))
def test_schema_rows_through_the_real_discovery_path(
    models_server: tuple[LocalServer, Answer],
    model_rows: st.SearchStrategy[Any],
    data: st.DataObject,
) -> None:
    rows = data.draw(st.lists(model_rows, min_size=1, max_size=3))
    discover_live(models_server, json.dumps({"object": "list", "data": rows}).encode())


def test_rows_too_deep_to_encode_are_not_cached(tmp_path: Path) -> None:
    deep: list[Any] = []
    for _ in range(sys.getrecursionlimit()):
        deep = [deep]
    cache = ModelCache(tmp_path / "c", "http://127.0.0.1:9/api/v1")
    cache.remember_failure()
    cache.write([{"id": "m", "model_spec": {"traits": deep}}])
    assert cache.read() is None and not cache.failed_recently()  # a success, not cached


@pytest.mark.parametrize(
    "body",
    [
        b'{"data": ' + b"[" * 100_000,
        nested(5000),
        b'{"data": [{"id": 5, "model_spec": []}, null, "x", {"id": "m", "model_spec": 7}]}',
        b'{"data": [{"id": "m", "type": "text", "model_spec": {"availableContextTokens": '
        + b"9" * 5000
        + b', "maxCompletionTokens": -1e999, "capabilities": "yes", "pricing": [1]}}]}',
        b"\xef\xbb\xbf\xff\xfe not json",
    ],
    ids=["deep-prefix", "deep-row", "wrong-types", "huge-numbers", "bytes"],
)
def test_the_cli_lists_models_whatever_the_listing(
    models_server: tuple[LocalServer, Answer], body: bytes
) -> None:
    server, answer = models_server
    answer.body = body
    env = {"VENICE_BASE_URL": server.url + "/api/v1"}
    result = run_cli("models", "list", "--json", "--refresh", env=env)
    assert result.code == 0, result.output
    listing = json.loads(result.stdout)
    assert listing["source"] in ("live", "bundled") and listing["models"]
