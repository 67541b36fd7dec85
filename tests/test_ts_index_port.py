"""The TypeScript plugin's own tests, as ours (issue 11 item 12).

Source: openclaw/openclaw ``extensions/venice/index.test.ts`` (the request-shaping cases)
and what its provider code does for Venice on replay (``extensions/venice/stream.ts``:
``createVeniceStreamWrapper``, ``applyVeniceGeminiToolHistoryCompatibility``). Each test
names the TypeScript case it mirrors. The TypeScript tests patch a payload its generic
transport built; ours build the payload from the same conversation with
:func:`build_request` and check the body Venice would get. Every body is also checked
against Venice's spec and the OpenAI conversation rules (``assert_valid_request``).

Not ported, because they shape no request: "registers the image and video generation
providers alongside the text provider" and "registers provider-owned usage hooks" (the
host's capabilities, issue 17).
"""

from __future__ import annotations

import json
from typing import Any

from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.options import StreamOptions
from openclaw_venice.chat.request import build_request
from openclaw_venice.runtime.ai import (
    AssistantMessage,
    Context,
    Message,
    TextPart,
    Tool,
    ToolCallPart,
    ToolResultMessage,
    UserMessage,
)
from openclaw_venice.runtime.catalog import ModelInfo
from tests.support.requests_schema import assert_valid_request

BUNDLE = load_bundle()


def model(model_id: str) -> ModelInfo:
    found = BUNDLE.find(model_id)
    assert found is not None, model_id
    return found


GEMINI_3 = model("gemini-3-6-flash")  # the model of the TypeScript cases
# not in Venice's catalog any more; the TypeScript case uses it as "Gemini, not 3"
GEMINI_25 = ModelInfo("gemini-2.5-flash", "Gemini 2.5 Flash", "venice", supports_tools=True)


def body(target: ModelInfo, messages: list[Message], **options: Any) -> dict[str, Any]:
    payload = build_request(target, Context(messages=messages), StreamOptions(**options))
    assert_valid_request(payload)
    return payload


def signed_call(call_id: str, name: str, args: str = "{}", sig: str | None = None) -> ToolCallPart:
    return ToolCallPart(call_id, name, json.loads(args), args, thought_signature=sig)


def turn(*calls: ToolCallPart, model_id: str = "gemini-3-6-flash", provider: str = "venice",
         text: str = "") -> AssistantMessage:  # fmt: skip
    parts: list[Any] = [TextPart(text)] if text else []
    return AssistantMessage([*parts, *calls], "toolUse", model=model_id, provider=provider)


def result(call_id: str, name: str, text: str) -> ToolResultMessage:
    return ToolResultMessage(call_id, name, [TextPart(text)])


# -- "applies the shared xAI compat patch to Grok-backed Venice models only" -------------------

LIMITED = Tool(
    "search",
    "Search",
    {
        "type": "object",
        "properties": {
            "q": {"type": "string", "minLength": 1, "maxLength": 200},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 5,
                     "contains": {"const": "x"}, "minContains": 1, "maxContains": 2},
        },
    },
)  # fmt: skip
XAI_KEYWORDS = {"minLength", "maxLength", "minItems", "maxItems", "minContains", "maxContains"}


def keywords(schema: Any) -> set[str]:
    if isinstance(schema, dict):
        return set(schema) | {k for v in schema.values() for k in keywords(v)}
    if isinstance(schema, list):
        return {k for v in schema for k in keywords(v)}
    return set()


def tool_parameters(target: ModelInfo) -> Any:
    context = Context(messages=[UserMessage("find x")], tools=[LIMITED])
    payload = build_request(target, context, StreamOptions())
    assert_valid_request(payload)
    return payload["tools"][0]["function"]["parameters"]


def test_xai_compat_patch_strips_schema_keywords_for_grok_models_only() -> None:
    """The unsupportedToolSchemaKeywords half; the toolCallArgumentsEncoding:
    "html-entities" half is tests/test_grok_arguments.py (decoding on answers)."""
    for grok in ("grok-4-20", "grok-4-6", "grok-build-0-1"):
        assert not keywords(tool_parameters(model(grok))) & XAI_KEYWORDS, grok
    kept = tool_parameters(model("qwen3-coder-480b-a35b-instruct-turbo"))
    assert keywords(kept) >= XAI_KEYWORDS
    assert kept == LIMITED.parameters  # "toBeUndefined()": nothing about it is patched


# -- "fills missing DeepSeek V4 reasoning_content on Venice replay turns" ----------------------


