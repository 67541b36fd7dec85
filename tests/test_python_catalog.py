"""The Python API sees what the CLI sees (issue 22, item 4): ``VeniceChat`` and
``VeniceProvider`` resolve model ids in the catalog the ``openclaw`` command lists (live
``/models``, cached, bundled, the config applied) unless given one. The live list marks
llama-3.3-70b without function calling (as Venice did for hermes-3-llama-3.1-405b in the
capture ``models-text-2026-02.json``): the tools stay out of the request sent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from openclaw_venice import VeniceProvider
from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.runtime.ai import Context, Tool, UserMessage
from tests.support import venice_wire
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request, json_reply

MODEL = "venice/llama-3.3-70b"
READ = Tool("read_file", "Read a file", {"type": "object", "properties": {}})
ASK = Context(messages=[UserMessage("hi")], tools=[READ])
ROW = {
    "id": "llama-3.3-70b",
    "type": "text",
    "model_spec": {
        "availableContextTokens": 128000,
        "capabilities": {"supportsFunctionCalling": False, "supportsVision": False},
        "pricing": {"input": {"usd": 0.7}, "output": {"usd": 2.8}},
        "privacy": "private",
    },
}


def venice(server: LocalServer) -> None:
    def respond(request: Request) -> Reply:
        if request.path.endswith("/models"):
            return json_reply({"object": "list", "data": [ROW]})
        return venice_wire.stream_reply(venice_wire.text_stream("ok"))

    server.respond(respond)


def sent(server: LocalServer) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in server.requests if r.path.endswith("/completions")]


def listings(server: LocalServer) -> int:
    return sum(r.path.endswith("/models") for r in server.requests)


def test_the_bundle_offers_tools_for_the_model() -> None:
    """What would go wrong without the live list: the bundled record takes tools."""
    found = load_bundle().resolve("llama-3.3-70b")
    assert found is not None and found.model.supports_tools


def test_venice_chat_keeps_tools_from_a_model_the_live_list_marks_without_them(
    server: LocalServer,
) -> None:
    venice(server)
    warnings: list[str] = []
    with VeniceChat(CANARY, base_url=server.url + "/api/v1", warn=warnings.append) as chat:
        assert chat.complete_sync(MODEL, ASK).text == "ok"
        assert chat.complete_sync(MODEL, ASK).text == "ok"
    bodies = sent(server)
    assert len(bodies) == 2 and all("tools" not in body for body in bodies)
    assert listings(server) == 1  # loaded once, on the first turn
    assert any("does not support tools" in w for w in warnings)


def test_a_given_catalog_is_used_as_is(server: LocalServer) -> None:
    venice(server)
    with VeniceChat(CANARY, base_url=server.url + "/api/v1", catalog=load_bundle()) as chat:
        assert chat.complete_sync(MODEL, ASK).text == "ok"
    assert listings(server) == 0 and "tools" in sent(server)[0]


def test_the_provider_and_the_config_file_too(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch, isolated_env: dict[str, str]
) -> None:
    """The config file's rows apply as the host applies them: a row turning tools off for a
    model the live list gives tools to keeps them out as well."""
    venice(server)
    row = {**ROW, "model_spec": {**ROW["model_spec"], "capabilities": {}}}  # tools on, live
    server.respond(
        lambda request: (
            json_reply({"object": "list", "data": [row]})
            if request.path.endswith("/models")
            else venice_wire.stream_reply(venice_wire.text_stream("ok"))
        )
    )
    config = Path(isolated_env["OPENCLAW_STATE_DIR"]) / "openclaw.json"
    config.parent.mkdir(parents=True, exist_ok=True)
    entry = {"id": "llama-3.3-70b", "name": "Llama", "compat": {"supportsTools": False}}
    config.write_text(json.dumps({"models": {"providers": {"venice": {"models": [entry]}}}}))
    monkeypatch.setenv("VENICE_API_KEY", CANARY)
    monkeypatch.setenv("VENICE_BASE_URL", server.url + "/api/v1")
    with VeniceProvider() as provider:
        assert provider.complete_sync(MODEL, ASK).text == "ok"
    assert listings(server) == 1 and "tools" not in sent(server)[0]


def test_a_refresh_merges_the_answer_once(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``models list --refresh`` / ``models refresh``: the live answer is decoded once and
    merged into the bundle once; what the cache listed before is compared by id, not merged
    (or decoded) again."""
    import asyncio

    from openclaw_venice import discovery, live_catalog
    from openclaw_venice.runtime.plugins import ProviderContext

    venice(server)
    merges: list[int] = []
    real = live_catalog.merge_catalog
    monkeypatch.setattr(
        live_catalog, "merge_catalog", lambda *a, **k: merges.append(1) or real(*a, **k)
    )
    decodes: list[int] = []
    parse = discovery.parse_models_body
    monkeypatch.setattr(
        discovery, "parse_models_body", lambda body: decodes.append(1) or parse(body)
    )
    config = {"baseUrl": server.url + "/api/v1"}
    ctx = ProviderContext(config, {}, tmp_path, True, lambda message: None)
    first = asyncio.run(live_catalog.text_catalog(ctx, server.url + "/api/v1", None))
    second = asyncio.run(live_catalog.text_catalog(ctx, server.url + "/api/v1", None))
    assert (first.previous_ids, second.previous_ids) == (None, frozenset({"llama-3.3-70b"}))
    assert [m.id for m in second.models] == ["llama-3.3-70b"] and len(merges) == 2
    assert len(decodes) == 2 and listings(server) == 2  # one decode per answer fetched
