"""The catalog and merge cases of the TypeScript plugin's ``extensions/venice/models.test.ts``
(openclaw/openclaw), ported: each test names the ``it(...)`` case it mirrors. Two stored
versions of that file exist (commits ef7e93cc and 9169f7f7); where they differ both are
ported, or our deliberate difference is stated.

Their tests stub ``fetch``; ours run the real provider against a real HTTP server on
127.0.0.1 answering ``/models`` with rows built the way their ``makeModelRow`` builds them.
The expected numbers are those of our bundle (from Venice's own ``/models`` snapshots),
which differ from the TypeScript static catalog in places.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from openclaw_venice.catalog import load_bundle
from openclaw_venice.provider import VeniceProvider, model_config_entry
from openclaw_venice.runtime.catalog import Catalog, ModelInfo
from openclaw_venice.runtime.plugins import ProviderContext
from tests.support.faults import reset_before_headers
from tests.support.faults import sequence as in_turn
from tests.support.server import LocalServer, Request, json_reply

BUNDLE = load_bundle()


def make_model_row(
    model_id: str,
    *,
    available_context_tokens: float | None = None,
    max_completion_tokens: float | None = None,
    capabilities: dict[str, bool] | None = None,
    include_model_spec: bool = True,
) -> dict[str, Any]:
    """Their ``makeModelRow``: name = id, privacy private, only the fields given."""
    if not include_model_spec:
        return {"id": model_id}
    spec: dict[str, Any] = {"name": model_id, "privacy": "private"}
    if available_context_tokens is not None:
        spec["availableContextTokens"] = available_context_tokens
    if max_completion_tokens is not None:
        spec["maxCompletionTokens"] = max_completion_tokens
    if capabilities is not None:
        spec["capabilities"] = capabilities
    return {"id": model_id, "model_spec": spec}


def answer(*rows: dict[str, Any]) -> Any:
    return lambda request: json_reply({"data": list(rows)})


def discover(server: LocalServer, tmp_path: Path, warnings: list[str] | None = None) -> Catalog:
    """Their ``discoverVeniceModels()``: the provider's catalog, live when reachable."""
    ctx = ProviderContext(
        config={"baseUrl": server.url + "/api/v1"},
        env={},
        cache_dir=tmp_path / "cache",
        refresh=True,
        warn=(warnings if warnings is not None else []).append,
    )
    return VeniceProvider().catalog(ctx)


def found(catalog: Catalog, model_id: str) -> ModelInfo:
    model = catalog.find(model_id)
    assert model is not None, f"{model_id} missing from {[m.id for m in catalog.models]}"
    return model


def bundled(model_id: str) -> ModelInfo:
    model = BUNDLE.find(model_id)
    assert model is not None
    return model


def test_build_venice_model_definition_returns_config_with_required_fields() -> None:
    """it("buildVeniceModelDefinition returns config with required fields") / newer
    it("builds static definitions with required fields"). Theirs has zero costs; ours
    carries Venice's prices, which is the point of a catalog users budget by."""
    entry = BUNDLE.models[0]
    definition = model_config_entry(entry)
    assert definition["id"] == entry.id
    assert definition["name"] == entry.name
    assert definition["reasoning"] == entry.reasoning
    assert definition["input"] == list(entry.input)
    assert definition["cost"] == entry.cost.to_json()
    assert definition["contextWindow"] == entry.context_window
    assert definition["maxTokens"] == entry.max_tokens


RETIRED_IDS = [  # their list in it("excludes retired models from the static fallback catalog")
    "gemini-3-pro-preview",
    "grok-41-fast",
    "kimi-k2-thinking",
    "minimax-m21",
    "mistral-31-24b",
    "qwen3-4b",
    "qwen3-coder-480b-a35b-instruct",
    "venice-uncensored",
]


@pytest.mark.parametrize("retired_id", RETIRED_IDS)
def test_excludes_retired_models_from_the_static_fallback_catalog(retired_id: str) -> None:
    """it("excludes retired models from the static fallback catalog"); ours goes further:
    the retired id still resolves, to its successor, with a notice."""
    assert retired_id not in {m.id for m in BUNDLE.models}
    resolution = BUNDLE.resolve(retired_id)
    assert resolution is not None and resolution.model.id != retired_id
    assert resolution.notice and retired_id in resolution.notice