def test_deepseek_v4_replay_turns_carry_reasoning_content_and_no_effort() -> None:
    for model_id in ("deepseek-v4-pro", "deepseek-v4-flash"):
        history: list[Message] = [
            UserMessage("read it"),
            AssistantMessage([signed_call("call_1", "read")], "toolUse"),
            ToolResultMessage("call_1", "read", "text"),
            AssistantMessage([TextPart("done")]),
            UserMessage("again"),
        ]
        payload = body(model(model_id), history, reasoning="high")
        assistants = [m for m in payload["messages"] if m["role"] == "assistant"]
        assert [a["reasoning_content"] for a in assistants] == ["", ""]
        assert assistants[0]["tool_calls"][0]["function"] == {"name": "read", "arguments": "{}"}
        assert assistants[1]["content"] == "done"
        # the TypeScript wrapper deletes thinking, reasoning and reasoning_effort
        assert not {"thinking", "reasoning", "reasoning_effort"} & set(payload)


# -- "replays Gemini signatures and downgrades foreign tool history to text" -------------------


def test_gemini_signatures_replay_on_the_same_route() -> None:
    history: list[Message] = [
        UserMessage("echo"),
        turn(signed_call("call_1", "echo_value", '{"value":"repro"}', "SIG-VENICE-OPAQUE-ABC==")),
        result("call_1", "echo_value", "ok"),
    ]
    messages = body(GEMINI_3, history)["messages"]
    assert messages[0] == {"role": "user", "content": "echo"}
    call = messages[1]["tool_calls"][0]
    assert call == {
        "id": "call_1",
        "type": "function",
        "function": {"name": "echo_value", "arguments": '{"value":"repro"}'},
        "thought_signature": "SIG-VENICE-OPAQUE-ABC==",
    }
    assert "extra_content" not in call  # Venice's top-level field, not Google's nested one
    # we deliberately keep ``name`` on tool messages (some upstreams pair results by it)
    assert messages[2] == {"role": "tool", "tool_call_id": "call_1", "name": "echo_value",
                           "content": "ok"}  # fmt: skip


def test_gemini_foreign_route_tool_history_becomes_text() -> None:
    """The TypeScript case's cross-route turn is Google's own API (provider "google"); the
    same for a turn of another Venice model, whose signature Gemini did not issue."""
    for foreign in (
        turn(signed_call("call_1", "echo_value", sig="SIG-CROSS-ROUTE"), provider="google"),
        turn(signed_call("call_1", "echo_value", sig="SIG-OTHER"), model_id="gemini-3-5-flash"),
    ):
        history: list[Message] = [
            UserMessage("echo"),
            foreign,
            result("call_1", "echo_value", "ok"),
        ]
        messages = body(GEMINI_3, history)["messages"]
        assert messages[1]["role"] == "assistant"
        assert messages[1]["content"] == "[Historical tool call: echo_value({})]"
        assert "tool_calls" not in messages[1] and "thought_signature" not in json.dumps(messages)
        assert messages[2] == {
            "role": "user",
            "content": "[Historical tool result for echo_value:\nok]",
        }
        assert "tool_call_id" not in messages[2]


# -- "downgrades mixed signed and unsigned Gemini tool batches to text history" ---------------


def test_gemini_mixed_signed_and_unsigned_batch_becomes_text() -> None:
    history: list[Message] = [
        turn(
            signed_call("foreign_call", "web_fetch"),
            signed_call("legacy_call", "read"),
            signed_call("signed_call", "read", sig="SIG-EXACT-SAME-ROUTE=="),
        ),
        result("foreign_call", "web_fetch", "foreign result"),
        result("legacy_call", "read", "legacy result"),
        result("signed_call", "read", "signed result"),
        UserMessage("current prompt"),
    ]
    messages = body(GEMINI_3, history)["messages"]
    assert messages[0]["role"] == "assistant" and "tool_calls" not in messages[0]
    assert messages[0]["content"].startswith("[Historical tool call: web_fetch(")
    assert messages[0]["content"].splitlines() == [
        "[Historical tool call: web_fetch({})]",
        "[Historical tool call: read({})]",
        "[Historical tool call: read({})]",
    ]
    assert messages[1:4] == [
        {"role": "user", "content": "[Historical tool result for web_fetch:\nforeign result]"},
        {"role": "user", "content": "[Historical tool result for read:\nlegacy result]"},
        {"role": "user", "content": "[Historical tool result for read:\nsigned result]"},
    ]
    assert messages[4] == {"role": "user", "content": "current prompt"}


def test_a_downgraded_turn_keeps_its_text_before_the_calls() -> None:
    history: list[Message] = [
        turn(signed_call("c1", "read", '{"path":"a"}'), text="Reading a."),
        result("c1", "read", "A"),
    ]
    messages = body(GEMINI_3, history)["messages"]
    assert messages[0]["content"] == 'Reading a.\n[Historical tool call: read({"path":"a"})]'


# -- "pairs reused Gemini tool-call ids by assistant occurrence" -------------------------------


