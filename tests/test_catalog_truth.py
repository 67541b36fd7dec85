"""The catalog says what Venice says now: live prices (the ``extended`` tier too), zero
prices, invalid schedules ignored whole, deprecations, and what ``models list`` shows."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from openclaw_venice.catalog import load_bundle, merge_catalog
from openclaw_venice.runtime.catalog import Cost
from tests.conftest import run_cli
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request, json_reply

BUNDLE = load_bundle()
GEMINI = "gemini-3-1-pro-preview"  # bundled with an extended (long-context) tier


def usd(value: Any) -> dict[str, Any]:
    return {"usd": value, "diem": value}


def priced(model_id: str, pricing: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return {"id": model_id, "type": "text", "model_spec": {"pricing": pricing, **spec}}


def merged(*rows: dict[str, Any]) -> Any:
    return merge_catalog(list(rows), BUNDLE)


def test_live_prices_replace_the_bundled_ones() -> None:
    bundled = BUNDLE.find(GEMINI)
    assert bundled is not None and bundled.cost.input == 2.5
    pricing = {
        "input": usd(3),
        "output": usd(18),
        "cache_input": usd(0.3),
        "cache_write": usd(3.75),
        "extended": {
            "context_token_threshold": 250_000,
            "input": usd(6),
            "output": usd(27),
            "cache_input": usd(0.6),
            "cache_write": usd(7.5),
        },
    }
    model = merged(priced(GEMINI, pricing)).models[0]
    assert model.cost == Cost(3.0, 18.0, 0.3, 3.75)
    assert model.extra["extendedCost"] == {
        "contextThreshold": 250_000,
        "input": 6.0,
        "output": 27.0,
        "cacheRead": 0.6,
        "cacheWrite": 7.5,
    }


def test_a_tier_venice_no_longer_lists_is_gone() -> None:
    assert "extendedCost" in (BUNDLE.find(GEMINI) or BUNDLE.models[0]).extra
    model = merged(priced(GEMINI, {"input": usd(2), "output": usd(12)})).models[0]
    assert model.cost == Cost(2.0, 12.0)  # cache prices not listed: unknown, not free
    assert "extendedCost" not in model.extra


def test_an_explicit_zero_is_a_price() -> None:
    free = {"input": usd(0), "output": usd(0), "cache_input": usd(0), "cache_write": usd(0)}
    model = merged(priced("llama-3.3-70b", free)).models[0]
    assert model.cost == Cost(0.0, 0.0, 0.0, 0.0)
    assert (BUNDLE.find("llama-3.3-70b") or model).cost.input > 0
    new = merged(priced("free-new-model", free)).models[0]
    assert new.cost == Cost(0.0, 0.0, 0.0, 0.0) and new.cost.cache_read_rate == 0.0


@pytest.mark.parametrize(
    "bad_rate",
    [usd(-1), usd(math.nan), usd(math.inf), usd("1.5"), usd(True), usd(None), {"diem": 2}, 3],
    ids=["negative", "nan", "inf", "string", "bool", "null", "no-usd", "not-an-object"],
)
def test_a_schedule_with_an_invalid_rate_is_ignored_whole(bad_rate: Any) -> None:
    bundled = BUNDLE.find(GEMINI)
    assert bundled is not None
    pricing = {"input": usd(9), "output": usd(99), "cache_write": bad_rate}
    model = merged(priced(GEMINI, pricing)).models[0]
    assert model.cost == bundled.cost  # not 9/99 with one rate dropped
    tier = {"context_token_threshold": 200_000, "input": usd(9), "output": bad_rate}
    model = merged(priced(GEMINI, {"input": usd(1), "output": usd(2), "extended": tier})).models[0]
    assert model.cost == Cost(1.0, 2.0)
    assert model.extra["extendedCost"] == bundled.extra["extendedCost"]  # bundled tier kept


def test_a_schedule_without_input_or_output_is_ignored() -> None:
    bundled = BUNDLE.find("llama-3.3-70b")
    assert bundled is not None
    model = merged(priced("llama-3.3-70b", {"output": usd(1)})).models[0]
    assert model.cost == bundled.cost


def test_deprecation_becomes_a_tag_naming_the_successor() -> None:
    row = priced(
        "qwen3-5-9b",
        {},
        deprecation={"date": "2026-12-01T00:00:00.000Z", "replacementModelId": "kimi-k2-6"},
    )
    model = merged(row, priced("kimi-k2-6", {})).models[0]
    assert "deprecated→kimi-k2-6" in model.tags
    assert model.deprecation is not None
    assert (model.deprecation.date, model.deprecation.replacement) == (
        "2026-12-01T00:00:00.000Z",
        "kimi-k2-6",
    )
    assert model.to_json()["deprecation"] == {
        "date": "2026-12-01T00:00:00.000Z",
        "replacement": "kimi-k2-6",
    }
    bare = merged(priced("qwen3-5-9b", {}, deprecation={"date": "2026-12-01"})).models[0]
    assert "deprecated" in bare.tags and bare.deprecation is not None


def test_a_bundled_deprecation_venice_dropped_is_gone() -> None:
    deprecated = next(m for m in BUNDLE.models if m.deprecation is not None)
    assert any(t.startswith("deprecated") for t in deprecated.tags)
    model = merged(priced(deprecated.id, {})).models[0]
    assert model.deprecation is None
    assert not any(t.startswith("deprecated") for t in model.tags)


# -- what the CLI shows --------------------------------------------------------------------

LIVE = [
    {"id": "llama-3.3-70b", "type": "text", "model_spec": {"availableContextTokens": 1000}},
    {
        "id": "qwen3-vl-235b-a22b",
        "type": "text",
        "model_spec": {
            "deprecation": {"date": "2026-12-31T00:00:00.000Z", "replacementModelId": "kimi-k2-6"}
        },
    },
    {"id": "kimi-k2-6", "type": "text", "model_spec": {}},
]


def venice(server: LocalServer, rows: list[Any] = LIVE) -> dict[str, str]:
    def respond(request: Request) -> Reply:
        if request.path.endswith("/models"):
            return json_reply({"data": rows})
        return Reply(500)

    server.respond(respond)
    return {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}


def chat_requests(server: LocalServer) -> list[Request]:
    return [r for r in server.requests if r.path.endswith("/chat/completions")]


def test_live_list_shows_only_what_venice_listed_and_all_shows_the_rest(
    server: LocalServer,
) -> None:
    env = venice(server)
    result = run_cli("models", "list", "--json", env=env)
    assert result.code == 0, result.output
    assert [m["id"] for m in json.loads(result.stdout)["models"]] == [r["id"] for r in LIVE]
    listed = run_cli("models", "list", env=env)
    table = listed.stdout  # piped: model rows only; the footer goes to stderr
    assert "venice: 3 models, from the local cache" in listed.stderr
    assert "venice/claude-opus-4-5" not in table
    everything = run_cli("models", "list", "--all", "--json", env=env)
    by_id = {m["id"]: m for m in json.loads(everything.stdout)["models"]}
    assert "unlisted" in by_id["claude-opus-4-5"]["tags"]  # bundled, not listed live
    assert "retired" in by_id["qwen3-4b"]["tags"] and by_id["qwen3-4b"]["replacement"]
    assert len(by_id) == len(BUNDLE.models) + len(BUNDLE.retired)  # these 3 are bundled too
    shown = run_cli("models", "list", "--all", env=env).stdout
    assert "retired→qwen3-5-9b" in shown and "deprecated→kimi-k2-6" in shown


def test_did_you_mean_names_only_listed_models(server: LocalServer) -> None:
    env = venice(server)
    result = run_cli("models", "set", "venice/llama-3.3-7", env=env)
    assert result.code != 0
    (line,) = result.stderr.strip().splitlines()
    assert "did you mean venice/llama-3.3-70b?" in line  # llama-3.2-3b is bundled, not live
    bundled_only = run_cli("models", "set", "venice/claude-opus-4-5", env=env)
    assert bundled_only.code != 0 and "venice/claude-opus-4-5" in bundled_only.stderr
    chat = run_cli("chat", "-m", "venice/llama-3.3-7", "hi", env=env)
    assert chat.code != 0
    (line,) = [x for x in chat.stderr.splitlines() if "did you mean" in x]
    assert "venice/llama-3.3-70b" in line and "llama-3.2-3b" not in line
    assert chat_requests(server) == []


def test_models_set_warns_in_one_line_of_a_deprecated_model(server: LocalServer) -> None:
    env = venice(server)
    result = run_cli("models", "set", "venice/qwen3-vl-235b-a22b", env=env)
    assert result.code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line]
    assert warnings == [
        "warning: venice/qwen3-vl-235b-a22b is deprecated (until 2026-12-31); its successor "
        "is venice/kimi-k2-6 (openclaw models set venice/kimi-k2-6)"
    ]


def test_chat_warns_of_a_deprecated_model_before_sending(server: LocalServer) -> None:
    env = venice(server)
    result = run_cli("chat", "-m", "venice/qwen3-vl-235b-a22b", "hi", env=env)
    first = result.stderr.splitlines()[0]
    assert first.startswith("warning: venice/qwen3-vl-235b-a22b is deprecated (until 2026-12-31)")
    assert "venice/kimi-k2-6" in first
    assert chat_requests(server)  # a warning, not a refusal


def test_a_prompt_that_does_not_fit_the_live_context_is_refused_before_sending(
    server: LocalServer,
) -> None:
    env = venice(server)  # llama-3.3-70b: bundled 128k context, Venice says 1000 now
    result = run_cli("chat", "-m", "venice/llama-3.3-70b", "word " * 2000, env=env)
    assert result.code != 0
    assert "does not fit venice/llama-3.3-70b's context of 1000 tokens" in result.stderr
    assert chat_requests(server) == []


def test_the_vision_hint_names_only_listed_models(server: LocalServer, tmp_path: Any) -> None:
    image = tmp_path / "dot.png"
    image.write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
        )
    )
    env = venice(server)
    text_only = run_cli(
        "chat", "-m", "venice/llama-3.3-70b", "--image", str(image), "what?", env=env
    )
    assert text_only.code != 0
    (line,) = [line for line in text_only.stderr.splitlines() if "does not accept" in line]
    assert "venice/qwen3-vl-235b-a22b" in line and "venice/kimi-k2-6" in line
    assert "claude" not in line and "gemini" not in line  # bundled vision models, not listed
    assert chat_requests(server) == []  # refused before sending
