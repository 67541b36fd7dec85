"""Each Venice model's :class:`ModelProfile`: what some upstream models need that the OpenAI
shape does not say, decided once when the catalog record is built.

The chat code reads the profile's fields and tests no model ids. The rules below are the one
place that looks at ids: case-insensitively, by substring where a family shares a pattern, so
a renamed or dated variant (``deepseek-v4-flash-0731``) keeps its behaviour. Each rule names
the failure it avoids.
"""

from __future__ import annotations

from collections.abc import Sequence

from .runtime.catalog import ModelInfo, ModelProfile, Replay

DEFAULT = ModelProfile()

#: families whose chat template ends the generation prompt with ``<think>`` (their model
#: cards: Qwen3 *-Thinking-2507 "the default chat template automatically includes <think>",
#: QwQ, DeepSeek-R1, and Qwen3.5/3.6 while thinking is on)
_OPENS_THINKING = (
    "thinking-2507", "qwq", "deepseek-r1", "qwen3-5", "qwen3-6", "qwen3.5", "qwen3.6",
)  # fmt: skip


def venice_profile(
    model_id: str, *, reasoning: bool, efforts: Sequence[str] = (), e2ee: bool = False
) -> ModelProfile:
    """The profile of ``model_id``: ``efforts`` and ``e2ee`` as Venice's catalog lists them,
    ``reasoning`` the record's flag; the rest follows from the model's family."""
    lowered = model_id.lower()
    deepseek_v4 = "deepseek-v4" in lowered
    grok = "grok" in lowered
    return ModelProfile(
        # DeepSeek V4 takes no reasoning_effort through Venice: values its catalog row
        # offers, such as ``max``, fail
        reasoning_efforts=() if deepseek_v4 else tuple(efforts),
        # OpenAI's GPT-5 family on chat completions: "Function tools with reasoning_effort
        # are not supported for gpt-5.x in /v1/chat/completions ... set reasoning_effort to
        # 'none'". Leaving the effort out is not enough: the model's default effort counts.
        effort_with_tools=not lowered.startswith("openai-gpt-5"),
        # xAI's function calling rejects some JSON Schema keywords in tool parameters
        tool_schema="xai" if grok else "json-schema",
        # Grok may send tool-call arguments HTML-entity encoded (``&quot;``); the TypeScript
        # plugin sets ``toolCallArgumentsEncoding: "html-entities"`` for ids holding ``grok``
        tool_arguments="html-entities" if grok else "json",
        replay=_replay(lowered, deepseek_v4),
        # end-to-end encrypted models: Venice's catalog flag, or the id's ``e2ee-`` prefix
        e2ee=e2ee or lowered.startswith("e2ee-"),
        think_tags="opened"
        if reasoning and any(f in lowered for f in _OPENS_THINKING)
        else "leading",
    )


def _replay(lowered: str, deepseek_v4: bool) -> Replay:
    if deepseek_v4:  # wants ``reasoning_content`` on every replayed assistant turn
        return "reasoning-content"
    # Gemini 3 refuses a replayed tool call without the ``thought_signature`` it issued with
    # it ("Function call is missing a thought_signature", openclaw issue 119591); Gemini 2.5
    # does not ask for one. The TypeScript plugin's test: ``^gemini-3([.-]|$)``.
    if lowered.startswith("gemini-3") and lowered[8:9] in ("", ".", "-"):
        return "thought-signatures"
    return "openai"


def profiled(model: ModelInfo) -> ModelInfo:
    """``model`` with a profile: a record made outside Venice's catalog (a model only the
    config file lists, one built by hand) carries the default one; it gets the profile its id
    implies. A record with a profile is returned as it is."""
    if model.profile != DEFAULT:
        return model
    profile = venice_profile(model.id, reasoning=model.reasoning)
    return model if profile == DEFAULT else model._replace(profile=profile)
