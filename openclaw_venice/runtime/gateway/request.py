"""An OpenAI ``POST /v1/chat/completions`` body -> the host's turn: :class:`Context` and
:class:`ChatSettings`. Pure.

Every field is either taken into the turn, carried for the provider (``openai_fields``,
when the provider says it carries that field), accepted as a no-op (``n: 1``), or refused
with a :class:`BadField` naming it: nothing a runtime asked for is silently dropped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..ai import (
    AssistantMessage,
    AudioPart,
    ChatSettings,
    Context,
    ImagePart,
    ReasoningLevel,
    TextPart,
    ThinkingPart,
    Tool,
    ToolCallPart,
    ToolResultMessage,
    UserMessage,
    UserPart,
    VideoPart,
)

#: OpenAI's reasoning efforts (and the words runtimes send) on the host's scale
EFFORTS: Mapping[str, ReasoningLevel] = {
    "none": "off",
    "off": "off",
    "minimal": "minimal",
    "low": "low",
    "medium": "medium",
    "high": "high",
    "xhigh": "xhigh",
    "max": "xhigh",
}
#: fields the gateway itself reads; any other goes to the provider or is refused
OWN_FIELDS = frozenset(
    {
        "model",
        "messages",
        "stream",
        "stream_options",
        "tools",
        "temperature",
        "max_tokens",
        "max_completion_tokens",
        "reasoning_effort",
        "reasoning",
        "n",
        "prompt_cache_key",
        "response_format",
        "functions",
    }
)


class BadField(Exception):
    """A request field the gateway cannot honour: a 400 naming it (``param``)."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param


@dataclass(frozen=True, slots=True)
class TurnRequest:
    """One request, read: the model as asked (``provider/id`` or ``id``), the turn, and how
    to answer (streamed, with a usage chunk)."""

    model: str
    context: Context
    settings: ChatSettings
    stream: bool
    include_usage: bool


def read_request(body: Any, carried: Iterable[str], provider_id: str, model_id: str) -> TurnRequest:
    """``body`` (parsed JSON) as a turn. ``carried``: the OpenAI fields the provider carries;
    ``provider_id`` and ``model_id`` (the model's record id) mark the assistant turns of the
    history as that model's, so its opaque reasoning state goes back to it."""
    if not isinstance(body, Mapping):
        raise BadField("", "the request body must be a JSON object")
    carried = frozenset(carried)
    for name in body:
        if name not in OWN_FIELDS and name not in carried:
            raise BadField(
                name, f"the field {name!r} is not supported for this provider; remove it"
            )
    if body.get("functions") is not None:
        raise BadField("functions", "`functions` is deprecated; send `tools` instead")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise BadField("model", "`model` must be a model id such as provider/model")
    stream = _bool(body, "stream", False)
    include_usage = False
    options = body.get("stream_options")
    if options is not None:
        if not isinstance(options, Mapping):
            raise BadField("stream_options", "`stream_options` must be an object")
        include_usage = bool(options.get("include_usage"))
    n = body.get("n")
    if n is not None and n != 1:
        raise BadField("n", "only one choice per request (`n`: 1) is supported")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadField("messages", "`messages` must be a non-empty list")
    context = read_messages(messages, provider_id, model_id)
    context.tools = read_tools(body.get("tools"))
    fields = {k: v for k, v in body.items() if k in carried and k not in OWN_FIELDS}
    schema, response_format = read_response_format(body.get("response_format"), carried)
    if response_format is not None:
        fields["response_format"] = response_format
    settings = ChatSettings(
        max_tokens=_max_tokens(body),
        temperature=_number(body, "temperature"),
        reasoning=read_reasoning(body),
        session_id=session_id(body, context),
        response_schema=schema,
        openai_fields=fields,
        max_retries=0,  # the runtime's client retries (the openai SDK: twice): one layer only
    )
    return TurnRequest(model, context, settings, stream, include_usage)


