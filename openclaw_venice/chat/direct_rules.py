"""What Venice asks of a request another runtime's own client sends (the plugin contract's
``DirectClientRules``), built from the same pure functions as our own requests.

Such a client (an agent runtime sending through the openai SDK) builds messages, tools and
the token budget itself; these rules add what Venice needs on top: its system prompt off,
``disable_thinking`` for a turn without thinking, the effort gated and clamped to what the
model offers, and the session's ``prompt_cache_key`` as a digest.
"""

from __future__ import annotations

from typing import Any

from ..errors import RequestRefused
from ..profiles import profiled
from ..runtime.ai import ChatSettings
from ..runtime.catalog import ModelInfo
from .options import StreamOptions, VeniceOptions
from .request import prompt_cache_key, refuse_unsendable, turn_effort, venice_parameters


def offered_for_agents(model: ModelInfo) -> bool:
    """An agent sends tools on every turn, so only models with function calling; never an
    e2ee model, whose prompts must be encrypted on this machine (another client would send
    them in the clear); never a retired id."""
    return model.supports_tools and not profiled(model).profile.e2ee and not model.retired


def request_fields(model: ModelInfo, settings: ChatSettings, *, with_tools: bool) -> dict[str, Any]:
    """Body fields for one turn on ``model``. Refuses (``RequestRefused``) an e2ee model,
    failing closed: another client would send its prompt in the clear, without the key
    exchange and attestation our own client does; and what our own client refuses before
    sending (a temperature outside 0..2)."""
    model = profiled(model)
    if model.profile.e2ee:
        raise RequestRefused(
            f"{model.ref} is end-to-end encrypted, which this runtime's client cannot do; "
            f"nothing was sent: reach it through `openclaw serve` (which encrypts on this "
            f"machine; `openclaw connect` points the runtime at it), use `openclaw chat -m "
            f"{model.ref}`, or pick a model without the e2ee tag"
        )
    refuse_unsendable(model, StreamOptions(temperature=settings.temperature))
    fields: dict[str, Any] = {
        "venice_parameters": venice_parameters(VeniceOptions(), model, settings.reasoning)
    }
    effort = turn_effort(model, settings.reasoning, with_tools, _ignore)
    if effort is not None:
        fields["reasoning_effort"] = effort
    if settings.session_id:
        fields["prompt_cache_key"] = prompt_cache_key(settings.session_id)
    return fields


def _ignore(message: str) -> None:
    """Another runtime's client shows no warnings of ours: what changed is in the body."""
