"""What some of Venice's upstream models need that the OpenAI shape does not say.

Each predicate names the failure it avoids. Ids match case-insensitively, by substring where
a family shares a pattern, so a renamed or dated variant (``deepseek-v4-flash-0731``) keeps
its quirk.
"""

from __future__ import annotations

from ..runtime.catalog import ModelInfo


def is_e2ee(model: ModelInfo) -> bool:
    """End-to-end encrypted models need a key exchange this plugin does not do yet."""
    return model.id.lower().startswith("e2ee-") or bool(model.extra.get("e2ee"))


def is_grok(model: ModelInfo) -> bool:
    """xAI's function calling rejects some JSON Schema keywords in tool parameters."""
    return "grok" in model.id.lower()


def is_deepseek_v4(model: ModelInfo) -> bool:
    """DeepSeek V4 wants ``reasoning_content`` on every replayed assistant turn, and takes no
    ``reasoning_effort`` through Venice (values its catalog row offers, such as ``max``, fail)."""
    return "deepseek-v4" in model.id.lower()


def rejects_effort_with_tools(model: ModelInfo) -> bool:
    """OpenAI's GPT-5 family on chat completions: "Function tools with reasoning_effort are
    not supported for gpt-5.x in /v1/chat/completions ... set reasoning_effort to 'none'".
    Leaving the effort out is not enough: the model's default effort counts."""
    return model.id.lower().startswith("openai-gpt-5")


def encodes_tool_arguments_as_html(model: ModelInfo) -> bool:
    """xAI's Grok may send tool-call arguments HTML-entity encoded (``&quot;`` for ``"``);
    the TypeScript plugin sets ``toolCallArgumentsEncoding: "html-entities"`` for the Venice
    models whose id holds ``grok``, and only for them."""
    return is_grok(model)


def needs_signed_tool_calls(model: ModelInfo) -> bool:
    """Gemini 3 refuses a replayed tool call without the ``thought_signature`` it issued with
    it ("Function call is missing a thought_signature", openclaw issue 119591); Gemini 2.5
    does not ask for one. The TypeScript plugin's test: ``^gemini-3([.-]|$)``."""
    model_id = model.id.lower()
    return model_id.startswith("gemini-3") and model_id[8:9] in ("", ".", "-")
