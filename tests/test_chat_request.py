"""The request builder: every body it makes is one Venice accepts, and says what was asked."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import fields, replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.options import VENICE_PARAMETERS, StreamOptions, VeniceOptions
from openclaw_venice.chat.replay import NO_RESULT, TOOL_IMAGES_INTRO, repair
from openclaw_venice.chat.request import (
    EFFORT_SCALE,
    MIN_ANSWER_TOKENS,
    build_request,
    prompt_token_range,
    reasoning_effort,
    split_model_suffix,
)
from openclaw_venice.chat.tool_schema import XAI_UNSUPPORTED_KEYWORDS
from openclaw_venice.errors import RequestRefused
from openclaw_venice.runtime.ai import (
    AssistantMessage,
    Context,
    ImagePart,
    Message,
    ReasoningLevel,
    TextPart,
    ThinkingPart,
    Tool,
    ToolCallPart,
    ToolResultMessage,
    UserMessage,
)
from openclaw_venice.runtime.catalog import ModelInfo, ModelProfile
from tests.support import chat_strategies as cs
from tests.support.fuzzing import examples
from tests.support.openapi import schema
from tests.support.requests_schema import assert_valid_request, conversation_errors, spec_errors

LEVELS: tuple[ReasoningLevel, ...] = ("off", "minimal", "low", "medium", "high", "xhigh")
PNG = ImagePart("iVBORw0KGgo=")
ENCRYPTED = 'gAAAAB\x00opaque+/=="\\ \u00e9\U0001f600 blob'
READ = Tool(
    "read_file",
    "Read a file",
    {"type": "object", "properties": {"path": {"type": "string", "minLength": 1}}},
)


def model(model_id: str) -> ModelInfo:
    found = load_bundle().find(model_id)
    assert found is not None, model_id
    return found


def call(call_id: str, name: str = "read_file", raw: str = '{"path": "a.txt"}') -> ToolCallPart:
    return ToolCallPart(call_id, name, json.loads(raw), raw)


def rich_conversation(images: bool = True) -> list[Message]:
    """Every kind of part a history holds: text, thinking plain and encrypted, tool calls,
    tool results (error, image), user images."""
    user_parts: list[TextPart | ImagePart] = [TextPart("look at this"), *([PNG] if images else [])]
    result_parts: list[TextPart | ImagePart] = [TextPart("shot"), *([PNG] if images else [])]
    return [
        UserMessage(user_parts),
        AssistantMessage(
            [ThinkingPart("plan"), TextPart("Reading."), call("c1"), call("c2", "shot", "{}")],
            stop_reason="toolUse",
        ),
        ToolResultMessage("c1", "read_file", "no such file", is_error=True),
        ToolResultMessage("c2", "shot", result_parts),
        AssistantMessage([ThinkingPart(ENCRYPTED, encrypted=True), TextPart("Done.")]),
        UserMessage("thanks"),
    ]


def build(
    record: ModelInfo,
    messages: Sequence[Message] = (UserMessage("hi"),),
    options: StreamOptions | None = None,
    *,
    tools: Sequence[Tool] = (),
    system: str | None = "You are terse.",
    **kwargs: Any,
) -> dict[str, Any]:
    context = Context(system_prompt=system, messages=list(messages), tools=list(tools))
    return build_request(record, context, options or StreamOptions(), **kwargs)


def by_role(body: dict[str, Any], role: str) -> list[dict[str, Any]]:
    return [m for m in body["messages"] if m["role"] == role]


# -- the spec ---------------------------------------------------------------------------------


def test_effort_scale_is_the_specs_enum_in_order() -> None:
    assert (
        list(EFFORT_SCALE)
        == schema("ChatCompletionRequest")["properties"]["reasoning_effort"]["enum"]
    )


def test_every_venice_switch_is_named_as_in_the_spec() -> None:
    spec = schema("ChatCompletionRequest")["properties"]["venice_parameters"]["properties"]
    assert set(VENICE_PARAMETERS.values()) == set(spec) - {"enable_e2ee"}
    assert set(VENICE_PARAMETERS) == {f.name for f in fields(VeniceOptions)}


# Models chosen for what they exercise: tools/vision/effort, effort-with-tools refusal, no
# tools, Grok, DeepSeek V4 (plain and with catalog efforts), odd effort scales, no effort.
MATRIX_MODELS = (
    "openai-gpt-56-luna",
    "openai-gpt-55-pro",
    "hermes-3-llama-3.1-405b",
    "grok-4-3",
    "deepseek-v4-flash",
    "deepseek-v4-flash-0731",
    "zai-org-glm-5-2",
    "claude-opus-4-6",
    "llama-3.3-70b",
    "mistral-small-2603",
)


def test_every_combination_builds_a_body_the_spec_accepts() -> None:
    switches = VeniceOptions(
        include_venice_system_prompt=True,
        web_search="auto",
        web_citations=True,
        web_scraping=True,
        character="alan-watts",
        strip_thinking=False,
        disable_thinking=False,
        search_results_in_stream=True,
        search_results_as_documents=True,
        x_search=True,
    )
    dimensions = itertools.product(
        MATRIX_MODELS, (None, *LEVELS), (True, False), (True, False), (True, False)
    )
    built = 0
    for i, (model_id, level, stream, with_tools, rich) in enumerate(dimensions):
        record = model(model_id)
        vision = "image" in record.input
        options = StreamOptions(
            max_tokens=(None, 1, 500, 10**9)[i % 4],
            temperature=(None, 0.0, 0.7, 2.0)[i % 4],
            reasoning=level,
            session_id=f"session-{i}" if i % 3 else None,
            venice=switches if i % 2 else VeniceOptions(),
            response_schema={"type": "object", "properties": {}} if i % 5 == 0 else None,
        )
        messages = rich_conversation(images=vision) if rich else [UserMessage("hi")]
        requested = model_id + cs.SUFFIXES[i % 3] if i % 4 == 0 else None
        body = build(
            record,
            messages,
            options,
            tools=[READ] if with_tools else [],
            stream=stream,
            requested_id=requested,
        )
        assert_valid_request(body)
        assert "stream_options" not in body
        assert body.get("stream", False) is stream
        built += 1
    assert built == len(MATRIX_MODELS) * 7 * 8


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    record=st.sampled_from(cs.usable_models()),
    context=cs.contexts(),
    options=cs.stream_options(),
    stream=st.booleans(),
    suffix=st.sampled_from(("", *cs.SUFFIXES)),
)
def test_any_turn_builds_a_valid_body_or_is_refused_for_images(
    record: ModelInfo, context: Context, options: StreamOptions, stream: bool, suffix: str
) -> None:
    warnings: list[str] = []
    try:
        body = build_request(
            record, context, options, stream=stream, requested_id=record.id + suffix,
            warn=warnings.append,
        )  # fmt: skip
    except RequestRefused as refused:
        if "nothing to send" in str(refused):  # only failed turns and stray results
            assert not context.system_prompt and not repair(context.messages)
            return
        assert "image" not in record.input and "vision model" in str(refused)
        assert any(
            isinstance(m, UserMessage) and not isinstance(m.content, str)
            and any(isinstance(p, ImagePart) for p in m.content)
            for m in context.messages
        )  # fmt: skip
        return
    assert_valid_request(body)
    assert body["model"] == record.id + suffix
    assert 1 <= body["max_completion_tokens"] <= record.max_tokens
    assert body["max_completion_tokens"] < record.context_window
    assert ("tools" in body) == bool(context.tools and record.supports_tools)
    effort = body.get("reasoning_effort")
    if "tools" in body and not record.profile.effort_with_tools:
        assert effort == "none"  # the GPT-5 rule, whatever the model's levels say
    else:
        assert effort is None or effort in record.profile.reasoning_efforts
    params = body["venice_parameters"]
    assert params["include_venice_system_prompt"] is options.venice.include_venice_system_prompt
    assert "stream_options" not in body
    if context.tools and not record.supports_tools:
        assert warnings


# -- max_completion_tokens ---------------------------------------------------------------------

SMALL = ModelInfo("small-1", "Small", "venice", context_window=20_000, max_tokens=6_000)


def sized(low_target: int) -> list[Message]:
    """One user message whose prompt is ``4 * low_target`` characters: a low estimate of
    ``low_target`` tokens and a high one of a third more."""
    roomy = SMALL._replace(context_window=10**9)
    wanted = (low_target, -(-4 * low_target // 3))
    for n in range(4 * low_target - 80, 4 * low_target):
        messages: list[Message] = [UserMessage("x" * n)]
        if prompt_token_range(build(roomy, messages, system=None)) == wanted:
            return messages
    raise AssertionError(f"no prompt of {low_target} tokens")


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [(None, 6_000), (0, 6_000), (-3, 6_000), (1, 1), (500, 500), (10**9, 6_000)],
)
def test_budget_is_what_was_asked_within_the_models_limit(
    wanted: int | None, expected: int
) -> None:
    body = build(SMALL, options=StreamOptions(max_tokens=wanted), system=None)
    assert body["max_completion_tokens"] == expected


def test_budget_leaves_room_for_the_prompt_at_its_high_estimate() -> None:
    messages = sized(3_000)
    body = build(SMALL, messages, system=None)
    low, high = prompt_token_range(body)
    assert low == 3_000 and high == 4_000
    assert body["max_completion_tokens"] == 6_000  # 20k - 4k leaves more than the limit
    tight = SMALL._replace(context_window=9_000)  # 5k left at the high estimate, 6k at the low
    assert build(tight, messages, system=None)["max_completion_tokens"] == 5_000


def test_a_near_full_context_still_gets_a_useful_answer() -> None:
    messages = sized(12_000)  # high estimate 16_000
    near = SMALL._replace(context_window=17_000)  # 1k left by the high estimate, 5k by the low
    assert build(near, messages, system=None)["max_completion_tokens"] == MIN_ANSWER_TOKENS
    nearer = SMALL._replace(context_window=14_000)  # 2k left even by the low estimate
    assert build(nearer, messages, system=None)["max_completion_tokens"] == 2_000


def test_the_last_token_of_context_is_the_edge_of_refusal() -> None:
    messages = sized(10_000)
    fits = SMALL._replace(context_window=10_001)
    assert build(fits, messages, system=None)["max_completion_tokens"] == 1
    full = SMALL._replace(context_window=10_000)
    with pytest.raises(RequestRefused, match=r"~10000 tokens\) does not fit venice/small-1's "
                       r"context of 10000 tokens; shorten it or pick a model"):  # fmt: skip
        build(full, messages, system=None)


def test_tools_images_and_schemas_count_toward_the_prompt() -> None:
    big_tool = Tool("t", "d" * 30_000, {})
    roomy = SMALL._replace(max_tokens=19_000)
    plain = build(roomy, system=None)
    with_tool = build(roomy, tools=[big_tool], system=None)
    assert prompt_token_range(with_tool)[0] >= 7_500
    assert with_tool["max_completion_tokens"] < plain["max_completion_tokens"]
    image_data = "A" * 400_000  # base64 bytes are not text: one image, not 100k tokens
    seen = build(model("claude-opus-4-6"), [UserMessage([ImagePart(image_data)])], system=None)
    assert prompt_token_range(seen)[0] < 2_000


def test_every_bundled_model_gets_its_own_limit_for_a_short_prompt() -> None:
    for record in cs.usable_models():
        body = build(record)
        _, high = prompt_token_range(body)
        assert body["max_completion_tokens"] == min(record.max_tokens, record.context_window - high)


# -- tools --------------------------------------------------------------------------------------


def test_tools_are_dropped_for_a_model_without_function_calling_with_one_stable_warning() -> None:
    record = model("hermes-3-llama-3.1-405b")
    said: list[str] = []
    for _ in range(3):
        body = build(record, tools=[READ], warn=said.append)
        assert "tools" not in body
        assert_valid_request(body)
    assert said == [said[0]] * 3 and "does not support tools" in said[0]  # dedupe by message
    assert "venice/hermes-3-llama-3.1-405b" in said[0]
    assert build(record, warn=said.append) and len(said) == 3  # no tools, nothing said


def test_grok_tool_schemas_lose_the_keywords_xai_rejects_everywhere() -> None:
    parameters = {
        "type": "object",
        "properties": {
            "minLength": {"type": "string", "maxLength": 5},  # a property named like a keyword
            "tags": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
            "pair": {"type": "array", "items": [{"type": "string", "maxLength": 2}]},
            "either": {"anyOf": [{"type": "string", "minLength": 1}, {"$ref": "#/$defs/d"}]},
        },
        "$defs": {"d": {"type": "array", "maxContains": 2, "contains": {"minLength": 3}}},
        "required": ["minLength"],
    }
    tool = Tool("t", "d", parameters)
    sent = build(model("grok-4-3"), tools=[tool])["tools"][0]["function"]["parameters"]
    text = json.dumps(sent)
    assert not any(
        f'"{k}": ' in text.replace('"minLength": {"type"', "") for k in XAI_UNSUPPORTED_KEYWORDS
    )
    assert sent["properties"]["minLength"] == {"type": "string"}
    assert sent["required"] == ["minLength"]
    assert sent["$defs"]["d"] == {"type": "array", "contains": {}}
    kept = build(model("openai-gpt-54"), tools=[tool])["tools"][0]["function"]["parameters"]
    assert kept == parameters


def test_tool_parameters_always_have_an_object_root() -> None:
    tools = [Tool("a", "", {}), Tool("b", "", {"properties": {"x": {"type": "integer"}}})]
    sent = [
        t["function"]["parameters"] for t in build(model("openai-gpt-54"), tools=tools)["tools"]
    ]
    assert sent == [
        {"type": "object", "properties": {}},
        {"type": "object", "properties": {"x": {"type": "integer"}}},
    ]


# -- images -------------------------------------------------------------------------------------


def test_user_images_to_a_text_only_model_are_refused_naming_vision_models() -> None:
    record = model("llama-3.3-70b")
    messages = [UserMessage([TextPart("what is this"), PNG])]
    with pytest.raises(RequestRefused, match="does not accept images; use a vision model: "
                       "venice/claude-opus-4-6, venice/grok-4-3"):  # fmt: skip
        build(record, messages, vision_models=["venice/claude-opus-4-6", "venice/grok-4-3"])
    with pytest.raises(RequestRefused, match="openclaw models list --vision"):
        build(record, messages)


def test_tool_result_images_follow_the_run_of_results_on_a_vision_model() -> None:
    body = build(model("claude-opus-4-6"), rich_conversation())
    roles = [m["role"] for m in body["messages"]]
    assert roles == ["system", "user", "assistant", "tool", "tool", "user", "assistant", "user"]
    tools = by_role(body, "tool")
    assert all(isinstance(t["content"], str) for t in tools)
    assert tools[1]["content"] == "shot\n(1 image attached below)"
    follow = body["messages"][5]["content"]
    assert follow[0] == {"type": "text", "text": TOOL_IMAGES_INTRO}
    assert follow[1]["image_url"]["url"] == f"data:image/png;base64,{PNG.data}"
    assert_valid_request(body)


def test_tool_result_images_on_a_text_only_model_become_a_note_and_a_warning() -> None:
    messages = rich_conversation(images=False)
    messages[3] = ToolResultMessage("c2", "shot", [PNG, PNG])
    said: list[str] = []
    body = build(model("llama-3.3-70b"), messages, warn=said.append)
    assert "image_url" not in json.dumps(body)
    assert (
        by_role(body, "tool")[1]["content"]
        == "(2 images left out: this model does not accept images)"
    )
    assert said == [
        "venice/llama-3.3-70b does not accept images; images from tool results were left out"
    ]
    assert_valid_request(body)


# -- reasoning ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "expected"),
    [
        # options none, minimal, low, medium, high
        ("openai-gpt-52", ["none", "minimal", "low", "medium", "high", "high"]),
        # none, high, max: a level between two goes to the higher
        ("zai-org-glm-5-2", ["none", "high", "high", "high", "high", "max"]),
        # low, medium, high: off is not an effort here (disable_thinking says it)
        ("aion-labs-aion-3-0", [None, "low", "low", "medium", "high", "high"]),
        ("claude-fable-5", [None, "low", "low", "medium", "high", "xhigh"]),
        ("qwen-3-8-27b", ["none", "low", "low", "medium", "xhigh", "xhigh"]),
        ("openai-gpt-55-pro", [None, "medium", "medium", "medium", "high", "xhigh"]),
        ("mistral-small-2603", ["none", "high", "high", "high", "high", "high"]),
        ("claude-opus-4-6", [None] * 6),  # takes no effort
        ("deepseek-v4-flash-0731", [None] * 6),  # DeepSeek V4: never, whatever the row says
    ],
)
def test_levels_map_onto_each_models_own_efforts(model_id: str, expected: list[str | None]) -> None:
    record = model(model_id)
    assert [reasoning_effort(record, level) for level in LEVELS] == expected
    assert reasoning_effort(record, None) is None
    for level, effort in zip(LEVELS, expected, strict=True):
        body = build(record, options=StreamOptions(reasoning=level))
        assert body.get("reasoning_effort") == effort


def test_no_bundled_model_is_ever_sent_an_effort_it_does_not_list() -> None:
    for record in load_bundle().models:
        offered = record.profile.reasoning_efforts
        for level in LEVELS:
            effort = reasoning_effort(record, level)
            assert effort is None or (effort in offered and effort in EFFORT_SCALE)
            assert level == "off" or effort != "none"


def test_an_effort_outside_the_spec_in_a_catalog_row_is_never_sent() -> None:
    odd = ModelInfo("m", "M", "venice", profile=ModelProfile(reasoning_efforts=("ultra", "turbo")))
    assert all(reasoning_effort(odd, level) is None for level in LEVELS)


def test_off_disables_thinking_on_reasoning_models_unless_the_caller_said_otherwise() -> None:
    off = StreamOptions(reasoning="off")
    assert build(model("claude-opus-4-6"), options=off)["venice_parameters"]["disable_thinking"]
    keep = replace(off, venice=VeniceOptions(disable_thinking=False))
    assert (
        build(model("claude-opus-4-6"), options=keep)["venice_parameters"]["disable_thinking"]
        is False
    )
    assert "disable_thinking" not in build(model("llama-3.3-70b"), options=off)["venice_parameters"]
    assert "disable_thinking" not in build(model("claude-opus-4-6"))["venice_parameters"]


def test_gpt5_tool_turns_say_effort_none_and_the_caller_is_told() -> None:
    record = model("openai-gpt-56-luna")
    high = StreamOptions(reasoning="high")
    said: list[str] = []
    assert build(record, options=high, warn=said.append)["reasoning_effort"] == "high"
    assert not said
    assert build(record, options=high, tools=[READ], warn=said.append)["reasoning_effort"] == "none"
    assert said == [
        "venice/openai-gpt-56-luna takes no reasoning effort beside tools; "
        "tool turns run with effort none (not high)"
    ]
    # no level: the model's default effort would fail beside tools, so say none, quietly
    assert build(record, tools=[READ], warn=said.append)["reasoning_effort"] == "none"
    assert len(said) == 1
    # a member whose levels lack none follows the rule too (issue 11 item 6), and is told
    no_none = build(model("openai-gpt-55-pro"), options=high, tools=[READ], warn=said.append)
    assert no_none["reasoning_effort"] == "none" and len(said) == 2
    other = build(model("grok-4-3"), options=high, tools=[READ])  # the rule is OpenAI's alone
    assert other["reasoning_effort"] == "high"


# -- Venice switches, model id, cache key -----------------------------------------------------


def test_venices_system_prompt_is_off_unless_asked_for() -> None:
    assert build(model("llama-3.3-70b"))["venice_parameters"] == {
        "include_venice_system_prompt": False
    }
    asked = StreamOptions(venice=VeniceOptions(include_venice_system_prompt=True))
    assert build(model("llama-3.3-70b"), options=asked)["venice_parameters"] == {
        "include_venice_system_prompt": True
    }


def test_every_switch_reaches_venice_parameters_under_its_spec_name() -> None:
    values: dict[str, Any] = {
        "include_venice_system_prompt": True,
        "web_search": "on",
        "web_citations": True,
        "web_scraping": False,
        "character": "alan-watts",
        "strip_thinking": True,
        "disable_thinking": False,
        "search_results_in_stream": True,
        "search_results_as_documents": True,
        "x_search": True,
    }
    body = build(model("grok-4-3"), options=StreamOptions(venice=VeniceOptions(**values)))
    assert body["venice_parameters"] == {VENICE_PARAMETERS[k]: v for k, v in values.items()}
    assert_valid_request(body)


@pytest.mark.parametrize(
    ("record_id", "requested", "sent"),
    [
        ("openai-gpt-54", None, "openai-gpt-54"),
        ("openai-gpt-54", "openai-gpt-54", "openai-gpt-54"),
        ("openai-gpt-54", "openai-gpt-54:strip_thinking_response=true",
         "openai-gpt-54:strip_thinking_response=true"),
        # a renamed id resolved to its successor keeps the caller's suffix
        ("claude-opus-4-5", "claude-opus-45:enable_web_search=on&enable_web_citations=true",
         "claude-opus-4-5:enable_web_search=on&enable_web_citations=true"),
    ],
)  # fmt: skip
def test_the_model_suffix_passes_through(record_id: str, requested: str | None, sent: str) -> None:
    body = build(model(record_id), requested_id=requested)
    assert body["model"] == sent
    assert_valid_request(body)


def test_split_model_suffix() -> None:
    assert split_model_suffix("a-b") == ("a-b", "")
    assert split_model_suffix("a:x=1&y=2") == ("a", ":x=1&y=2")
    assert split_model_suffix("a:x=b:c") == ("a", ":x=b:c")


def test_the_prompt_cache_key_is_stable_per_session_and_reveals_nothing() -> None:
    record = model("llama-3.3-70b")
    session = "agent:main:telegram:+15551234567:" + "x" * 80

    def key(session_id: str | None) -> Any:
        return build(record, options=StreamOptions(session_id=session_id)).get("prompt_cache_key")

    assert key(session) == key(session) != key(session + "2")
    assert len(key(session)) <= 64 and "15551234567" not in key(session)
    assert key(None) is None and key("") is None


def test_non_streaming_bodies_say_nothing_of_streams() -> None:
    body = build(model("llama-3.3-70b"), stream=False)
    assert "stream" not in body and "stream_options" not in body
    assert build(model("llama-3.3-70b"))["stream"] is True


def test_structured_output_is_a_strict_json_schema_response_format() -> None:
    wanted = {"type": "object", "properties": {"age": {"type": "integer"}}, "required": ["age"]}
    body = build(model("openai-gpt-54"), options=StreamOptions(response_schema=wanted))
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "response", "strict": True, "schema": wanted},
    }
    assert_valid_request(body)


@pytest.mark.parametrize("temperature", [0.0, 1.0, 2.0])
def test_temperatures_in_range_are_sent_as_given(temperature: float) -> None:
    body = build(model("llama-3.3-70b"), options=StreamOptions(temperature=temperature))
    assert body["temperature"] == temperature


@pytest.mark.parametrize("temperature", [-0.1, 2.01, float("nan"), float("inf")])
def test_temperatures_out_of_range_are_refused(temperature: float) -> None:
    with pytest.raises(RequestRefused, match="temperature must be between 0 and 2"):
        build(model("llama-3.3-70b"), options=StreamOptions(temperature=temperature))


def test_an_empty_conversation_is_refused() -> None:
    with pytest.raises(RequestRefused, match="nothing to send"):
        build(model("llama-3.3-70b"), [], system=None)
    assert_valid_request(build(model("llama-3.3-70b"), [], system="only a system prompt"))


# -- e2ee -------------------------------------------------------------------------------------


def test_e2ee_models_get_the_plain_body_that_chat_e2ee_then_gates_and_seals() -> None:
    # (tests/test_e2ee_chat.py: what is dropped, what is sealed, what is sent)
    e2ee = [m for m in load_bundle().models if m.profile.e2ee]
    assert len(e2ee) >= 5
    for record in e2ee:
        assert build(record)["model"] == record.id
    flagged = ModelInfo("tee-model", "T", "venice", profile=ModelProfile(e2ee=True))
    assert build(flagged)["model"] == "tee-model"


# -- replay -------------------------------------------------------------------------------------


def test_assistant_history_goes_back_in_venices_shape() -> None:
    body = build(model("claude-opus-4-6"), rich_conversation())
    first, second = by_role(body, "assistant")
    assert first == {
        "role": "assistant",
        "content": "Reading.",
        "reasoning_content": "plan",
        "tool_calls": [
            {"id": "c1", "type": "function",
             "function": {"name": "read_file", "arguments": '{"path": "a.txt"}'}},
            {"id": "c2", "type": "function", "function": {"name": "shot", "arguments": "{}"}},
        ],
    }  # fmt: skip
    assert second == {"role": "assistant", "content": "Done.", "reasoning_content": ENCRYPTED}
    error = by_role(body, "tool")[0]
    assert error == {
        "role": "tool",
        "tool_call_id": "c1",
        "name": "read_file",
        "content": "Error: no such file",
    }


def test_encrypted_reasoning_goes_back_verbatim_and_alone() -> None:
    mixed = AssistantMessage(
        [
            ThinkingPart("visible"),
            ThinkingPart(ENCRYPTED[:9], True),
            ThinkingPart(ENCRYPTED[9:], True),
        ]
    )
    body = build(model("openai-gpt-54"), [UserMessage("q"), mixed, UserMessage("q2")])
    sent = by_role(body, "assistant")[0]["reasoning_content"]
    assert sent == ENCRYPTED and sent.encode() == ENCRYPTED.encode()


def test_deepseek_v4_gets_reasoning_content_on_every_assistant_turn() -> None:
    history = [UserMessage("q"), AssistantMessage([TextPart("a")]), UserMessage("q2")]
    for model_id in ("deepseek-v4-flash", "deepseek-v4-pro-0813"):
        assistant = by_role(build(model(model_id), history), "assistant")[0]
        assert assistant["reasoning_content"] == ""
    assert (
        "reasoning_content" not in by_role(build(model("deepseek-v3.2"), history), "assistant")[0]
    )


def test_failed_turns_stray_results_and_unanswered_calls_are_repaired() -> None:
    history: list[Message] = [
        UserMessage("go"),
        AssistantMessage([TextPart("half"), call("x1")], stop_reason="aborted"),
        ToolResultMessage("x1", "read_file", "late"),  # answers a turn that is left out
        AssistantMessage([], stop_reason="error"),
        AssistantMessage([call("a"), call("b")], stop_reason="toolUse"),
        ToolResultMessage("b", "read_file", "B"),
        ToolResultMessage("zz", "read_file", "stray"),
        UserMessage("and?"),
    ]
    body = build(model("openai-gpt-54"), history)
    assert not conversation_errors(body)
    shown = [(m["role"], m.get("tool_call_id"), m.get("content")) for m in body["messages"]]
    assert shown == [
        ("system", None, "You are terse."),
        ("user", None, "go"),
        ("assistant", None, None),
        ("tool", "b", "B"),
        ("tool", "a", f"Error: {NO_RESULT}"),
        ("user", None, "and?"),
    ]


def test_tool_call_arguments_go_back_as_a_json_object() -> None:
    calls = [
        ToolCallPart("k1", "f", {"a": 1}, '{"a":1}'),  # as written
        ToolCallPart("k2", "f", None, '{"a": '),  # invalid: {}
        ToolCallPart("k3", "f", {"b": 2}, ""),  # no text: the parsed ones
        ToolCallPart("k4", "f", {}, "[1, 2]"),  # not an object
    ]
    history: list[Message] = [UserMessage("q"), AssistantMessage(calls, stop_reason="toolUse")]
    history += [ToolResultMessage(c.id, "f", "ok") for c in calls]
    sent = by_role(build(model("openai-gpt-54"), history), "assistant")[0]["tool_calls"]
    assert [c["function"]["arguments"] for c in sent] == ['{"a":1}', "{}", '{"b": 2}', "{}"]


def test_empty_text_parts_are_left_out_and_empty_results_say_so() -> None:
    history: list[Message] = [
        UserMessage([TextPart(""), TextPart("x")]),
        UserMessage([TextPart("")]),
        AssistantMessage([call("e")], stop_reason="toolUse"),
        ToolResultMessage("e", "read_file", [TextPart("")]),
    ]
    body = build(model("openai-gpt-54"), history)
    assert [m.get("content") for m in body["messages"][1:]] == [
        [{"type": "text", "text": "x"}],
        "",
        None,
        "(no output)",
    ]
    assert_valid_request(body)


# -- the validator can fail --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda b: b.update(stream_option={"include_usage": True}), "'stream_option' was unexp"),
        (lambda b: b["venice_parameters"].update(enable_websearch="on"), "enable_websearch"),
        (lambda b: b.update(reasoning_effort="extreme"), "reasoning_effort"),
        (lambda b: b["messages"].append({"role": "tool", "tool_call_id": "c9", "content": "x"}),
         "answers no pending tool call"),
        (lambda b: b["messages"][-1].update(content=[{"type": "text", "text": ""}]),
         r"messages\[0\]"),
        (lambda b: b["messages"].append({"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{"}}]}),
         "arguments are not a JSON object"),
        (lambda b: b["messages"].append({"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}),
         "left unanswered"),
    ],
)  # fmt: skip
def test_the_validator_catches_what_venice_would_refuse(change: Any, complaint: str) -> None:
    body = build(model("openai-gpt-54"), system=None)
    change(body)
    with pytest.raises(AssertionError, match=complaint):
        assert_valid_request(body)


def test_the_tightened_schema_is_stricter_than_the_spec_only_where_objects_were_open() -> None:
    body = build(model("openai-gpt-54"))
    body["venice_parameters"]["enable_websearch"] = "on"
    assert spec_errors(body, strict=False) == []
    assert spec_errors(body) != []
