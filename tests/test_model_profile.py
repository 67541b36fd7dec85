"""Per-model behaviour is a typed profile on the model record (issue 26 item 1), decided once
when Venice's catalog builds the record: from the catalog's own fields (reasoning efforts,
E2EE) and the model's family. The chat code reads the profile and tests no model ids."""

from __future__ import annotations

import re
from pathlib import Path

import openclaw_venice
from openclaw_venice.catalog import load_bundle, merge_catalog
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.chat.options import StreamOptions
from openclaw_venice.chat.request import build_request
from openclaw_venice.runtime.ai import Context, Tool, UserMessage
from openclaw_venice.runtime.catalog import ModelInfo, ModelProfile

BUNDLE = load_bundle()
CHAT = Path(openclaw_venice.__file__).parent / "chat"


def row(model_id: str, **caps: object) -> dict[str, object]:
    spec = {"name": model_id, "capabilities": {"supportsFunctionCalling": True, **caps}}
    return {"id": model_id, "type": "text", "model_spec": spec}


def live(*rows: dict[str, object]) -> dict[str, ModelInfo]:
    return {m.id: m for m in merge_catalog(list(rows), BUNDLE, "live").models}


def test_a_plain_model_has_the_default_profile() -> None:
    assert live(row("acme-chat-9"))["acme-chat-9"].profile == ModelProfile()


def test_the_catalog_fields_land_in_the_profile() -> None:
    models = live(
        row("new-thinker", supportsReasoning=True, supportsReasoningEffort=True,
            reasoningEffortOptions=["low", "high", 7]),
        row("new-sealed", supportsE2EE=True),
        row("new-default-levels", supportsReasoningEffort=True),
    )  # fmt: skip
    assert models["new-thinker"].profile.reasoning_efforts == ("low", "high")
    assert models["new-sealed"].profile.e2ee and "e2ee" in models["new-sealed"].tags
    assert models["new-default-levels"].profile.reasoning_efforts == ("low", "medium", "high")


def test_the_families_get_their_behaviour_from_the_profile() -> None:
    models = live(
        row("grok-9-fast"),
        row("deepseek-v4-flash-0731", supportsReasoningEffort=True,
            reasoningEffortOptions=["max"]),
        row("gemini-3-5-pro"),
        row("gemini-30-pro"),
        row("openai-gpt-59", supportsReasoningEffort=True),
        row("qwq-64b", supportsReasoning=True),
        row("e2ee-new-model"),
    )  # fmt: skip
    grok = models["grok-9-fast"].profile
    assert (grok.tool_schema, grok.tool_arguments) == ("xai", "html-entities")
    deepseek = models["deepseek-v4-flash-0731"].profile
    assert deepseek.replay == "reasoning-content" and deepseek.reasoning_efforts == ()
    assert models["gemini-3-5-pro"].profile.replay == "thought-signatures"
    assert models["gemini-30-pro"].profile.replay == "openai"  # not Gemini 3
    assert models["openai-gpt-59"].profile.effort_with_tools is False
    assert models["qwq-64b"].profile.think_tags == "opened"
    assert models["e2ee-new-model"].profile.e2ee


def test_a_known_model_keeps_its_bundled_profile_when_the_live_row_says_less() -> None:
    bundled = next(m for m in BUNDLE.models if m.profile.reasoning_efforts)
    merged = live(row(bundled.id))[bundled.id]
    assert merged.profile == bundled.profile


def test_the_profile_decides_the_request_not_the_id() -> None:
    """A record named like Grok but profiled otherwise gets the plain tool schema, and a
    record of another name profiled ``xai`` gets xAI's: the request builder reads the
    profile (the id decides only a record that has none)."""
    tool = Tool("t", "T", {"type": "object", "properties": {"s": {"type": "string",
                                                                  "minLength": 1}}})  # fmt: skip
    context = Context(messages=[UserMessage("hi")], tools=[tool])
    profile = ModelProfile(think_tags="opened")  # not the default: the id decides nothing
    plain = ModelInfo("grok-lookalike", "G", "venice", profile=profile)
    xai = plain._replace(id="acme-9", profile=ModelProfile(tool_schema="xai"))
    sent = [build_request(m, context, StreamOptions())["tools"][0] for m in (plain, xai)]
    assert "minLength" in str(sent[0]) and "minLength" not in str(sent[1])


def test_a_record_made_outside_the_catalog_gets_the_profile_its_id_implies() -> None:
    """A model only the config file lists (the host's overlay makes it with the default
    profile), or one built by hand: the session profiles it before the turn."""
    chat = VeniceChat("k" * 32, base_url="http://127.0.0.1:9/api/v1", catalog=BUNDLE)
    record, _ = chat.resolve_model(ModelInfo("grok-9-custom", "Mine", "venice"))
    assert record.profile.tool_schema == "xai"
    mine = ModelInfo("acme", "Mine", "venice", profile=ModelProfile(replay="reasoning-content"))
    assert chat.resolve_model(mine)[0] is mine  # a profile given is kept


def test_no_chat_module_tests_a_model_id() -> None:
    """The family rules live in ``profiles.py`` alone."""
    family = r"""["'](grok|gemini-3|deepseek|openai-gpt-5|qwq|e2ee-|thinking-)[^"' ]*["']"""
    families = re.compile(rf"{family}\s+in\b|startswith\(\s*\(?{family}")
    assert families.search('if "grok" in model.id.lower():')  # what it looks for
    assert families.search("model_id.startswith('gemini-3')")
    offenders = [
        f"{path.name}:{n}"
        for path in sorted(CHAT.glob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if families.search(line)
    ]
    assert offenders == []
