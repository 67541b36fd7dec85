"""Discovery against every real ``/models`` answer in tests/data/venice-api, served locally."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from openclaw_venice.provider import VeniceProvider
from openclaw_venice.runtime.plugins import ProviderContext
from tests.conftest import VENICE_DATA
from tests.support.server import LocalServer, Request, json_reply

SNAPSHOTS = ["models-text-2026-02.json", "models-text-2026-03.json", "static-models-2026-08.json"]


def load_rows(name: str) -> list[dict[str, Any]]:
    payload = json.loads((VENICE_DATA / name).read_text())
    return payload["data"] if isinstance(payload, dict) else payload


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_every_live_text_row_becomes_one_sane_model(
    name: str, server: LocalServer, tmp_path: Path
) -> None:
    rows = load_rows(name)

    def venice(request: Request) -> Any:  # Venice filters by ?type= itself
        wanted = request.query.get("type", [None])[0]
        return json_reply({"object": "list", "data": [r for r in rows if r.get("type") == wanted]})

    server.respond(venice)
    ctx = ProviderContext(config={"baseUrl": server.url}, env={}, cache_dir=tmp_path)
    catalog = VeniceProvider().catalog(ctx)
    text_rows = [r for r in rows if r.get("type") == "text"]
    assert catalog.source == "live"
    assert [m.id for m in catalog.models] == [r["id"] for r in text_rows]
    for r, model in zip(text_rows, catalog.models, strict=True):
        spec = r["model_spec"]
        assert model.name and model.privacy == spec["privacy"], r["id"]
        assert "text" in model.input
        assert ("image" in model.input) == bool(spec["capabilities"].get("supportsVision"))
        assert 0 < model.max_tokens <= model.context_window
        limit = spec.get("maxCompletionTokens")
        if limit:
            assert model.max_tokens <= limit
        if spec["capabilities"].get("supportsFunctionCalling") is False:
            assert not model.supports_tools
        assert model.cost.input >= 0 and model.cost.output >= 0
        assert ("e2ee" in model.tags) == (
            r["id"].startswith("e2ee-") or bool(spec["capabilities"].get("supportsE2EE"))
        )
