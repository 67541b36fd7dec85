"""Venice's model suffix (``id:key=value&...``) is sent once (issue 11 item 1).

The host hands the model id over as the user wrote it and parses none of Venice's syntax;
the provider resolves the id and sends the suffix once: from the CLI, through an alias, and
through the Python API with a record, a string and a renamed id.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from openclaw_venice import VeniceProvider
from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.runtime import cli
from openclaw_venice.runtime.ai import ChatSettings, Context, StreamEvent, UserMessage
from openclaw_venice.runtime.catalog import Catalog, ModelInfo
from openclaw_venice.runtime.host import Host
from openclaw_venice.runtime.plugins import AuthMethod, ChatFlag, ProviderContext, Registry
from tests.conftest import run_cli
from tests.support import venice_wire
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request, json_reply

SUFFIXED = "kimi-k2-6:enable_web_search=on"
ROWS = [
    {"id": "kimi-k2-6", "type": "text", "model_spec": {"name": "Kimi K2.6"}},
    {"id": "claude-opus-4-5", "type": "text", "model_spec": {"name": "Claude Opus 4.5"}},
]


def venice(server: LocalServer) -> dict[str, str]:
    def respond(request: Request) -> Reply:
        if request.path.endswith("/models"):
            return json_reply({"object": "list", "data": ROWS})
        return venice_wire.stream_reply(venice_wire.text_stream("ok"))

    server.respond(respond)
    return {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}


def sent_models(server: LocalServer) -> list[str]:
    return [r.json()["model"] for r in server.requests if r.path.endswith("/chat/completions")]


# -- the CLI ------------------------------------------------------------------------------------


def test_the_cli_sends_the_suffix_once(server: LocalServer) -> None:
    env = venice(server)
    result = run_cli("chat", "-m", f"venice/{SUFFIXED}", "hi", env=env)
    assert result.code == 0, result.output
    assert result.stdout == "ok\n"
    assert sent_models(server) == [SUFFIXED]


def test_an_alias_for_a_suffixed_ref_sends_it_once(server: LocalServer, tmp_path: Path) -> None:
    env = venice(server)
    config = tmp_path / "openclaw.json"
    models = {f"venice/{SUFFIXED}": {"alias": "search"}}
    config.write_text(json.dumps({"agents": {"defaults": {"models": models}}}))
    result = run_cli("chat", "-m", "search", "hi", env={**env, "OPENCLAW_CONFIG_PATH": str(config)})
    assert result.code == 0, result.output
    assert sent_models(server) == [SUFFIXED]


def test_an_unknown_model_with_a_suffix_is_one_line(server: LocalServer) -> None:
    env = venice(server)
    result = run_cli("chat", "-m", "venice/kimi-k2-66:enable_web_search=on", "hi", env=env)
    assert result.code != 0
    assert result.stderr.strip().splitlines() == [
        "Error: unknown model venice/kimi-k2-66; did you mean venice/kimi-k2-6?"
    ]
    assert sent_models(server) == []


# -- the host knows no suffix --------------------------------------------------------------------


@dataclass
class RecordingSession:
    seen: list[Any] = field(default_factory=list)

    async def _events(self) -> AsyncIterator[StreamEvent]:
        yield StreamEvent("start")

    def stream(
        self, model: ModelInfo | str, context: Context, settings: ChatSettings
    ) -> AsyncIterator[StreamEvent]:
        self.seen.append(model)
        return self._events()

    async def aclose(self) -> None:
        pass


class OtherProvider:
    """A chat provider with ids unlike Venice's: what they may hold is its business."""

    id = "other"
    label = "Other"
    env_vars: Sequence[str] = ("OTHER_KEY",)
    default_base_url = "http://127.0.0.1:9"
    api = "openai-completions"
    auth_methods = (AuthMethod("api-key", "other-key", "Other key", "--other-key", "OTHER_KEY",
                               "other:default"),)  # fmt: skip
    default_model: str | None = None
    chat_flags: Sequence[ChatFlag] = ()

    def __init__(self) -> None:
        self.session = RecordingSession()
        self.catalogs: list[Catalog | None] = []

    def base_url(self, ctx: ProviderContext) -> str:
        return self.default_base_url

    def onboarding_config(self, existing: Any, catalog: Catalog, api_key_ref: str) -> Any:
        return {}

    def bundled_catalog(self) -> Catalog:
        return Catalog("other", "bundled", (ModelInfo("m1", "M1", "other"),))

    def catalog(self, ctx: ProviderContext) -> Catalog:
        return self.bundled_catalog()

    def chat(self, ctx: ProviderContext, api_key: Any, catalog: Catalog | None = None) -> Any:
        self.catalogs.append(catalog)
        return self.session


