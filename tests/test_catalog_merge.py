"""The merge rules of reference.md section 3, one case at a time."""

from __future__ import annotations

import math
from typing import Any

import pytest

from openclaw_venice.catalog import (
    DEFAULT_CONTEXT_WINDOW,
    DEFAULT_MAX_TOKENS,
    DISCOVERY_HARD_MAX_TOKENS,
    load_bundle,
    merge_catalog,
)
from openclaw_venice.discovery import parse_models_body
from openclaw_venice.errors import DiscoveryError

BUNDLE = load_bundle()


def row(model_id: str, **spec: Any) -> dict[str, Any]:
    caps = spec.pop("capabilities", {})
    return {"id": model_id, "type": "text", "model_spec": {"capabilities": caps, **spec}}


def test_live_rows_decide_existence_and_order() -> None:
    merged = merge_catalog([row("llama-3.3-70b"), row("deepseek-v3.2")], BUNDLE)
    assert [m.id for m in merged.models] == ["llama-3.3-70b", "deepseek-v3.2"]
    assert merged.source == "live"
    assert merged.find("qwen3-next-80b") is None  # bundled but not listed live


def test_known_id_keeps_bundled_facts_and_live_may_lower_the_limits() -> None:
    bundled = BUNDLE.find("claude-opus-4-5")
    assert bundled is not None and bundled.max_tokens == 32768
    live = row(
        "claude-opus-4-5",
        name="Something Else",
        availableContextTokens=10,
        maxCompletionTokens=8000,
        capabilities={"supportsReasoning": False, "supportsVision": False},
    )
    model = merge_catalog([live], BUNDLE).models[0]
    assert (model.name, model.reasoning, model.input) == (
        bundled.name,
        bundled.reasoning,
        bundled.input,
    )
    assert model.context_window == 10  # a smaller live context wins
    # min(maxCompletionTokens, context window, bundled max)
    assert model.max_tokens == 10


@pytest.mark.parametrize(
    ("live_max", "context", "expected"),
    [
        (200_000, None, 32768),  # never raised above the bundle
        (8000, None, 8000),  # lowered
        (8000, 4000, 4000),  # context smaller still
        (None, 4000, 4000),  # no maxCompletionTokens: bounded by the smaller live context
        (None, 500_000, 32768),  # a larger live context raises nothing
        (0, None, 32768),  # non-positive numbers do not count
        (-5, None, 32768),
        (math.inf, None, 32768),
        (math.nan, None, 32768),
        ("9000", None, 32768),  # not a number
        (True, None, 32768),
    ],
)
def test_known_id_max_tokens_only_goes_down(live_max: Any, context: Any, expected: int) -> None:
    spec: dict[str, Any] = {}
    if live_max is not None:
        spec["maxCompletionTokens"] = live_max
    if context is not None:
        spec["availableContextTokens"] = context
    model = merge_catalog([row("claude-opus-4-5", **spec)], BUNDLE).models[0]
    assert model.max_tokens == expected


def test_tools_off_turns_off_and_true_never_turns_back_on() -> None:
    on = BUNDLE.find("llama-3.3-70b")
    off = BUNDLE.find("hermes-3-llama-3.1-405b")
    assert on is not None and on.supports_tools
    assert off is not None and not off.supports_tools
    merged = merge_catalog(
        [
            row("llama-3.3-70b", capabilities={"supportsFunctionCalling": False}),
            row("hermes-3-llama-3.1-405b", capabilities={"supportsFunctionCalling": True}),
        ],
        BUNDLE,
    )
    assert [m.supports_tools for m in merged.models] == [False, False]


def test_unknown_id_defaults() -> None:
    model = merge_catalog([row("brand-new")], BUNDLE).models[0]
    assert model.name == "brand-new"
    assert not model.reasoning
    assert model.input == ("text",)
    assert model.context_window == DEFAULT_CONTEXT_WINDOW
    assert model.max_tokens == DEFAULT_MAX_TOKENS
    assert model.supports_tools


@pytest.mark.parametrize("model_id", ["x-thinking", "some-reasoner", "deepseek-r1-lite"])
def test_unknown_id_reasoning_from_its_name(model_id: str) -> None:
    assert merge_catalog([row(model_id)], BUNDLE).models[0].reasoning


def test_unknown_id_from_its_row_with_caps() -> None:
    live = row(
        "brand-new",
        name="Brand New",
        privacy="private",
        availableContextTokens=1_000_000,
        maxCompletionTokens=500_000,
        capabilities={
            "supportsReasoning": True,
            "supportsVision": True,
            "supportsFunctionCalling": False,
        },
    )
    model = merge_catalog([live], BUNDLE).models[0]
    assert model.name == "Brand New"
    assert model.privacy == "private"
    assert model.reasoning and model.input == ("text", "image")
    assert model.context_window == 1_000_000
    assert model.max_tokens == DISCOVERY_HARD_MAX_TOKENS  # 131072 hard cap
    assert not model.supports_tools


def test_unknown_id_max_tokens_capped_by_context() -> None:
    live = row("small", availableContextTokens=2048, maxCompletionTokens=100_000)
    assert merge_catalog([live], BUNDLE).models[0].max_tokens == 2048
    live = row("nocontext", maxCompletionTokens=200_000)
    assert merge_catalog([live], BUNDLE).models[0].max_tokens == DEFAULT_CONTEXT_WINDOW


def test_row_without_model_spec_keeps_bundled_entry() -> None:
    bundled = BUNDLE.find("deepseek-v3.2")
    model = merge_catalog([{"id": "deepseek-v3.2"}], BUNDLE).models[0]
    assert model == bundled


def test_malformed_rows_are_skipped_not_fatal() -> None:
    rows: list[Any] = [None, 3, {"id": 5}, {"id": ""}, {"nope": 1}, row("llama-3.2-3b")]
    rows.append({"id": "x", "model_spec": "not an object"})
    rows.append({"id": "img", "type": "image", "model_spec": {}})
    merged = merge_catalog(rows, BUNDLE)
    assert [m.id for m in merged.models] == ["llama-3.2-3b", "x"]


def test_e2ee_models_are_tagged() -> None:
    live = row("e2ee-new-model", capabilities={"supportsE2EE": True})
    assert "e2ee" in merge_catalog([live], BUNDLE).models[0].tags
    assert "e2ee" in (BUNDLE.find("e2ee-glm-5-1") or BUNDLE.models[0]).tags


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[]", b"{}", b'{"data": []}', b'{"data": {}}', b"<html>502</html>"],
)
def test_unusable_bodies_are_discovery_errors(body: bytes) -> None:
    with pytest.raises(DiscoveryError):
        parse_models_body(body)