def read_messages(entries: Sequence[Any], provider_id: str, model_id: str) -> Context:
    context = Context()
    system: list[str] = []
    names: dict[str, str] = {}  # tool call id -> its tool's name
    for i, entry in enumerate(entries):
        where = f"messages[{i}]"
        if not isinstance(entry, Mapping):
            raise BadField(where, f"`{where}` must be an object")
        role = entry.get("role")
        if role in ("system", "developer"):
            system.append(_text(entry.get("content"), f"{where}.content"))
        elif role == "user":
            context.messages.append(UserMessage(_user_content(entry.get("content"), where)))
        elif role == "assistant":
            message = _assistant(entry, where, provider_id, model_id)
            names.update((c.id, c.name) for c in message.tool_calls)
            context.messages.append(message)
        elif role == "tool":
            call_id = entry.get("tool_call_id")
            if not isinstance(call_id, str):
                raise BadField(f"{where}.tool_call_id", f"`{where}.tool_call_id` is missing")
            parts = _user_content(entry.get("content") or "", where)
            result: str | list[TextPart | ImagePart] = parts if isinstance(parts, str) else [
                p for p in parts if isinstance(p, TextPart | ImagePart)
            ]
            if len(result) < len(parts):
                raise BadField(f"{where}.content", "a tool result takes text and images only")
            name = names.get(call_id) or str(entry.get("name") or "")
            context.messages.append(ToolResultMessage(call_id, name, result))
        else:
            raise BadField(f"{where}.role", f"`{where}.role` {role!r} is not a chat role")
    context.system_prompt = "\n\n".join(s for s in system if s) or None
    return context


def _assistant(
    entry: Mapping[str, Any], where: str, provider_id: str, model_id: str
) -> AssistantMessage:
    parts: list[TextPart | ThinkingPart | ToolCallPart] = []
    reasoning = entry.get("reasoning_content") or entry.get("reasoning")
    if isinstance(reasoning, str) and reasoning:
        parts.append(ThinkingPart(reasoning))
    content = entry.get("content")
    if content:
        parts.append(TextPart(_text(content, f"{where}.content")))
    calls = entry.get("tool_calls") or ()
    if not isinstance(calls, list):
        raise BadField(f"{where}.tool_calls", f"`{where}.tool_calls` must be a list")
    for j, call in enumerate(calls):
        parts.append(_tool_call(call, f"{where}.tool_calls[{j}]"))
    details = entry.get("reasoning_details")
    signature = entry.get("thought_signature")
    return AssistantMessage(
        parts,
        "toolUse" if calls else "stop",
        model=model_id,
        provider=provider_id,
        reasoning_details=tuple(d for d in details if isinstance(d, Mapping))
        if isinstance(details, list)
        else (),
        thought_signature=signature if isinstance(signature, str) and signature else None,
    )


def _tool_call(call: Any, where: str) -> ToolCallPart:
    function = call.get("function") if isinstance(call, Mapping) else None
    if not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
        raise BadField(where, f"`{where}` must have a function with a name")
    raw = function.get("arguments") or ""
    if not isinstance(raw, str):
        raw = json.dumps(raw)
    try:
        arguments = json.loads(raw) if raw else {}
    except ValueError:
        arguments = None
    if not isinstance(arguments, Mapping):
        arguments = None
    return ToolCallPart(
        str(call.get("id") or ""),
        function["name"],
        arguments,
        raw,
        thought_signature=_call_signature(call),
    )


def _call_signature(call: Mapping[str, Any]) -> str | None:
    """Gemini's per-call signature, where the gateway put it (``extra_content.google``, as
    Google's endpoint does) or at the call's top level (as Venice sends it)."""
    signature = call.get("thought_signature")
    extra = call.get("extra_content")
    if signature is None and isinstance(extra, Mapping):
        google = extra.get("google")
        signature = google.get("thought_signature") if isinstance(google, Mapping) else None
    return signature if isinstance(signature, str) and signature else None


def _user_content(content: Any, where: str) -> str | list[UserPart]:
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        raise BadField(f"{where}.content", f"`{where}.content` must be text or a list of parts")
    parts: list[UserPart] = []
    for j, part in enumerate(content):
        at = f"{where}.content[{j}]"
        kind = part.get("type") if isinstance(part, Mapping) else None
        if kind == "text" and isinstance(part.get("text"), str):
            parts.append(TextPart(part["text"]))
        elif kind == "image_url":
            parts.append(_image(part.get("image_url"), at))
        elif kind == "input_audio":
            parts.append(_audio(part.get("input_audio"), at))
        elif kind == "video_url":
            parts.append(_video(part.get("video_url"), at))
        else:
            raise BadField(at, f"`{at}` must be a text, image_url, input_audio or video_url part")
    return parts


def _audio(audio: Any, where: str) -> AudioPart:
    """OpenAI's ``input_audio``: base64 ``data`` and its ``format`` (wav by default)."""
    data = audio.get("data") if isinstance(audio, Mapping) else None
    audio_format = audio.get("format", "wav") if isinstance(audio, Mapping) else None
    if not isinstance(data, str) or not data or not isinstance(audio_format, str):
        raise BadField(where, f"`{where}.input_audio` needs base64 `data` and a `format`")
    return AudioPart(data, audio_format)


