"""Runtime tools -> Venice ``tools`` entries, with the JSON Schema clean-up upstreams need."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..runtime.ai import Tool

# xAI's function calling rejects these JSON Schema keywords (OpenClaw's Grok profile)
XAI_UNSUPPORTED_KEYWORDS = frozenset(
    {"minLength", "maxLength", "minItems", "maxItems", "minContains", "maxContains"}
)
# where a JSON Schema holds sub-schemas: by name, in a list, or directly
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMA_VALUES = (
    "items",  # a schema, or a list of them (draft 4 tuples)
    "additionalItems",
    "additionalProperties",
    "unevaluatedItems",
    "unevaluatedProperties",
    "propertyNames",
    "contains",
    "not",
    "if",
    "then",
    "else",
)


def tool_entry(tool: Tool, strip_xai_keywords: bool = False) -> dict[str, Any]:
    parameters = object_schema(tool.parameters)
    if strip_xai_keywords:
        parameters = strip_schema_keywords(parameters, XAI_UNSUPPORTED_KEYWORDS)
    return {
        "type": "function",
        "function": {"name": tool.name, "description": tool.description, "parameters": parameters},
    }


def object_schema(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Function parameters are an object schema with ``properties``; OpenAI-shaped upstreams
    refuse a root without them, so an empty or bare schema gets them."""
    schema: dict[str, Any] = {"type": "object", **parameters}
    if schema["type"] == "object":
        schema.setdefault("properties", {})
    return schema


def strip_schema_keywords(schema: Any, keywords: frozenset[str]) -> Any:
    """Drop validation ``keywords`` from a JSON Schema, descending only into sub-schemas, so
    a property that happens to be named ``minItems`` survives."""
    if isinstance(schema, list):
        return [strip_schema_keywords(item, keywords) for item in schema]
    if not isinstance(schema, Mapping):
        return schema  # true, false, or not a schema at all
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in keywords:
            continue
        if key in _SCHEMA_MAPS and isinstance(value, Mapping):
            out[key] = {k: strip_schema_keywords(v, keywords) for k, v in value.items()}
        elif key in _SCHEMA_LISTS or key in _SCHEMA_VALUES:
            out[key] = strip_schema_keywords(value, keywords)
        else:
            out[key] = value
    return out
