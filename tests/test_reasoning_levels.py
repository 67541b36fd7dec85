"""Reasoning levels (issue 11 item 6): every GPT-5-family tool turn follows the effort rule
of its profile (``effort_with_tools`` False: say ``none``), members whose levels
lack ``none`` included; a requested level that is dropped or changed is said once, in one
line, to the Python caller and on the CLI's stderr."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

import openclaw_venice
from openclaw_venice.catalog import load_bundle, merge_catalog
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.chat.options import StreamOptions
from openclaw_venice.chat.request import build_request
from openclaw_venice.runtime import cli
from openclaw_venice.runtime.ai import Context, ReasoningLevel, Tool, UserMessage
from openclaw_venice.runtime.catalog import ModelInfo
from openclaw_venice.runtime.host import Host
from tests.support import venice_wire
from tests.support.hygiene import CANARY
from tests.support.requests_schema import assert_valid_request
from tests.support.server import LocalServer, Reply, Request, json_reply

LEVELS: tuple[ReasoningLevel | None, ...] = (None, "off", "minimal", "low", "medium", "high",
                                             "xhigh")  # fmt: skip
READ = Tool("read", "Read a file", {"type": "object", "properties": {"path": {"type": "string"}}})
BUNDLE = load_bundle()
#: the bundle as written (the levels it lists for DeepSeek V4, which its profile drops)
BUNDLE_FILE = Path(openclaw_venice.__file__).parent / "data" / "catalog.json"
BUNDLED_ROWS = {e["id"]: e for e in json.loads(BUNDLE_FILE.read_text())["models"]}


def gpt5_family() -> list[ModelInfo]:
    """The bundle's GPT-5 models, and live rows unlike them: levels without ``none``, and
    ``supportsReasoningEffort`` with no levels at all (Venice's /models of 2026-03)."""
    members = [m for m in BUNDLE.models if not m.profile.effort_with_tools]
    rows = [
        {"id": "openai-gpt-52", "type": "text",
         "model_spec": {"capabilities": {"supportsFunctionCalling": True,
                                         "supportsReasoning": True,
                                         "supportsReasoningEffort": True}}},
        {"id": "openai-gpt-59-pro", "type": "text",
         "model_spec": {"capabilities": {"supportsFunctionCalling": True,
                                         "supportsReasoning": True,
                                         "supportsReasoningEffort": True,
                                         "reasoningEffortOptions": ["high", "max"]}}},
    ]  # fmt: skip
    live = merge_catalog(rows, BUNDLE, "live")
    return members + [m for m in live.models if m.id in ("openai-gpt-52", "openai-gpt-59-pro")]


def body(model: ModelInfo, level: ReasoningLevel | None, tools: bool, said: list[str]) -> Any:
    context = Context(messages=[UserMessage("hi")], tools=[READ] if tools else [])
    payload = build_request(model, context, StreamOptions(reasoning=level), warn=said.append)
    assert_valid_request(payload)
    return payload


def test_every_gpt5_tool_turn_says_effort_none_whatever_its_levels() -> None:
    family = gpt5_family()
    ids = {m.id for m in family}
    assert {"openai-gpt-55-pro", "openai-gpt-52", "openai-gpt-59-pro"} <= ids
    assert len(family) >= 15
    for model in family:
        assert model.supports_tools, model.id
        for level in LEVELS:
            said: list[str] = []
            assert body(model, level, True, said)["reasoning_effort"] == "none", (model.id, level)
            told = level not in (None, "off")
            assert said == ([f"{model.ref} takes no reasoning effort beside tools; tool turns run "
                             f"with effort none (not {level})"] if told else [])  # fmt: skip


def test_gpt5_turns_without_tools_keep_their_effort() -> None:
    luna = BUNDLE.find("openai-gpt-56-luna")
    assert luna is not None
    assert body(luna, "high", False, [])["reasoning_effort"] == "high"


@pytest.mark.parametrize(
    ("model_id", "level", "effort", "line"),
    [
        ("llama-3.3-70b", "high", None,
         "venice/llama-3.3-70b has no reasoning effort to set; reasoning level high ignored"),
        ("kimi-k2-6", "xhigh", "high",
         "venice/kimi-k2-6 takes reasoning effort low, medium, high; using high for xhigh"),
        ("kimi-k2-6", "minimal", "low",
         "venice/kimi-k2-6 takes reasoning effort low, medium, high; using low for minimal"),
        ("openai-gpt-55", "minimal", "low",
         "venice/openai-gpt-55 takes reasoning effort low, medium, high, xhigh; "
         "using low for minimal"),
    ],
)  # fmt: skip
def test_a_dropped_or_clamped_level_is_said_in_one_line(
    model_id: str, level: ReasoningLevel, effort: str | None, line: str
) -> None:
    model = BUNDLE.find(model_id)
    assert model is not None
    said: list[str] = []
    assert body(model, level, False, said).get("reasoning_effort") == effort
    assert said == [line]


def test_a_level_taken_as_is_or_off_says_nothing() -> None:
    checked = 0
    for model in BUNDLE.models:
        if model.profile.e2ee:
            continue  # refused before any level matters
        offered = (BUNDLED_ROWS[model.id].get("reasoningEffort") or {}).get("options") or []
        levels = ["off", *[o for o in offered if o in LEVELS and o not in ("off", "none")]]
        for level in levels:
            said: list[str] = []
            body(model, level, False, said)
            if level != "off" and "deepseek-v4" in model.id:  # takes no effort through Venice
                assert said == [f"{model.ref} has no reasoning effort to set; "
                                f"reasoning level {level} ignored"]  # fmt: skip
            else:
                assert said == [], (model.id, level, said)
            checked += 1
    assert checked > 100


# -- told once: the Python API over turns, and the CLI's stderr over a session -------------------


def answer(request: Request) -> Reply:
    if request.path.endswith("/models"):
        row = {"id": "kimi-k2-6", "type": "text", "model_spec": {"name": "Kimi K2.6"}}
        return json_reply({"object": "list", "data": [row]})
    return venice_wire.stream_reply(venice_wire.text_stream("ok"))


def test_the_python_caller_is_told_once_over_many_turns(server: LocalServer) -> None:
    server.respond(answer)
    said: list[str] = []
    context = Context(messages=[UserMessage("hi")], tools=[READ])
    options = StreamOptions(reasoning="xhigh")
    with VeniceChat(
        CANARY, base_url=server.url + "/api/v1", catalog=load_bundle(), warn=said.append
    ) as chat:
        for _ in range(3):
            chat.complete_sync("venice/openai-gpt-55-pro", context, options)
            chat.complete_sync("venice/kimi-k2-6", Context(messages=context.messages), options)
    efforts = [r.json()["reasoning_effort"] for r in server.requests]
    assert efforts == ["none", "high"] * 3
    assert said == [
        "venice/openai-gpt-55-pro takes no reasoning effort beside tools; tool turns run with "
        "effort none (not xhigh)",
        "venice/kimi-k2-6 takes reasoning effort low, medium, high; using high for xhigh",
    ]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_cli_says_it_once_in_a_session(server: LocalServer, tmp_path: Any) -> None:
    server.respond(answer)
    env = {
        "VENICE_BASE_URL": server.url + "/api/v1",
        "VENICE_API_KEY": CANARY,
        "OPENCLAW_STATE_DIR": str(tmp_path / "state"),
        "HOME": str(tmp_path),
    }
    out, err = io.StringIO(), io.StringIO()
    host = Host(env=env, stdout=out, stderr=err, stdin=Terminal("one\ntwo\nthree\n"))
    code = cli.main(["chat", "-m", "venice/kimi-k2-6", "--thinking", "xhigh"], host)
    assert code == 0, err.getvalue()
    # each on its own line; the session's "> " prompt (stderr, no echo here) may precede it
    warnings = re.findall(r"warning: .*", err.getvalue())
    assert warnings == [
        "warning: venice/kimi-k2-6 takes reasoning effort low, medium, high; using high for xhigh"
    ]
    bodies = [json.loads(r.body) for r in server.requests if r.path.endswith("/completions")]
    assert [b["reasoning_effort"] for b in bodies] == ["high"] * 3
    assert out.getvalue() == "ok\nok\nok\n"
