"""Runtime turn -> Venice ``POST /chat/completions`` body. Pure.

Venice rejects unknown top-level fields (400), so only fields in its
``ChatCompletionRequest`` appear; Venice switches go in ``venice_parameters``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..errors import RequestRefused
from ..runtime.ai import (
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
from ..runtime.catalog import ModelInfo
from .options import StreamOptions, VeniceOptions

EFFORT_SCALE = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
# xAI's function calling rejects these JSON Schema keywords (OpenClaw's Grok profile)
XAI_UNSUPPORTED_KEYWORDS = frozenset(
    {"minLength", "maxLength", "minItems", "maxItems", "minContains", "maxContains"}
)
_SCHEMA_CONTAINERS = ("properties", "patternProperties", "$defs", "definitions")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
Warn = Callable[[str], None]


def split_model_suffix(model_id: str) -> tuple[str, str]:
    """``id:key=value&...`` -> (``id``, ``:key=value&...``); Venice reads the suffix."""
    base, sep, suffix = model_id.partition(":")
    return base, sep + suffix


def build_request(
    model: ModelInfo,
    context: Context,
    options: StreamOptions,
    *,
    stream: bool = True,
    requested_id: str | None = None,
    vision_models: Sequence[str] = (),
    warn: Warn = lambda message: None,
) -> dict[str, Any]:
    """The request body for one turn. Raises :class:`RequestRefused` for what Venice
    would refuse or what this adapter cannot do (e2ee models)."""
    if model.id.startswith("e2ee-") or model.extra.get("e2ee"):
        raise RequestRefused(
            f"{model.ref} needs end-to-end encryption, which this plugin does not do yet; "
            "pick a model without the e2ee tag (`openclaw models list`)"
        )
    messages = build_messages(model, context, vision_models)
    body: dict[str, Any] = {"model": requested_id or model.id, "messages": messages}
    if stream:
        body["stream"] = True
    body["max_completion_tokens"] = completion_budget(model, body, options.max_tokens)
    if options.temperature is not None:
        body["temperature"] = options.temperature
    if context.tools:
        if model.supports_tools:
            body["tools"] = [tool_entry(t, _is_grok(model)) for t in context.tools]
        else:
            warn(f"{model.ref} does not support tools; sending the turn without them")
    effort = reasoning_effort(model, options.reasoning)
    if effort is not None:
        body["reasoning_effort"] = effort
    if options.session_id:
        body["prompt_cache_key"] = options.session_id
    if options.response_schema is not None:
        body["response_format"] = {
            "type": "json_schema",
            "json_schema": {
                "name": "response",
                "strict": True,
                "schema": dict(options.response_schema),
            },
        }
    body["venice_parameters"] = venice_parameters(options.venice, model, options.reasoning)
    return body


def build_messages(
    model: ModelInfo, context: Context, vision_models: Sequence[str]
) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    if context.system_prompt:
        messages.append({"role": "system", "content": context.system_prompt})
    for message in context.messages:
        if _has_images(message) and "image" not in model.input:
            names = ", ".join(vision_models[:6]) or "see `openclaw models list --vision`"
            raise RequestRefused(f"{model.ref} does not accept images; use a vision model: {names}")
        messages.append(message_entry(message, _replays_empty_reasoning(model)))
    return messages


def message_entry(message: Message, empty_reasoning: bool = False) -> dict[str, Any]:
    if isinstance(message, UserMessage):
        return {"role": "user", "content": _content(message.content)}
    if isinstance(message, ToolResultMessage):
        text = _content(message.content)
        if message.is_error and isinstance(text, str):
            text = f"Error: {text}"
        return {
            "role": "tool",
            "tool_call_id": message.tool_call_id,
            "name": message.tool_name,
            "content": text,
        }
    return _assistant_entry(message, empty_reasoning)


def _assistant_entry(message: AssistantMessage, empty_reasoning: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"role": "assistant", "content": message.text or None}
    thinking = [p for p in message.content if isinstance(p, ThinkingPart)]
    if thinking:
        # encrypted reasoning must go back byte for byte, or Venice answers 400
        entry["reasoning_content"] = "".join(p.thinking for p in thinking)
    elif empty_reasoning:
        entry["reasoning_content"] = ""
    calls = message.tool_calls
    if calls:
        entry["tool_calls"] = [_call_entry(call) for call in calls]
    if entry["content"] is None and not calls:
        entry["content"] = ""
    return entry


def _call_entry(call: ToolCallPart) -> dict[str, Any]:
    arguments = call.raw_arguments or json.dumps(dict(call.arguments or {}))
    return {
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": arguments},
    }


def _content(content: str | Sequence[TextPart | ImagePart]) -> str | list[dict[str, Any]]:
    if isinstance(content, str):
        return content
    parts: list[dict[str, Any]] = []
    for part in content:
        if isinstance(part, TextPart):
            parts.append({"type": "text", "text": part.text})
        else:
            url = f"data:{part.mime_type};base64,{part.data}"
            parts.append({"type": "image_url", "image_url": {"url": url}})
    return parts


def _has_images(message: Message) -> bool:
    content = message.content if not isinstance(message, AssistantMessage) else ()
    return not isinstance(content, str) and any(isinstance(p, ImagePart) for p in content)


def completion_budget(model: ModelInfo, body: Mapping[str, Any], wanted: int | None) -> int:
    """``max_completion_tokens``: never above the model's limit nor the context left
    (Venice answers 400 above the limit, their issue #38168)."""
    prompt_tokens = estimate_tokens(body)
    left = model.context_window - prompt_tokens
    if left < 1:
        raise RequestRefused(
            f"the conversation (~{prompt_tokens} tokens) does not fit {model.ref}'s context "
            f"of {model.context_window}; shorten it or pick a model with a larger context"
        )
    return max(1, min(wanted or model.max_tokens, model.max_tokens, left))


def estimate_tokens(body: Mapping[str, Any]) -> int:
    """A cheap upper-leaning estimate: ~3 characters a token, images ~1500 tokens."""
    text = json.dumps(body.get("messages", []))
    images = text.count('"image_url"')
    image_bytes = sum(len(m) for m in text.split("base64,")[1:]) if images else 0
    return (len(text) - image_bytes) // 3 + images * 1500


def tool_entry(tool: Tool, strip_xai_keywords: bool = False) -> dict[str, Any]:
    parameters: Any = dict(tool.parameters) or {"type": "object", "properties": {}}
    if strip_xai_keywords:
        parameters = strip_schema_keywords(parameters, XAI_UNSUPPORTED_KEYWORDS)
    return {
        "type": "function",
        "function": {"name": tool.name, "description": tool.description, "parameters": parameters},
    }


def strip_schema_keywords(schema: Any, keywords: frozenset[str]) -> Any:
    """Drop validation ``keywords`` from a JSON Schema, descending only into sub-schemas, so
    a property that happens to be named ``minItems`` survives."""
    if not isinstance(schema, Mapping):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in keywords:
            continue
        if key in _SCHEMA_CONTAINERS and isinstance(value, Mapping):
            out[key] = {k: strip_schema_keywords(v, keywords) for k, v in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [strip_schema_keywords(v, keywords) for v in value]
        elif key in ("items", "additionalProperties", "not", "contains"):
            out[key] = strip_schema_keywords(value, keywords)
        else:
            out[key] = value
    return out


def reasoning_effort(model: ModelInfo, level: str | None) -> str | None:
    """The runtime's level mapped onto the model's ``reasoningEffortOptions`` (clamped to the
    nearest offered value), or None where the model takes no effort parameter."""
    spec = model.extra.get("reasoningEffort")
    if level is None or not isinstance(spec, Mapping) or _is_deepseek_v4(model):
        return None
    offered = [o for o in spec.get("options", ()) if o in EFFORT_SCALE]
    if not offered:
        return None
    target = EFFORT_SCALE.index("none" if level == "off" else level)
    if level == "off" and "none" not in offered:
        return None  # thinking is switched off through venice_parameters instead
    chosen: str = min(
        offered, key=lambda o: (abs(EFFORT_SCALE.index(o) - target), -EFFORT_SCALE.index(o))
    )
    return chosen


def venice_parameters(venice: VeniceOptions, model: ModelInfo, level: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {"include_venice_system_prompt": venice.include_venice_system_prompt}
    optional = {
        "enable_web_search": venice.web_search,
        "enable_web_citations": venice.web_citations,
        "enable_web_scraping": venice.web_scraping,
        "character_slug": venice.character,
        "strip_thinking_response": venice.strip_thinking,
        "disable_thinking": venice.disable_thinking,
        "include_search_results_in_stream": venice.search_results_in_stream,
        "enable_x_search": venice.x_search,
    }
    params.update({k: v for k, v in optional.items() if v is not None})
    if level == "off" and model.reasoning and "disable_thinking" not in params:
        params["disable_thinking"] = True
    return params


def _is_grok(model: ModelInfo) -> bool:
    return "grok" in model.id.lower()


def _is_deepseek_v4(model: ModelInfo) -> bool:
    return "deepseek-v4" in model.id.lower()


def _replays_empty_reasoning(model: ModelInfo) -> bool:
    """DeepSeek V4 wants ``reasoning_content`` on every replayed assistant turn."""
    return _is_deepseek_v4(model)