@pytest.mark.parametrize(
    "written",
    ["m1:enable_web_search=on", "m1:a=b:c&d=", "not-listed:x=1", "m1@v2", "m1:"],
)
def test_the_host_hands_the_model_id_over_as_written(written: str, tmp_path: Path) -> None:
    provider = OtherProvider()
    registry = Registry(providers={"other": provider})
    env = {"OTHER_KEY": "k", "OPENCLAW_STATE_DIR": str(tmp_path)}
    out, err = io.StringIO(), io.StringIO()
    host = Host(env=env, stdout=out, stderr=err, registry=registry, stdin=io.StringIO())
    assert cli.main(["chat", "-m", f"other/{written}", "hi"], host) == 0, err.getvalue()
    assert provider.session.seen == [written]
    catalog = provider.catalogs[0]
    assert catalog is not None and [m.id for m in catalog.models] == ["m1"]


def test_nothing_under_runtime_reads_venice_suffix_syntax() -> None:
    """Belt and braces beside the test above: no ``:`` partitioning of model ids, and no
    Venice words, in the host's sources."""
    root = Path(__file__).parent.parent / "openclaw_venice" / "runtime"
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "key=value" not in text and "enable_web_search" not in text, path
        for line in text.splitlines():
            if "model" in line.lower():
                assert 'partition(":")' not in line and 'split(":")' not in line, (path, line)


# -- the Python API ------------------------------------------------------------------------------


def answer(request: Request) -> Reply:
    if request.json().get("stream"):
        return venice_wire.stream_reply(venice_wire.text_stream("ok"))
    return json_reply(venice_wire.completion("ok"))


def test_python_api_sends_the_suffix_once(server: LocalServer) -> None:
    server.respond(answer)
    record = load_bundle().find("kimi-k2-6")
    assert record is not None
    context = Context(messages=[UserMessage("hi")])
    with VeniceChat(CANARY, base_url=server.url + "/api/v1", catalog=load_bundle()) as chat:
        chat.complete_sync(record, context)  # a record
        chat.complete_sync(f"venice/{SUFFIXED}", context)  # a ref with the suffix
        chat.complete_sync(SUFFIXED, context)  # an id with the suffix
        chat.complete_sync(SUFFIXED, context, stream=False)
        # a renamed id (an alias of the record) resolves, and keeps its suffix, once
        chat.complete_sync("claude-opus-45:enable_web_search=on", context)
        # a record made for a suffixed id (as older hosts did): still once
        chat.complete_sync(ModelInfo(SUFFIXED, "Kimi", "venice", supports_tools=True), context)
    assert sent_models(server) == [
        "kimi-k2-6",
        SUFFIXED,
        SUFFIXED,
        SUFFIXED,
        "claude-opus-4-5:enable_web_search=on",
        SUFFIXED,
    ]


def test_the_provider_api_sends_the_suffix_once(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VENICE_API_KEY", CANARY)
    monkeypatch.setenv("VENICE_BASE_URL", server.url + "/api/v1")
    server.respond(lambda r: venice_wire.stream_reply(venice_wire.text_stream("ok")))
    provider = VeniceProvider()
    context = Context(messages=[UserMessage("hi")])

    async def turns() -> None:
        await provider.complete(f"venice/{SUFFIXED}", context)
        async for _ in provider.stream(SUFFIXED, context):
            pass
        await provider.client().aclose()

    asyncio.run(turns())
    assert sent_models(server) == [SUFFIXED, SUFFIXED]
