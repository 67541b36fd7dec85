"""Grok's HTML-entity encoded tool-call arguments (issue 11 item 5; openclaw issue 34955, and
the TypeScript plugin's ``toolCallArgumentsEncoding: "html-entities"`` for Grok-backed
Venice models only, asserted in its index.test.ts case "applies the shared xAI compat patch
to Grok-backed Venice models only"): decoded before they are parsed, for Grok models, and
never for others."""

from __future__ import annotations

import json
from typing import Any

import pytest

from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.assemble import TurnAssembler
from openclaw_venice.chat.completion import assemble_completion
from openclaw_venice.chat.tool_arguments import decode_entities, decode_html_arguments
from openclaw_venice.runtime.ai import AssistantMessage
from openclaw_venice.runtime.catalog import ModelInfo

BUNDLE = load_bundle()
GROK = BUNDLE.find("grok-4-20")
QWEN = BUNDLE.find("qwen3-coder-480b-a35b-instruct-turbo")
assert GROK is not None and QWEN is not None

ENCODED_WHOLE = "{&quot;command&quot;: &quot;cd ~/dev &amp;&amp; ls&quot;}"
ENCODED_LEAVES = '{"command": "cd ~/dev &amp;&amp; echo &quot;ok&quot; &gt; &#x2F;tmp&#47;x"}'


def stream_turn(model: ModelInfo, raw: str) -> AssistantMessage:
    first = {"index": 0, "id": "call_g", "type": "function",
             "function": {"name": "exec", "arguments": ""}}  # fmt: skip

    def calls(*pieces: dict[str, Any]) -> dict[str, Any]:
        return {"choices": [{"delta": {"tool_calls": list(pieces)}}]}

    chunks = [
        calls(first),
        calls({"index": 0, "function": {"arguments": raw[:9]}}),
        calls({"index": 0, "function": {"arguments": raw[9:]}}),
        {"choices": [{"delta": {}, "finish_reason": "tool_calls"}]},
    ]
    assembler = TurnAssembler(model)
    for c in chunks:
        assembler.feed(json.loads(json.dumps(c)))
    message = assembler.finish(True)[-1].message
    assert message is not None
    return message


def json_turn(model: ModelInfo, raw: str) -> AssistantMessage:
    call = {"id": "call_g", "type": "function", "function": {"name": "exec", "arguments": raw}}
    message = {"role": "assistant", "content": None, "tool_calls": [call]}
    body = {"choices": [{"message": message, "finish_reason": "tool_calls"}]}
    return assemble_completion(body, model)


@pytest.mark.parametrize("turn", [stream_turn, json_turn], ids=["stream", "json"])
def test_grok_arguments_are_decoded_before_they_are_parsed(turn: Any) -> None:
    whole = turn(GROK, ENCODED_WHOLE).tool_calls[0]
    assert whole.arguments == {"command": "cd ~/dev && ls"}
    assert whole.raw_arguments == ENCODED_WHOLE  # as the model wrote them
    leaves = turn(GROK, ENCODED_LEAVES).tool_calls[0]
    assert leaves.arguments == {"command": 'cd ~/dev && echo "ok" > /tmp/x'}


@pytest.mark.parametrize("turn", [stream_turn, json_turn], ids=["stream", "json"])
def test_other_models_arguments_are_never_decoded(turn: Any) -> None:
    whole = turn(QWEN, ENCODED_WHOLE)
    assert whole.tool_calls[0].arguments is None  # not JSON: reported, not guessed at
    assert whole.meta["invalidToolArguments"] == ["call_g"]
    leaves = turn(QWEN, ENCODED_LEAVES).tool_calls[0]
    assert leaves.arguments == json.loads(ENCODED_LEAVES)  # the entities are their text


def test_only_xml_entities_and_numeric_references_are_decoded() -> None:
    assert decode_entities("a=1&copy=2&amp;b&nbsp;c") == "a=1&copy=2&b&nbsp;c"
    assert decode_entities("&#0; &#xD800; &#1114112; &#65;&#x42;") == "&#0; &#xD800; &#1114112; AB"
    assert decode_entities("&AMP; &quot") == "&AMP; &quot"  # case and ";" as written
    assert decode_html_arguments('{"a": ["&lt;b&gt;", {"c": "&apos;"}], "n": 1}') == {
        "a": ["<b>", {"c": "'"}],
        "n": 1,
    }
    assert decode_html_arguments("not json") is None
    assert decode_html_arguments("") == {}


def test_a_plain_grok_call_is_unchanged() -> None:
    raw = '{"q": "fish & chips <3"}'
    call = stream_turn(GROK, raw).tool_calls[0]
    assert call.arguments == {"q": "fish & chips <3"} and call.raw_arguments == raw