@pytest.mark.parametrize(
    ("model_id", "replaced_by"),
    [
        ("zai-org-glm-4.6", "zai-org-glm-4.7"),
        ("google-gemma-3-27b-it", "google-gemma-4-31b-it"),
        ("kimi-k2-5", "kimi-k2-6"),
    ],
)
def test_keeps_only_immediate_predecessors_as_deprecated_compatibility_rows(
    server: LocalServer, tmp_path: Path, model_id: str, replaced_by: str
) -> None:
    """it("keeps only immediate predecessors as deprecated compatibility rows"): theirs reads
    the status from a manifest; ours from Venice's live ``deprecation`` field, so the row is
    tagged with its successor the day Venice says so."""
    row = make_model_row(model_id)
    row["model_spec"]["deprecation"] = {
        "date": "2026-12-31T00:00:00.000Z",
        "replacementModelId": replaced_by,
    }
    server.respond(answer(row, make_model_row(replaced_by)))
    model = found(discover(server, tmp_path), model_id)
    assert f"deprecated→{replaced_by}" in model.tags
    assert model.deprecation is not None and model.deprecation.replacement == replaced_by


def test_retries_transient_fetch_failures_before_succeeding(
    server: LocalServer, tmp_path: Path
) -> None:
    """it("retries transient fetch failures before succeeding") (ECONNRESET twice, then an
    answer). The newer TypeScript case it("uses the shared fallback after a transient fetch
    failure") gives up after one reset; we keep the retries (reference.md section 3)."""
    server.respond(
        in_turn(
            reset_before_headers(),
            reset_before_headers(),
            answer(make_model_row("llama-3.3-70b")),
        )
    )
    catalog = discover(server, tmp_path)
    assert len(server.requests) == 3
    assert catalog.source == "live" and [m.id for m in catalog.models] == ["llama-3.3-70b"]


def test_uses_api_max_completion_tokens_for_catalog_models_when_present(
    server: LocalServer, tmp_path: Path
) -> None:
    """it("uses API maxCompletionTokens for catalog models when present"), with the newer
    version's header checks: Accept is JSON and no Authorization is sent."""
    caps = {"supportsReasoning": False, "supportsVision": False, "supportsFunctionCalling": True}
    server.respond(
        answer(
            make_model_row(
                "zai-org-glm-4.7",
                available_context_tokens=131072,
                max_completion_tokens=2048,
                capabilities=caps,
            )
        )
    )
    assert found(discover(server, tmp_path), "zai-org-glm-4.7").max_tokens == 2048
    (request,) = server.requests
    assert request.headers["accept"] == "application/json"
    assert "authorization" not in request.headers


def test_uses_the_live_context_window_for_catalog_models(
    server: LocalServer, tmp_path: Path
) -> None:
    """it("uses the live context window for catalog models"): their qwen3-vl-235b-a22b at
    128000 is already our bundled size, so the smaller live value is shown on glm-4.7."""
    assert bundled("zai-org-glm-4.7").context_window > 128_000
    server.respond(answer(make_model_row("zai-org-glm-4.7", available_context_tokens=128_000)))
    assert found(discover(server, tmp_path), "zai-org-glm-4.7").context_window == 128_000


def test_bounds_a_catalog_max_tokens_value_to_a_smaller_live_context(
    server: LocalServer, tmp_path: Path
) -> None:
    """it("bounds a catalog maxTokens value to a smaller live context")."""
    model_id = "qwen3-coder-480b-a35b-instruct-turbo"
    assert bundled(model_id).max_tokens > 32_000
    server.respond(answer(make_model_row(model_id, available_context_tokens=32_000)))
    model = found(discover(server, tmp_path), model_id)
    assert model.context_window == 32_000
    assert model.max_tokens == 32_000


@pytest.mark.parametrize(
    "available_context_tokens", [None, 0, -1], ids=["omits", "returns zero for", "negative"]
)
def test_retains_static_limits_when_the_api_omits_or_gives_nonpositive_context(
    server: LocalServer, tmp_path: Path, available_context_tokens: int | None
) -> None:
    """it.each("retains static limits when the API %s availableContextTokens"): omits,
    returns zero for, returns a negative value for."""
    server.respond(
        answer(make_model_row("zai-org-glm-4.7", available_context_tokens=available_context_tokens))
    )
    model = found(discover(server, tmp_path), "zai-org-glm-4.7")
    static = bundled("zai-org-glm-4.7")
    assert (model.context_window, model.max_tokens) == (static.context_window, static.max_tokens)


def test_retains_catalog_max_tokens_when_the_api_omits_max_completion_tokens(
    server: LocalServer, tmp_path: Path
) -> None:
    """it("retains catalog maxTokens when the API omits maxCompletionTokens")."""
    caps = {"supportsReasoning": False, "supportsVision": False, "supportsFunctionCalling": True}
    model_id = "qwen3-235b-a22b-instruct-2507"
    server.respond(
        answer(make_model_row(model_id, available_context_tokens=131072, capabilities=caps))
    )
    assert found(discover(server, tmp_path), model_id).max_tokens == bundled(model_id).max_tokens