def _video(video: Any, where: str) -> VideoPart:
    url = video.get("url") if isinstance(video, Mapping) else video
    if not isinstance(url, str) or not url.startswith(("https://", "data:video/")):
        raise BadField(where, f"`{where}.video_url.url` must be an https or data:video URL")
    return VideoPart(url)


def _image(image: Any, where: str) -> ImagePart:
    url = image.get("url") if isinstance(image, Mapping) else image
    if not isinstance(url, str) or not url.startswith("data:") or ";base64," not in url:
        raise BadField(where, f"`{where}` must be a base64 data: URL (fetch the image first)")
    head, _, data = url.partition(";base64,")
    return ImagePart(data, head.removeprefix("data:") or "image/png")


def _text(content: Any, where: str) -> str:
    """Text content: a string, or text parts joined."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [p.get("text") for p in content if isinstance(p, Mapping)]
        if all(isinstance(t, str) for t in texts) and len(texts) == len(content):
            return "".join(t for t in texts if isinstance(t, str))
    raise BadField(where, f"`{where}` must be text")


def read_tools(tools: Any) -> list[Tool]:
    if tools is None:
        return []
    if not isinstance(tools, list):
        raise BadField("tools", "`tools` must be a list")
    out: list[Tool] = []
    for i, tool in enumerate(tools):
        function = tool.get("function") if isinstance(tool, Mapping) else None
        if (
            not isinstance(tool, Mapping)
            or tool.get("type", "function") != "function"
            or not isinstance(function, Mapping)
            or not isinstance(function.get("name"), str)
        ):
            raise BadField(f"tools[{i}]", f"`tools[{i}]` must be a function tool with a name")
        parameters = function.get("parameters")
        out.append(
            Tool(
                function["name"],
                str(function.get("description") or ""),
                parameters
                if isinstance(parameters, Mapping)
                else {"type": "object", "properties": {}},
            )
        )
    return out


def read_reasoning(body: Mapping[str, Any]) -> ReasoningLevel | None:
    """``reasoning_effort`` (OpenAI), or OpenRouter's ``reasoning: {effort, enabled}``."""
    effort = body.get("reasoning_effort")
    reasoning = body.get("reasoning")
    if reasoning is not None:
        if not isinstance(reasoning, Mapping):
            raise BadField("reasoning", "`reasoning` must be an object")
        if reasoning.get("enabled") is False and effort is None:
            return "off"
        effort = effort if effort is not None else reasoning.get("effort")
    if effort is None:
        return None
    level = EFFORTS.get(str(effort).lower())
    if level is None:
        raise BadField(
            "reasoning_effort",
            f"`reasoning_effort` {effort!r} is not one of {', '.join(EFFORTS)}",
        )
    return level


def read_response_format(
    value: Any, carried: frozenset[str]
) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
    """A JSON schema (the host's ``response_schema``) or another format the provider
    carries as is; ``text`` is the default and asks for nothing."""
    if value is None:
        return None, None
    kind = value.get("type") if isinstance(value, Mapping) else None
    if kind == "text":
        return None, None
    if kind == "json_schema":
        spec = value.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, Mapping) else None
        if not isinstance(schema, Mapping):
            raise BadField("response_format", "`response_format.json_schema.schema` is missing")
        return schema, None
    if kind == "json_object" and "response_format" in carried:
        return None, value
    raise BadField("response_format", f"`response_format` type {kind!r} is not supported")


def session_id(body: Mapping[str, Any], context: Context) -> str:
    """The client's ``prompt_cache_key``, else a digest of what starts the conversation (the
    same for every turn of it), so the provider can route it to a warm cache."""
    key = body.get("prompt_cache_key")
    if isinstance(key, str) and key:
        return key
    first = next((m for m in context.messages if isinstance(m, UserMessage)), None)
    seed = json.dumps(
        [body.get("model"), context.system_prompt, _plain(first.content) if first else ""]
    )
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def _plain(content: str | Sequence[UserPart]) -> str:
    if isinstance(content, str):
        return content
    return "".join(p.text if isinstance(p, TextPart) else p[0][:64] for p in content)


def _max_tokens(body: Mapping[str, Any]) -> int | None:
    for name in ("max_completion_tokens", "max_tokens"):
        value = body.get(name)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise BadField(name, f"`{name}` must be a positive integer")
        return value
    return None


def _number(body: Mapping[str, Any], name: str) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise BadField(name, f"`{name}` must be a number")
    return float(value)


def _bool(body: Mapping[str, Any], name: str, default: bool) -> bool:
    value = body.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise BadField(name, f"`{name}` must be true or false")
    return value