def test_gemini_reused_call_ids_pair_by_assistant_occurrence() -> None:
    read_1 = signed_call("call_0", "read", sig="SIG-READ")
    write = signed_call("call_0", "write", sig="SIG-WRITE")
    signed = body(GEMINI_3, [
        turn(read_1), result("call_0", "read", "read result"),
        turn(write), result("call_0", "write", "write result"),
        UserMessage("current prompt"),
    ])["messages"]  # fmt: skip
    assert signed[0]["tool_calls"][0]["thought_signature"] == "SIG-READ"
    assert signed[2]["tool_calls"][0]["thought_signature"] == "SIG-WRITE"

    mixed = body(GEMINI_3, [
        turn(signed_call("call_0", "read")), result("call_0", "read", "legacy result"),
        turn(write), result("call_0", "write", "signed result"),
        UserMessage("current prompt"),
    ])["messages"]  # fmt: skip
    assert mixed[0]["content"].startswith("[Historical tool call: read(")
    assert "tool_calls" not in mixed[0]
    assert mixed[1] == {
        "role": "user",
        "content": "[Historical tool result for read:\nlegacy result]",
    }
    write_call = {"name": "write", "arguments": "{}"}
    assert mixed[2]["tool_calls"] == [
        {
            "id": "call_0",
            "type": "function",
            "function": write_call,
            "thought_signature": "SIG-WRITE",
        }
    ]
    # the TypeScript case expects no ``name`` here; we send it on purpose (see above)
    assert mixed[3] == {"role": "tool", "tool_call_id": "call_0", "name": "write",
                        "content": "signed result"}  # fmt: skip


# -- "leaves unsigned Gemini 2.5 history unchanged" --------------------------------------------


def test_unsigned_gemini_25_history_is_unchanged() -> None:
    history: list[Message] = [
        turn(signed_call("call_1", "read"), model_id=GEMINI_25.id),
        result("call_1", "read", "r"),
    ]
    messages = body(GEMINI_25, history)["messages"]
    call = messages[0]["tool_calls"][0]
    assert call["id"] == "call_1" and "thought_signature" not in call
    assert messages[1]["role"] == "tool"


# -- what stream.ts does beyond the cases ------------------------------------------------------


def test_gemini_3_downgrades_unsigned_history_even_with_no_signature_anywhere() -> None:
    """``requiresUnsignedCallFallback``: for Gemini 3 the text form applies even when the
    history holds no signature at all (a conversation begun on another model)."""
    history: list[Message] = [
        turn(signed_call("c1", "read"), model_id="kimi-k2-6"),
        result("c1", "read", "r"),
        UserMessage("now you"),
    ]
    for model_id in ("gemini-3-flash-preview", "gemini-3-1-pro-preview", "gemini-3-7-flash"):
        messages = body(model(model_id), history)["messages"]
        assert [m["role"] for m in messages] == ["assistant", "user", "user"], model_id


def test_failed_turns_are_not_replayed_at_all() -> None:
    """stream.ts skips assistant turns that ended in error or aborted; so does our repair."""
    broken = AssistantMessage(
        [signed_call("c9", "read", sig="SIG")], "error", model=GEMINI_3.id, provider="venice"
    )
    messages = body(GEMINI_3, [UserMessage("a"), broken, UserMessage("b")])["messages"]
    assert messages == [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]


# -- where we deliberately differ ---------------------------------------------------------------


def test_deepseek_v4_rule_covers_dated_variants_too() -> None:
    """stream.ts matches the exact ids deepseek-v4-flash and deepseek-v4-pro; we match the
    family (``deepseek-v4`` in the id), so a dated or renamed variant keeps the rule that its
    replay needs."""
    dated = ModelInfo("deepseek-v4-flash-0731", "DeepSeek V4 Flash 0731", "venice",
                      reasoning=True, supports_tools=True)  # fmt: skip
    history: list[Message] = [UserMessage("a"), AssistantMessage([TextPart("b")]), UserMessage("c")]
    payload = body(dated, history, reasoning="high")
    assert payload["messages"][1]["reasoning_content"] == ""
    assert "reasoning_effort" not in payload


def test_signatures_go_back_to_any_model_that_issued_them() -> None:
    """stream.ts attaches signatures for ``gemini-*`` ids only; Venice's spec describes
    ``thought_signature`` and ``reasoning_details`` as returned by "certain reasoning
    models", to be passed back exactly: a model that issued one gets it back, whatever its
    name (and no model gets another's)."""
    other = ModelInfo("future-reasoner", "Future", "venice", reasoning=True, supports_tools=True)
    history: list[Message] = [
        turn(signed_call("c1", "read", sig="SIG-FUTURE"), model_id="future-reasoner"),
        result("c1", "read", "r"),
    ]
    assert body(other, history)["messages"][0]["tool_calls"][0]["thought_signature"] == "SIG-FUTURE"
