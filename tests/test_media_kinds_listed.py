"""`openclaw models list --type KIND` covers every kind Venice lists (issue 25, item 6): image,
embedding, tts, asr, video, music, upscale, inpaint, with limits and prices in `--json`; live
from `GET /models?type=KIND`, offline from the bundle, which holds Venice's own snapshot of
every model (tests/data/venice-api/static-models-2026-08.json); a second plugin's models of a
kind are listed beside Venice's, the host naming no provider."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import VENICE_DATA, run_cli
from tests.support.dists import STUDIO, install, path_env
from tests.support.server import LocalServer, Reply, Request, json_reply

KINDS = ("image", "embedding", "tts", "asr", "video", "music", "upscale", "inpaint")
SNAPSHOT = json.loads((VENICE_DATA / "static-models-2026-08.json").read_text())


def snapshot(kind: str) -> dict[str, dict[str, Any]]:
    return {row["id"]: row["model_spec"] for row in SNAPSHOT if row["type"] == kind}


def test_every_kind_venice_lists_has_a_type() -> None:
    listed = {row["type"] for row in SNAPSHOT} - {"text"}
    assert listed == set(KINDS)
    result = run_cli("models", "list", "--type", "sound")
    assert result.code == 2
    line = result.stderr.splitlines()[-1]
    assert line.startswith("Error: argument --type: invalid choice: 'sound' (choose from ")
    offered = line.partition("(choose from ")[2].partition(")")[0].replace("'", "").split(", ")
    assert offered == ["text", *KINDS]  # quoted or not, as the Python version writes them


@pytest.mark.parametrize("kind", [k for k in KINDS if k not in ("image", "embedding")])
def test_offline_the_bundle_lists_venices_snapshot_with_prices(kind: str) -> None:
    result = run_cli("models", "list", "--type", kind, "--json")
    assert result.code == 0, result.output
    assert result.stderr.startswith(f"warning: Venice {kind} model discovery failed")
    payload = json.loads(result.stdout)
    assert payload["type"] == kind and payload["sources"] == {"venice": "bundled"}
    models = {m["id"]: m for m in payload["models"]}
    expected = snapshot(kind)
    assert set(models) == set(expected)
    for model_id, spec in expected.items():
        shown = models[model_id]
        assert shown["type"] == kind and shown["name"] == spec["name"]
        assert shown["privacy"] == spec["privacy"]
        assert shown["pricing"] == spec.get("pricing", {})
        assert shown["limits"] == ({"voices": spec["voices"]} if "voices" in spec else {})
        assert ("deprecated" in shown["tags"]) == ("deprecation" in spec)
    assert payload["defaults"]["venice"] in models


@pytest.mark.parametrize("kind", ["image", "embedding"])
def test_offline_image_and_embedding_models_carry_snapshot_prices(kind: str) -> None:
    payload = json.loads(run_cli("models", "list", "--type", kind, "--json").stdout)
    expected = snapshot(kind)
    assert payload["models"]
    for model in payload["models"]:
        assert model["pricing"] == expected[model["id"]]["pricing"], model["id"]


TTS_ROWS = [
    {
        "id": "tts-kokoro",
        "object": "model",
        "owned_by": "venice.ai",
        "type": "tts",
        "model_spec": {
            "name": "Kokoro Text to Speech",
            "privacy": "private",
            "pricing": {"input": {"usd": 3.5, "diem": 3.5}},
            "voices": ["af_sky", "bm_lewis"],
            "constraints": {"maxInputCharacters": 4096},
            "traits": [],
        },
    },
    {
        "id": "tts-new",
        "object": "model",
        "owned_by": "venice.ai",
        "type": "tts",
        "model_spec": {"name": "New Voice", "privacy": "anonymized", "deprecation": {"date": "x"}},
    },
]


def models_only(request: Request) -> Reply | None:
    if request.path.endswith("/models") and request.query.get("type") == ["tts"]:
        return json_reply({"object": "list", "type": "tts", "data": TTS_ROWS})
    return json_reply({"error": "not found"}, 404)


def test_live_rows_give_limits_voices_and_prices(server: LocalServer) -> None:
    server.respond(models_only)
    env = {"VENICE_BASE_URL": server.url + "/api/v1"}
    result = run_cli("models", "list", "--type", "tts", env=env)
    assert result.code == 0, result.output
    rows = [line.split("  ") for line in result.stdout.splitlines()]
    cells = [[c.strip() for c in row if c.strip()] for row in rows]
    assert cells == [
        ["venice/tts-kokoro", "Kokoro Text to Speech", "private", "input $3.5", "default"],
        ["venice/tts-new", "New Voice", "anonymized", "-", "deprecated"],
    ]
    assert result.stderr.splitlines()[-1] == "venice: 2 tts models, live from the provider"
    (request,) = server.requests
    assert request.query == {"type": ["tts"]}
    assert "authorization" not in request.headers  # the listing is public
    payload = json.loads(run_cli("models", "list", "--type", "tts", "--json", env=env).stdout)
    assert payload["sources"] == {"venice": "cache"}  # the hour's cache, as for text models
    kokoro = payload["models"][0]
    assert kokoro["limits"] == {"maxInputCharacters": 4096, "voices": ["af_sky", "bm_lewis"]}
    assert kokoro["pricing"] == {"input": {"usd": 3.5, "diem": 3.5}}
    assert len(server.requests) == 1


@pytest.fixture
def studio(tmp_path: Path) -> dict[str, str]:
    demo = "demo = tests.support.demo_plugin:plugin"
    return path_env(install(tmp_path / "site", "studio-provider", f"{STUDIO}\n{demo}"))


def test_another_plugins_models_of_a_kind_are_listed_beside_venices(
    studio: dict[str, str],
) -> None:
    result = run_cli("models", "list", "--type", "tts", "--json", env=studio)
    assert result.code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["sources"] == {"studio": "bundled", "venice": "bundled"}
    narrator = next(m for m in payload["models"] if m["provider"] == "studio")
    assert narrator == {
        "ref": "studio/narrator",
        "id": "narrator",
        "name": "Narrator",
        "provider": "studio",
        "type": "tts",
        "privacy": "private",
        "limits": {"voices": ["Ada", "Lin"]},
        "pricing": {"perCharacter": {"credits": 0.001}},
        "tags": ["default"],
    }
    only = run_cli("models", "list", "--type", "tts", "--provider", "studio", env=studio)
    assert only.stdout.split() == ["studio/narrator", "Narrator", "private", "-", "default"]
    assert only.stderr.splitlines()[-1] == (
        "studio: 1 tts model, from the bundled list (provider not reached)"
    )
    refused = run_cli("models", "list", "--type", "video", "--provider", "demo", env=studio)
    assert refused.code == 1
    assert refused.stderr.splitlines()[-1] == (
        "Error: provider demo offers no lists of media models (providers that do: studio, venice)"
    )
