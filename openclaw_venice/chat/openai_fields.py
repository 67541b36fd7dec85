"""The OpenAI request fields Venice's chat completions take as they are (the provider's
``openai_fields``), checked against Venice's own bounds before anything is sent. Pure.

A value Venice would refuse is a :class:`RequestRefused` naming the field; ``tool_choice``
and ``parallel_tool_calls`` go only with tools (a turn whose tools were dropped for a model
without function calling drops them too, or Venice would refuse the whole request).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import RequestRefused


def _number(low: float | None, high: float | None) -> Callable[[str, Any], None]:
    def check(name: str, value: Any) -> None:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise RequestRefused(f"{name} must be a number (got {value!r})")
        if (low is not None and value < low) or (high is not None and value > high):
            span = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise RequestRefused(f"{name} must be {span} (got {value})")

    return check


def _integer(name: str, value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RequestRefused(f"{name} must be a whole number, 0 or more (got {value!r})")


def _stop(name: str, value: Any) -> None:
    if isinstance(value, str):
        return
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise RequestRefused(f"{name} must be a string or a list of strings")
    if len(value) > 4:
        raise RequestRefused(f"{name} takes at most 4 sequences (got {len(value)})")


def _flag(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise RequestRefused(f"{name} must be true or false")


def _text(name: str, value: Any) -> None:
    if not isinstance(value, str):
        raise RequestRefused(f"{name} must be a string")


def _tool_choice(name: str, value: Any) -> None:
    if value in ("none", "auto", "required"):
        return
    function = value.get("function") if isinstance(value, Mapping) else None
    if not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
        raise RequestRefused(
            f'{name} must be "none", "auto", "required" or {{"type": "function", '
            '"function": {"name": ...}}'
        )


def _response_format(name: str, value: Any) -> None:
    if not isinstance(value, Mapping) or value.get("type") != "json_object":
        raise RequestRefused(f'{name} here must be {{"type": "json_object"}}')


CHECKS: Mapping[str, Callable[[str, Any], None]] = {
    "stop": _stop,
    "seed": _integer,
    "top_p": _number(0, 1),
    "top_k": _integer,
    "min_p": _number(0, 1),
    "frequency_penalty": _number(-2, 2),
    "presence_penalty": _number(-2, 2),
    "repetition_penalty": _number(0, None),
    "tool_choice": _tool_choice,
    "parallel_tool_calls": _flag,
    "user": _text,
    "response_format": _response_format,
}
OPENAI_FIELDS = frozenset(CHECKS)
WITH_TOOLS_ONLY = frozenset({"tool_choice", "parallel_tool_calls"})


def checked_fields(fields: Mapping[str, Any], with_tools: bool) -> dict[str, Any]:
    """``fields`` as they go into the body: each checked; a field Venice does not take is
    refused by name (the host passes only :data:`OPENAI_FIELDS`, a direct caller may not)."""
    out: dict[str, Any] = {}
    for name, value in fields.items():
        check = CHECKS.get(name)
        if check is None:
            raise RequestRefused(f"{name} is not a field Venice chat takes; remove it")
        if value is None:
            continue
        check(name, value)
        if name in WITH_TOOLS_ONLY and not with_tools:
            continue
        out[name] = value
    return out
