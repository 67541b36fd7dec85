"""Tool history Gemini 3 accepts. Pure.

Gemini 3 refuses (400) a replayed tool call that does not carry the ``thought_signature`` it
was given with it, and a signature it did not issue. A call from another model's turn, a
call made before signatures were kept, or a hand-written one cannot carry a valid one, so
the whole batch it belongs to (one assistant turn's calls) goes back as text, as the
TypeScript plugin does (its ``applyVeniceGeminiToolHistoryCompatibility``): the assistant
turn says ``[Historical tool call: name(arguments)]`` and no ``tool_calls``, and each result
of that batch becomes a user message ``[Historical tool result for name:\\n…]``. Batches
whose every call is signed stay structured. Tool-call ids may repeat across turns, so
results are paired with the batch they follow, not with an id seen anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["downgrade_unsigned_tool_history", "historical_call", "historical_result"]


def downgrade_unsigned_tool_history(entries: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``entries`` (Venice ``messages``) with every batch holding an unsigned call as text."""
    out: list[dict[str, Any]] = []
    pending: dict[str, list[str]] = {}  # the downgraded batch's call ids -> their names
    for entry in entries:
        if entry.get("role") == "tool":
            names = pending.get(entry.get("tool_call_id", ""))
            if names:
                out.append({"role": "user", "content": historical_result(names.pop(0), entry)})
            else:
                out.append(entry)
            continue
        pending = {}
        calls = entry.get("tool_calls") if entry.get("role") == "assistant" else None
        if calls and not all(call.get("thought_signature") for call in calls):
            for call in calls:
                pending.setdefault(call["id"], []).append(call["function"]["name"])
            entry = _as_text(entry, calls)
        out.append(entry)
    return out


def historical_call(call: dict[str, Any]) -> str:
    function = call["function"]
    return f"[Historical tool call: {function['name']}({function['arguments'] or '{}'})]"


def historical_result(name: str, entry: dict[str, Any]) -> str:
    return f"[Historical tool result for {name}:\n{entry.get('content') or ''}]"


def _as_text(entry: dict[str, Any], calls: Sequence[dict[str, Any]]) -> dict[str, Any]:
    text = [entry.get("content") or "", *(historical_call(c) for c in calls)]
    replaced = {k: v for k, v in entry.items() if k != "tool_calls"}
    replaced["content"] = "\n".join(t for t in text if t)
    return replaced
