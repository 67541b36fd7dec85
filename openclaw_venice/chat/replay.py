"""Runtime conversation -> Venice ``messages``, in the shapes Venice's spec allows. Pure.

Replay rules, each avoiding a 400 from an OpenAI-shaped API:

* Assistant turns that ended in ``error`` or ``aborted`` are left out: they may hold half a
  tool call (OpenClaw's AI layer does the same).
* A tool call without a result gets a synthetic error result before the next turn; a result
  that answers no pending call is left out.
* A tool message takes only a string (the spec's Tool Message ``content``), so the images of
  a run of tool results follow it as one user message (vision models) or become a note.
* Thinking goes back as ``reasoning_content``; encrypted reasoning verbatim and alone.
* Text parts must not be empty (the spec's ``minLength: 1``).
* A user's audio goes as an ``input_audio`` part, a video as a ``video_url`` part (at most 3
  videos a request, as the spec says), each only to a model whose input lists ``audio`` /
  ``video``: elsewhere the turn is refused before sending, naming models that take them.
* Gemini's ``reasoning_details`` and ``thought_signature`` (message and tool calls) go back
  exactly as received, to the model that issued them only (same provider and model id);
  Gemini 3 gets tool history that cannot carry its signature as text (:mod:`.gemini_replay`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..errors import RequestRefused
from ..runtime.ai import (
    AssistantMessage,
    AudioPart,
    Context,
    ImagePart,
    Message,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolResultMessage,
    UserMessage,
    UserPart,
    VideoPart,
)
from ..runtime.catalog import ModelInfo
from .gemini_replay import downgrade_unsigned_tool_history

Warn = Callable[[str], None]
NO_RESULT = "No result provided"
NO_OUTPUT = "(no output)"
TOOL_IMAGES_INTRO = "Images returned by the tool calls above:"
MAX_VIDEOS = 3  # the spec's video_url: "At most 3 videos may be provided in one request"


def _ignore(message: str) -> None:
    """The default ``warn``: say nothing."""


def build_messages(
    model: ModelInfo,
    context: Context,
    vision_models: Sequence[str] = (),
    warn: Warn = _ignore,
    media_models: Mapping[str, Sequence[str]] | None = None,
) -> list[dict[str, Any]]:
    """The ``messages`` of one request. Raises :class:`RequestRefused` for user images sent
    to a model without vision (and user audio or video to a model that takes none: named in
    ``media_models["audio"]`` / ``["video"]``); a tool result's images there become a note
    (and a warning), so that a screenshot tool cannot wedge a conversation on a text-only
    model."""
    vision = "image" in model.input
    refuse_user_media(model, context.messages, media_models or {}, vision_models)
    out: list[dict[str, Any]] = []
    if context.system_prompt:
        out.append({"role": "system", "content": context.system_prompt})
    held: list[ImagePart] = []  # tool-result images wait for the end of the run of results
    append = out.append
    reasoning_replayed = model.profile.replay == "reasoning-content"
    for message in repair(context.messages):
        if isinstance(message, ToolResultMessage):
            append(tool_entry(message, vision))
            held.extend(_images(message.content))
            continue
        if held:
            out.extend(_held_images(held, model, vision, warn))
            held = []
        if isinstance(message, UserMessage):
            content = message.content  # most turns: plain text, sent as it is
            append({"role": "user", "content": content if isinstance(content, str)
                    else user_content(content)})  # fmt: skip
        else:
            signed = issued_by(message, model)
            out.append(assistant_entry(message, reasoning_replayed, signed))
    out.extend(_held_images(held, model, vision, warn))
    signatures = model.profile.replay == "thought-signatures"
    return downgrade_unsigned_tool_history(out) if signatures else out


def issued_by(message: AssistantMessage, model: ModelInfo) -> bool:
    """Whether ``model`` wrote ``message``: only then do its signatures mean anything to it."""
    return message.provider == model.provider and message.model == model.id


def repair(messages: Iterable[Message]) -> list[Message]:
    """Leave out failed assistant turns and results that answer no pending call; answer every
    call left without a result, before the next turn."""
    out: list[Message] = []
    pending: dict[str, ToolCallPart] = {}
    for message in messages:
        if isinstance(message, ToolResultMessage):
            if pending.pop(message.tool_call_id, None) is not None:
                out.append(message)
            continue
        if pending:
            out.extend(_unanswered(pending))
            pending = {}
        if isinstance(message, AssistantMessage):
            if message.stop_reason in ("error", "aborted"):
                continue
            pending = {call.id: call for call in message.tool_calls}
        out.append(message)
    out.extend(_unanswered(pending))
    return out


def _unanswered(pending: dict[str, ToolCallPart]) -> list[ToolResultMessage]:
    return [ToolResultMessage(c.id, c.name, NO_RESULT, is_error=True) for c in pending.values()]


def user_content(content: str | Sequence[UserPart]) -> str | list[dict[str, Any]]:
    if isinstance(content, str):
        return content
    parts = [_part(p) for p in content if not isinstance(p, TextPart) or p.text]
    return parts or ""


def _part(part: UserPart) -> dict[str, Any]:
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text}
    if isinstance(part, AudioPart):
        return {"type": "input_audio", "input_audio": {"data": part.data, "format": part.format}}
    if isinstance(part, VideoPart):
        return {"type": "video_url", "video_url": {"url": part.url}}
    url = f"data:{part.mime_type};base64,{part.data}"
    return {"type": "image_url", "image_url": {"url": url}}


def tool_entry(message: ToolResultMessage, vision: bool = True) -> dict[str, Any]:
    """A tool message: text only. Its images are announced here and sent after the run."""
    content = message.content
    if isinstance(content, str):
        text = content
    else:
        text = "\n".join(p.text for p in content if isinstance(p, TextPart) and p.text)
    count = len(_images(content))
    if count:
        where = "attached below" if vision else "left out: this model does not accept images"
        text = f"{text}\n({count} image{'s' if count > 1 else ''} {where})".lstrip("\n")
    text = text or NO_OUTPUT
    if message.is_error and not text.lower().startswith("error"):
        text = f"Error: {text}"
    # ``name`` is allowed on tool messages; some upstreams match results to calls by it
    return {
        "role": "tool",
        "tool_call_id": message.tool_call_id,
        "name": message.tool_name,
        "content": text,
    }


def _held_images(
    images: Sequence[ImagePart], model: ModelInfo, vision: bool, warn: Warn
) -> list[dict[str, Any]]:
    if not images:
        return []
    if not vision:
        warn(f"{model.ref} does not accept images; images from tool results were left out")
        return []
    parts = [{"type": "text", "text": TOOL_IMAGES_INTRO}, *map(_part, images)]
    return [{"role": "user", "content": parts}]


def assistant_entry(
    message: AssistantMessage, empty_reasoning: bool = False, signed: bool = False
) -> dict[str, Any]:
    """``signed``: the target model issued this turn, so its signatures go back with it."""
    entry: dict[str, Any] = {"role": "assistant", "content": message.text or None}
    reasoning = replayed_reasoning(message)
    if reasoning is not None:
        entry["reasoning_content"] = reasoning
    elif empty_reasoning:
        entry["reasoning_content"] = ""
    if signed and message.reasoning_details:
        entry["reasoning_details"] = [dict(item) for item in message.reasoning_details]
    if signed and message.thought_signature:
        entry["thought_signature"] = message.thought_signature
    calls = message.tool_calls
    if calls:
        entry["tool_calls"] = [_call_entry(call, signed) for call in calls]
    elif entry["content"] is None:
        entry["content"] = ""
    return entry


def replayed_reasoning(message: AssistantMessage) -> str | None:
    """Encrypted reasoning must go back byte for byte or Venice answers 400, so when there is
    any, only it goes back (plain text joined to it would corrupt it)."""
    thinking = [p for p in message.content if isinstance(p, ThinkingPart)]
    if not thinking:
        return None
    encrypted = [p for p in thinking if p.encrypted]
    return "".join(p.thinking for p in (encrypted or thinking))


def _call_entry(call: ToolCallPart, signed: bool = False) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": call_arguments(call)},
    }
    if signed and call.thought_signature:
        entry["thought_signature"] = call.thought_signature
    return entry


def call_arguments(call: ToolCallPart) -> str:
    """The arguments as the model wrote them when they are a JSON object; otherwise the parsed
    ones (or ``{}``): upstreams that re-parse them (Anthropic's, through Venice) fail on bad
    JSON."""
    try:
        raw_is_object = isinstance(json.loads(call.raw_arguments or "null"), dict)
    except (ValueError, RecursionError):
        raw_is_object = False
    return call.raw_arguments if raw_is_object else json.dumps(dict(call.arguments or {}))


def _images(content: str | Sequence[UserPart]) -> list[ImagePart]:
    return [] if isinstance(content, str) else [p for p in content if isinstance(p, ImagePart)]


def refuse_user_media(
    model: ModelInfo,
    messages: Iterable[Message],
    takers: Mapping[str, Sequence[str]],
    vision_models: Sequence[str] = (),
) -> None:
    """:class:`RequestRefused` when a user turn holds an image ``model`` does not take (naming
    up to six ``vision_models``), audio or video it does not take (naming up to six models in
    ``takers``), or more videos than one request may carry. One pass over the conversation
    (a turn re-sends all of it); a text-only user turn costs one type check."""
    images = False
    refused: str | None = None  # the first kind of media the model does not take
    videos = 0
    for message in messages:
        if not isinstance(message, UserMessage) or isinstance(message.content, str):
            continue
        audio = video = False
        for part in message.content:  # isinstance: a subclass is sent as its base is
            if isinstance(part, ImagePart):
                images = True
            elif isinstance(part, AudioPart):
                audio = True
            elif isinstance(part, VideoPart):
                video = True
                videos += 1
        if refused is None and audio and "audio" not in model.input:
            refused = "audio"
        if refused is None and video and "video" not in model.input:
            refused = "video"
    if images and "image" not in model.input:
        names = ", ".join(vision_models[:6]) or "see `openclaw models list --vision`"
        raise RequestRefused(f"{model.ref} does not accept images; use a vision model: {names}")
    if refused is not None:
        names = ", ".join(takers.get(refused, ())[:6]) or "none in this catalog"
        raise RequestRefused(
            f"{model.ref} does not accept {refused} input; use a model that does: {names}"
        )
    if videos > MAX_VIDEOS:
        raise RequestRefused(
            f"{videos} videos in one conversation; {model.ref} takes at most {MAX_VIDEOS}"
        )