def test_keeps_tools_enabled_for_deepseek_v3_2(server: LocalServer, tmp_path: Path) -> None:
    """Newer it("keeps tools enabled for DeepSeek V3.2"); the older it("disables tools for
    catalog models that do not support function calling") said the opposite for the same
    model. Venice lists it with function calling, so tools stay on; the rule the older case
    stood for (a live ``supportsFunctionCalling: false`` turns them off) holds too."""
    assert bundled("deepseek-v3.2").supports_tools
    model = model_config_entry(bundled("deepseek-v3.2"))
    assert "supportsTools" not in model["compat"]
    server.respond(
        answer(make_model_row("deepseek-v3.2", capabilities={"supportsFunctionCalling": False}))
    )
    off = found(discover(server, tmp_path), "deepseek-v3.2")
    assert not off.supports_tools
    assert model_config_entry(off)["compat"]["supportsTools"] is False


def test_uses_a_conservative_bounded_max_tokens_value_for_new_models(
    server: LocalServer, tmp_path: Path
) -> None:
    """it("uses a conservative bounded maxTokens value for new models")."""
    caps = {"supportsReasoning": False, "supportsVision": False, "supportsFunctionCalling": False}
    server.respond(
        answer(
            make_model_row(
                "new-model-2026",
                available_context_tokens=50_000,
                max_completion_tokens=200_000,
                capabilities=caps,
            )
        )
    )
    model = found(discover(server, tmp_path), "new-model-2026")
    assert model.max_tokens == 50_000
    assert model.max_tokens <= model.context_window
    assert not model.supports_tools


def test_caps_new_model_max_tokens_to_the_fallback_context_window_when_context_is_missing(
    server: LocalServer, tmp_path: Path
) -> None:
    """it("caps new-model maxTokens to the fallback context window when API context is
    missing")."""
    caps = {"supportsReasoning": False, "supportsVision": False, "supportsFunctionCalling": True}
    server.respond(
        answer(
            make_model_row(
                "new-model-without-context", max_completion_tokens=200_000, capabilities=caps
            )
        )
    )
    model = found(discover(server, tmp_path), "new-model-without-context")
    assert model.context_window == 128_000
    assert model.max_tokens == 128_000


def test_ignores_missing_capabilities_on_partial_metadata(
    server: LocalServer, tmp_path: Path
) -> None:
    """it("ignores missing capabilities on partial metadata instead of aborting
    discovery")."""
    server.respond(
        answer(
            make_model_row(
                "zai-org-glm-4.7", available_context_tokens=131072, max_completion_tokens=2048
            ),
            make_model_row("new-model-partial", max_completion_tokens=2048),
        )
    )
    catalog = discover(server, tmp_path)
    assert len(catalog.models) != len(BUNDLE.models)
    assert found(catalog, "zai-org-glm-4.7").max_tokens == 2048
    partial = found(catalog, "new-model-partial")
    assert partial.context_window == 128_000
    assert partial.max_tokens == 2048
    assert partial.supports_tools  # theirs: compat.supportsTools undefined, i.e. not off
    assert "supportsTools" not in model_config_entry(partial)["compat"]


def test_keeps_known_models_discoverable_when_a_row_omits_model_spec(
    server: LocalServer, tmp_path: Path
) -> None:
    """it("keeps known models discoverable when a row omits model_spec")."""
    caps = {"supportsReasoning": False, "supportsVision": False, "supportsFunctionCalling": True}
    model_id = "qwen3-coder-480b-a35b-instruct-turbo"
    server.respond(
        answer(
            make_model_row(model_id, include_model_spec=False),
            make_model_row(
                "new-model-valid",
                available_context_tokens=32_000,
                max_completion_tokens=2_048,
                capabilities=caps,
            ),
        )
    )
    catalog = discover(server, tmp_path)
    assert len(catalog.models) != len(BUNDLE.models)
    assert found(catalog, model_id).max_tokens == bundled(model_id).max_tokens
    new = found(catalog, "new-model-valid")
    assert (new.context_window, new.max_tokens) == (32_000, 2048)


def test_falls_back_to_static_catalog_after_retry_budget_is_exhausted(
    server: LocalServer, tmp_path: Path
) -> None:
    """it("falls back to static catalog after retry budget is exhausted") (three attempts),
    and the newer it("falls back to static catalog after a discovery failure"): the ids are
    exactly the bundle's, in its order, and the user is told in one line."""
    calls: list[Request] = []

    def reset(request: Request) -> None:
        calls.append(request)
        reset_before_headers()(request)

    server.respond(reset)
    warnings: list[str] = []
    catalog = discover(server, tmp_path, warnings)
    assert len(calls) == 3
    assert catalog.source == "bundled"
    assert [m.id for m in catalog.models] == [m.id for m in BUNDLE.models]
    assert len(warnings) == 1 and "\n" not in warnings[0] and "bundled" in warnings[0]
