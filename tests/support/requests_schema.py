"""Would Venice accept this ``POST /chat/completions`` body? For every body the suite sends.

``assert_valid_request(body)`` checks two things and fails with every violation it finds:

* the spec: ``ChatCompletionRequest`` from Venice's spec (``tests/support/openapi.py``), tightened
  where the spec leaves objects open that Venice's code does not read freely: every object with
  ``properties`` (``venice_parameters``, each message, each content part, each tool) takes only the
  keys the spec names, so a misspelt switch fails here and not silently at Venice.
* the OpenAI conversation rules the spec leaves out: tool calls are ``function`` calls with an
  id and JSON-object arguments; every tool message answers a call of the assistant turn before
  it; every call is answered before the next turn; images are base64 data URLs.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping
from typing import Any

from jsonschema import Draft7Validator

from tests.support import openapi


@functools.cache
def _validator(strict: bool) -> Draft7Validator:
    request = openapi.schema("ChatCompletionRequest")
    return Draft7Validator(close_objects(request) if strict else request)


def close_objects(schema: Any) -> Any:
    """A copy of ``schema`` where every object schema with ``properties`` and no word on
    ``additionalProperties`` refuses keys it does not name."""
    schema = copy.deepcopy(schema)
    _close(schema)
    return schema


def _close(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _close(item)
    elif isinstance(node, dict):
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close(value)


def spec_errors(body: Mapping[str, Any], *, strict: bool = True) -> list[str]:
    """Where ``body`` breaks the spec (tightened unless ``strict=False``)."""
    errors = _validator(strict).iter_errors(body)
    return [_describe(e.absolute_path, e.message) for e in errors]


def conversation_errors(body: Mapping[str, Any]) -> list[str]:
    """Where ``body["messages"]`` breaks the tool-call and image rules."""
    problems: list[str] = []
    pending: set[str] = set()
    for i, message in enumerate(body.get("messages") or ()):
        role = message.get("role")
        if role == "tool":
            call_id = message.get("tool_call_id")
            if call_id not in pending:
                problems.append(f"messages[{i}]: answers no pending tool call ({call_id!r})")
            pending.discard(call_id)
            continue
        if pending:
            problems.append(f"messages[{i}]: tool calls left unanswered: {sorted(pending)}")
        pending = set()
        if role == "assistant":
            pending = _check_calls(i, message.get("tool_calls") or (), problems)
        problems += _image_problems(i, message.get("content"))
    if pending:
        problems.append(f"end of messages: tool calls left unanswered: {sorted(pending)}")
    return problems


def _check_calls(i: int, calls: Any, problems: list[str]) -> set[str]:
    ids: set[str] = set()
    for j, call in enumerate(calls):
        where = f"messages[{i}].tool_calls[{j}]"
        function = call.get("function") or {}
        if call.get("type") != "function" or not isinstance(function.get("name"), str):
            problems.append(f"{where}: not a function call with a name")
        if not isinstance(call.get("id"), str) or not call["id"] or call["id"] in ids:
            problems.append(f"{where}: missing or repeated id")
        ids.add(str(call.get("id")))
        try:
            arguments = json.loads(function.get("arguments"))
        except (TypeError, ValueError):
            arguments = None
        if not isinstance(arguments, dict):
            problems.append(f"{where}: arguments are not a JSON object string")
    return ids


def _image_problems(i: int, content: Any) -> list[str]:
    if not isinstance(content, list):
        return []
    urls = [p["image_url"].get("url", "") for p in content if p.get("type") == "image_url"]
    bad = [u for u in urls if not (u.startswith("data:image/") and ";base64," in u)]
    return [f"messages[{i}]: image is not a base64 data URL: {u[:40]!r}" for u in bad]


def assert_valid_request(body: Mapping[str, Any], *, strict: bool = True) -> None:
    """Fail, listing every problem, unless Venice would accept ``body`` (see the module)."""
    problems = spec_errors(body, strict=strict) + conversation_errors(body)
    assert not problems, "invalid chat request:\n  " + "\n  ".join(problems) + "\n" + _shown(body)


def _describe(path: Any, message: str) -> str:
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path) or "body"
    return f"{where.lstrip('.')}: {message[:300]}"


def _shown(body: Mapping[str, Any]) -> str:
    text = json.dumps(body, indent=1, default=str)
    return text if len(text) < 4000 else text[:4000] + " ..."
