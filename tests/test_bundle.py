"""The bundled catalog: complete, sane, and every seed id still resolves."""

from __future__ import annotations

import json

import pytest

from openclaw_venice.catalog import load_bundle
from tests.conftest import VENICE_DATA

# (id, privacy, context in thousands, vision) from the seed documents of early 2026
SEEDS = [
    ("llama-3.3-70b", "private", 131, False),
    ("llama-3.2-3b", "private", 131, False),
    ("hermes-3-llama-3.1-405b", "private", 131, False),
    ("qwen3-235b-a22b-thinking-2507", "private", 131, False),
    ("qwen3-235b-a22b-instruct-2507", "private", 131, False),
    ("qwen3-coder-480b-a35b-instruct", "private", 262, False),
    ("qwen3-next-80b", "private", 262, False),
    ("qwen3-vl-235b-a22b", "private", 262, True),
    ("qwen3-4b", "private", 32, False),
    ("deepseek-v3.2", "private", 163, False),
    ("venice-uncensored", "private", 32, False),
    ("mistral-31-24b", "private", 131, True),
    ("google-gemma-3-27b-it", "private", 202, True),
    ("openai-gpt-oss-120b", "private", 131, False),
    ("zai-org-glm-4.7", "private", 202, False),
    ("claude-opus-45", "anonymized", 202, True),
    ("claude-sonnet-45", "anonymized", 202, True),
    ("openai-gpt-52", "anonymized", 262, False),
    ("openai-gpt-52-codex", "anonymized", 262, True),
    ("gemini-3-pro-preview", "anonymized", 202, True),
    ("gemini-3-flash-preview", "anonymized", 262, True),
    ("grok-41-fast", "anonymized", 262, True),
    ("grok-code-fast-1", "anonymized", 262, False),
    ("kimi-k2-thinking", "anonymized", 262, False),
    ("minimax-m21", "anonymized", 202, False),
]
BUNDLE = load_bundle()


def test_seed_list_is_the_documented_25() -> None:
    assert len(SEEDS) == 25
    assert sum(1 for s in SEEDS if s[1] == "private") == 15


@pytest.mark.parametrize(("seed", "privacy", "context_k", "vision"), SEEDS)
def test_every_seed_id_resolves(seed: str, privacy: str, context_k: int, vision: bool) -> None:
    resolution = BUNDLE.resolve(seed)
    assert resolution is not None, seed
    model = resolution.model
    assert not model.retired
    if resolution.model.id != seed:
        assert resolution.notice and seed in resolution.notice and model.id in resolution.notice
    if vision and model.id == seed:
        assert "image" in model.input


def test_every_record_is_complete_and_sane() -> None:
    for model in (*BUNDLE.models, *BUNDLE.retired):
        assert model.name and model.privacy in ("private", "anonymized"), model.id
        assert set(model.input) <= {"text", "image", "audio", "video"} and "text" in model.input
        assert 0 < model.max_tokens <= model.context_window, model.id
        costs = (model.cost.input, model.cost.output, model.cost.cache_read, model.cost.cache_write)
        assert all(c is None or c >= 0 for c in costs)


def test_retired_models_point_at_available_replacements() -> None:
    assert BUNDLE.retired
    for model in BUNDLE.retired:
        assert model.replacement and BUNDLE.find(model.replacement), model.id
        assert "retired" in model.tags


def test_no_id_is_both_available_and_an_alias() -> None:
    ids = {m.id for m in BUNDLE.models}
    aliases = [a for m in BUNDLE.models for a in m.aliases]
    assert not ids & set(aliases)
    assert len(aliases) == len(set(aliases))


def test_bundle_covers_every_text_model_of_the_newest_snapshot() -> None:
    path = VENICE_DATA / "static-models-2026-08.json"
    rows = [r for r in json.loads(path.read_text()) if r.get("type") == "text"]
    ids = {m.id for m in BUNDLE.models}
    for r in rows:
        assert r["id"] in ids, r["id"]
        model = BUNDLE.find(r["id"])
        assert model is not None
        spec = r["model_spec"]
        assert model.privacy == spec["privacy"]
        assert model.context_window == spec["availableContextTokens"]
        assert ("image" in model.input) == spec["capabilities"]["supportsVision"]
        caps = spec["capabilities"]
        assert ("audio" in model.input) == bool(caps.get("supportsAudioInput")), r["id"]
        assert ("video" in model.input) == bool(caps.get("supportsVideoInput")), r["id"]
        pricing = spec["pricing"]  # a cache price Venice does not list is unknown, not free
        for ours, theirs in (
            (model.cost.cache_read, "cache_input"),
            (model.cost.cache_write, "cache_write"),
        ):
            assert ours == (pricing[theirs]["usd"] if theirs in pricing else None), r["id"]
