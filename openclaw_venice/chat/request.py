"""Runtime turn -> Venice ``POST /chat/completions`` body. Pure.

Venice rejects unknown top-level fields (400), so only fields in its
``ChatCompletionRequest`` appear; Venice switches go in ``venice_parameters``. Messages are
built in :mod:`.replay`, tools in :mod:`.tool_schema`; per-model behaviour is the record's
profile (:mod:`..profiles`).

``warn`` is called on every build that drops or changes something the caller asked for, with
a message that depends only on the model and the cause: a caller that wants each said once
(``VeniceChat.warn_once``) keeps the messages it has shown.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..errors import RequestRefused
from ..profiles import profiled
from ..runtime.ai import Context, ReasoningLevel, Tool
from ..runtime.catalog import ModelInfo
from .openai_fields import checked_fields
from .options import StreamOptions, VeniceOptions
from .replay import build_messages
from .tool_schema import tool_entry

# Venice's ``reasoning_effort`` values, lowest first (the spec's enum, in order)
EFFORT_SCALE = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
CHARS_PER_TOKEN_LOW = 4  # prose; the usual estimate, also OpenClaw's
CHARS_PER_TOKEN_HIGH = 3  # code and JSON, which agent turns are mostly made of
IMAGE_TOKENS = 1500
MIN_ANSWER_TOKENS = 4096
_DATA_URL = re.compile(r"data:[^\"',;]*;base64,[A-Za-z0-9+/=]*")
Warn = Callable[[str], None]


def _ignore(message: str) -> None:
    """The default ``warn``: say nothing."""


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
    warn: Warn = _ignore,
    venice_defaults: Mapping[str, Any] | None = None,
    media_models: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """The request body for one turn. Raises :class:`RequestRefused` for what Venice would
    refuse (E2EE models get this body, then ``chat/e2ee.py`` gates and seals it).
    ``requested_id`` contributes only its ``:key=value`` suffix: the id sent is always the
    record's (a renamed id resolved), with one suffix: the requested one, else the one a
    record's own id may carry. ``venice_defaults``: ``venice_parameters`` the turn's own
    switches go over (the config's ``params.venice_parameters``). ``media_models``: the
    models that take ``audio`` / ``video`` input, named when a turn holds one the model
    does not take. A record made outside Venice's catalog (by hand, by the config file)
    gets the profile its id implies (:func:`..profiles.profiled`)."""
    model = profiled(model)
    refuse_unsendable(model, options)
    messages = build_messages(model, context, vision_models, warn, media_models)
    if not messages:  # the spec's ``minItems: 1``
        raise RequestRefused("nothing to send: the conversation has no messages")
    record_id, own_suffix = split_model_suffix(model.id)
    suffix = split_model_suffix(requested_id or "")[1] or own_suffix
    body: dict[str, Any] = RequestBody(model=record_id + suffix, messages=messages)
    if stream:
        body["stream"] = True  # no stream_options: Venice sends the usage chunk regardless
    if options.temperature is not None:
        body["temperature"] = options.temperature
    tools = tool_entries(model, context.tools, warn)
    if tools:
        body["tools"] = tools
    if options.openai_fields:
        body.update(checked_fields(options.openai_fields, with_tools=bool(tools)))
    effort = turn_effort(model, options.reasoning, bool(tools), warn)
    if effort is not None:
        body["reasoning_effort"] = effort
    if options.session_id:
        body["prompt_cache_key"] = prompt_cache_key(options.session_id)
    if options.response_schema is not None:
        body["response_format"] = response_format(options.response_schema)
    body["venice_parameters"] = venice_parameters(
        options.venice, model, options.reasoning, venice_defaults
    )
    encoded = json.dumps(messages)  # the bulk of the body, encoded once: estimated and sent
    body.encoded_messages = (messages, encoded)  # type: ignore[attr-defined]
    body["max_completion_tokens"] = completion_budget(model, body, options.max_tokens, encoded)
    return body


class RequestBody(dict[str, Any]):
    """A request body whose ``messages`` were encoded once already (for the prompt's size):
    :func:`encode_body` sends that encoding instead of encoding them again. A copy (``dict``)
    is a plain body, encoded whole."""

    encoded_messages: tuple[object, str] | None = None


_SLOT = "\x00messages\x00"
_SLOT_JSON = json.dumps(_SLOT)


def encode_body(body: Mapping[str, Any]) -> bytes:
    """The JSON of ``body`` as sent; its messages' encoding reused when they are the ones
    that were encoded (a 10,000-message turn is encoded once, not twice)."""
    cached = getattr(body, "encoded_messages", None)
    if cached is None or body.get("messages") is not cached[0]:
        return json.dumps(body, ensure_ascii=False).encode()
    head = json.dumps({**body, "messages": _SLOT}, ensure_ascii=False)
    return head.replace(_SLOT_JSON, cached[1], 1).encode()


def refuse_unsendable(model: ModelInfo, options: StreamOptions) -> None:
    temperature = options.temperature
    if temperature is not None and not 0 <= temperature <= 2:
        raise RequestRefused(f"temperature must be between 0 and 2 (got {temperature})")


def tool_entries(model: ModelInfo, tools: Sequence[Tool], warn: Warn) -> list[dict[str, Any]]:
    """Tools for models with function calling; others get the turn without them (and the
    caller a warning): Venice fails the whole request otherwise."""
    if tools and not model.supports_tools:
        warn(f"{model.ref} does not support tools; sending the turn without them")
        return []
    xai = model.profile.tool_schema == "xai"
    return [tool_entry(tool, strip_xai_keywords=xai) for tool in tools]


def effort_options(model: ModelInfo) -> list[str]:
    """The efforts the model takes, as Venice spells them (its profile's, from the catalog's
    ``reasoningEffortOptions``); none for models without ``supportsReasoningEffort``."""
    return [o for o in model.profile.reasoning_efforts if o in EFFORT_SCALE]


def reasoning_effort(model: ModelInfo, level: ReasoningLevel | None) -> str | None:
    """The runtime's level on the model's scale: ``off`` is ``none`` where offered; any other
    level the nearest offered effort other than ``none`` (the higher on a tie). None where
    the model takes no effort; ``off`` then goes through ``disable_thinking``."""
    offered = effort_options(model)
    if level is None or not offered:
        return None
    if level == "off":
        return "none" if "none" in offered else None
    target = EFFORT_SCALE.index(level)
    thinking = [EFFORT_SCALE.index(o) for o in offered if o != "none"]
    if not thinking:
        return None
    return EFFORT_SCALE[min(thinking, key=lambda i: (abs(i - target), -i))]


def turn_effort(
    model: ModelInfo, level: ReasoningLevel | None, with_tools: bool, warn: Warn
) -> str | None:
    """:func:`reasoning_effort`, except on models that reject an effort beside function
    tools: there every tool turn says ``none``, whether or not the model's levels list it
    (leaving it out would let the model's default effort fail the turn). A level that is
    dropped or changed on the way is said through ``warn``, in one line."""
    if with_tools and not model.profile.effort_with_tools:
        if level not in (None, "off"):
            warn(
                f"{model.ref} takes no reasoning effort beside tools; tool turns run with "
                f"effort none (not {level})"
            )
        return "none"
    effort = reasoning_effort(model, level)
    if level is None or level == "off" or effort == level:
        return effort
    if effort is None:
        warn(f"{model.ref} has no reasoning effort to set; reasoning level {level} ignored")
    else:
        offered = ", ".join(o for o in effort_options(model) if o != "none")
        warn(f"{model.ref} takes reasoning effort {offered}; using {effort} for {level}")
    return effort


def prompt_cache_key(session_id: str) -> str:
    """Stable per session, so Venice routes a conversation to a warm cache; a digest, so the
    local session id never leaves the machine and the key fits OpenAI's 64 characters."""
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()[:32]


def response_format(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Structured output, in the OpenAI shape Venice documents (``strict`` is required)."""
    return {
        "type": "json_schema",
        "json_schema": {"name": "response", "strict": True, "schema": dict(schema)},
    }


def venice_parameters(
    venice: VeniceOptions,
    model: ModelInfo,
    level: ReasoningLevel | None,
    defaults: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The turn's switches over ``defaults``; always says ``include_venice_system_prompt``
    (Venice's default is true; ours, false); level ``off`` on a reasoning model sets
    ``disable_thinking`` unless the caller set it."""
    params = {**(defaults or {}), **venice.parameters()}
    params.setdefault("include_venice_system_prompt", False)
    if level == "off" and model.reasoning:
        params.setdefault("disable_thinking", True)
    return params


def completion_budget(
    model: ModelInfo, body: Mapping[str, Any], wanted: int | None, messages_json: str | None = None
) -> int:
    """``max_completion_tokens``: at most the model's limit (more is a 400, their issue
    #38168) and the context left after the prompt.

    Without a tokenizer the prompt's size is a range (:func:`prompt_token_range`). Only a
    prompt that fills the context even at the low end is refused; the budget leaves room for
    the high end, but never shrinks below :data:`MIN_ANSWER_TOKENS` while the low end leaves
    that much: a near-full conversation gets an answer, and Venice's own count decides."""
    low, high = prompt_token_range(body, messages_json)
    if low >= model.context_window:
        raise RequestRefused(
            f"the conversation (~{low} tokens) does not fit {model.ref}'s context of "
            f"{model.context_window} tokens; shorten it or pick a model with a larger context"
        )
    left = max(model.context_window - high, min(model.context_window - low, MIN_ANSWER_TOKENS))
    limit = model.max_tokens if wanted is None or wanted < 1 else min(wanted, model.max_tokens)
    return max(1, min(limit, left))


def prompt_token_range(
    body: Mapping[str, Any], messages_json: str | None = None
) -> tuple[int, int]:
    """Low and high estimates of the prompt's tokens: messages, tools and response schema as
    JSON (non-ASCII escaped, which weighs it about right), each image ~1500 tokens.
    ``messages_json``: ``json.dumps`` of the body's messages, when already made."""
    if messages_json is None:
        messages_json = json.dumps(body.get("messages", []))
    rest = json.dumps(body.get("tools", [])), json.dumps(body.get("response_format"))
    text = f"[{messages_json}, {rest[0]}, {rest[1]}]"  # json.dumps of the three, as a list
    text, images = _DATA_URL.subn("", text) if "data:" in text else (text, 0)
    chars = len(text)
    extra = images * IMAGE_TOKENS
    low = math.ceil(chars / CHARS_PER_TOKEN_LOW) + extra
    high = math.ceil(chars / CHARS_PER_TOKEN_HIGH) + extra
    return low, high
