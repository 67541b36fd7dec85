"""Hypothesis strategies for chat turns: conversations, tools, options and bundled models.

Conversations are drawn as an agent produces them (user, assistant, tool results), with the
faults a real history holds: failed assistant turns, unanswered calls, stray results, ids
reused across turns, invalid tool-call JSON, encrypted reasoning, images in tool results.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import strategies as st

from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.options import StreamOptions, VeniceOptions
from openclaw_venice.runtime.ai import (
    AssistantMessage,
    Context,
    ImagePart,
    Message,
    TextPart,
    ThinkingPart,
    Tool,
    ToolCallPart,
    ToolResultMessage,
    UserMessage,
)
from openclaw_venice.runtime.catalog import ModelInfo

LEVELS = ("off", "minimal", "low", "medium", "high", "xhigh")
SUFFIXES = (
    ":strip_thinking_response=true",
    ":enable_web_search=on&enable_web_citations=true",
    ":disable_thinking=true",
)
SCHEMAS: tuple[dict[str, Any], ...] = (
    {},
    {"type": "object", "properties": {"path": {"type": "string", "minLength": 1}}},
    {"properties": {"n": {"type": "integer"}}, "required": ["n"]},
    {
        "type": "object",
        "properties": {
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 9}, "minItems": 1},
            "minLength": {"anyOf": [{"type": "string", "minLength": 2}, {"type": "null"}]},
        },
        "$defs": {"x": {"type": "string", "maxLength": 3}},
    },
)
text = st.text(max_size=24)
images = st.builds(
    ImagePart,
    data=st.binary(min_size=1, max_size=12).map(lambda b: base64.b64encode(b).decode()),
    mime_type=st.sampled_from(["image/png", "image/jpeg", "image/webp"]),
)
content = st.one_of(text, st.lists(st.one_of(st.builds(TextPart, text), images), max_size=3))


def usable_models() -> list[ModelInfo]:
    """Every bundled model a request can be built for (e2ee ones are refused)."""
    return [m for m in load_bundle().models if not m.profile.e2ee]


@st.composite
def tool_calls(draw: st.DrawFn, prefix: str) -> ToolCallPart:
    arguments = draw(st.dictionaries(st.sampled_from("abc"), st.integers() | text, max_size=2))
    raw = draw(st.sampled_from(["json", "bad", "empty", "list"]))
    raw_text = {"bad": '{"a": ', "empty": "", "list": "[1]"}.get(raw)
    return ToolCallPart(
        id=prefix,
        name=draw(st.sampled_from(["read", "write", "shell"])),
        arguments=None if raw == "bad" else arguments,
        raw_arguments=json.dumps(arguments) if raw_text is None else raw_text,
    )


@st.composite
def assistant_messages(draw: st.DrawFn, ids: list[str]) -> AssistantMessage:
    parts: list[TextPart | ThinkingPart | ToolCallPart] = []
    if draw(st.booleans()):
        parts.append(ThinkingPart(draw(text), encrypted=draw(st.booleans())))
    if draw(st.booleans()):
        parts.append(TextPart(draw(text)))
    parts += [draw(tool_calls(call_id)) for call_id in ids]
    stop = draw(st.sampled_from(["stop", "length", "toolUse", "toolUse", "error", "aborted"]))
    return AssistantMessage(parts, stop_reason=stop)


@st.composite
def conversations(draw: st.DrawFn) -> list[Message]:
    messages: list[Message] = []
    reuse_ids = draw(st.booleans())  # some upstreams number calls call_0, call_1 every turn
    for turn in range(draw(st.integers(0, 4))):
        if draw(st.integers(0, 4)):
            messages.append(UserMessage(draw(content)))
        count = draw(st.integers(0, 3))
        ids = [f"call_{k}" if reuse_ids else f"call_{turn}_{k}" for k in range(count)]
        if draw(st.booleans()) or ids:
            messages.append(draw(assistant_messages(ids)))
        answered = draw(st.permutations(ids))[: draw(st.integers(0, len(ids)))]
        if draw(st.integers(0, 5)) == 0:
            answered.append("stray")
        for call_id in answered:
            messages.append(ToolResultMessage(call_id, "read", draw(content), draw(st.booleans())))
    return messages


def tools() -> st.SearchStrategy[list[Tool]]:
    tool = st.builds(
        Tool,
        name=st.from_regex(r"[a-z_]{1,12}", fullmatch=True),
        description=text,
        parameters=st.sampled_from(SCHEMAS),
    )
    return st.lists(tool, max_size=3, unique_by=lambda t: t.name)


@st.composite
def contexts(draw: st.DrawFn) -> Context:
    system = draw(st.none() | text)
    messages = draw(conversations())
    if not messages and not system:
        messages = [UserMessage("hello")]
    return Context(system_prompt=system, messages=messages, tools=draw(tools()))


def venice_options() -> st.SearchStrategy[VeniceOptions]:
    maybe_bool = st.none() | st.booleans()
    return st.builds(
        VeniceOptions,
        include_venice_system_prompt=st.booleans(),
        web_search=st.none() | st.sampled_from(["off", "on", "auto"]),
        web_citations=maybe_bool,
        web_scraping=maybe_bool,
        character=st.none() | st.sampled_from(["alan-watts", "venice"]),
        strip_thinking=maybe_bool,
        disable_thinking=maybe_bool,
        search_results_in_stream=maybe_bool,
        search_results_as_documents=maybe_bool,
        x_search=maybe_bool,
    )


def stream_options() -> st.SearchStrategy[StreamOptions]:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    return st.builds(
        StreamOptions,
        max_tokens=st.none() | st.integers(-5, 300_000),
        temperature=st.none() | st.floats(0, 2),
        reasoning=st.none() | st.sampled_from(LEVELS),
        session_id=st.none() | st.text(min_size=1, max_size=80),
        venice=venice_options(),
        response_schema=st.none() | st.just(schema),
    )
