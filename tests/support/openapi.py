"""Venice's OpenAPI spec as JSON Schema, for conformance and fuzz tests.

The spec is the vendored subset ``tests/data/venice-api/openapi-subset.json`` (see
``tests/data/PROVENANCE.md``). OpenAPI 3.0 is not quite JSON Schema: ``nullable``, boolean
``exclusiveMinimum``, ``example``. ``schema(name)`` returns a draft-7 schema with ``$ref``s
resolved inline.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from tests.conftest import VENICE_DATA

SPEC = VENICE_DATA / "openapi-subset.json"
_DROP = {"example", "examples", "description", "deprecated", "xml", "externalDocs", "discriminator"}


@functools.cache
def spec() -> dict[str, Any]:
    """The spec subset as the source's YAML 1.2 reads (see the provenance note)."""
    loaded: dict[str, Any] = json.loads(SPEC.read_text())
    return loaded


def schema(name: str) -> dict[str, Any]:
    """``components.schemas[name]`` as JSON Schema."""
    components = spec()["components"]["schemas"]
    converted: dict[str, Any] = _convert(components[name], components, ())
    return converted


def operation_schema(node: Any) -> Any:
    """A schema found under ``paths`` (a parameter's, a response's) as JSON Schema."""
    return _convert(node, spec()["components"]["schemas"], ())
def _convert(node: Any, components: dict[str, Any], seen: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_convert(item, components, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"].rsplit("/", 1)[-1]
        if ref in seen:  # recursive schema: accept anything below this depth
            return {}
        return _convert(components[ref], components, (*seen, ref))
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROP or key.startswith("x-"):
            continue
        if key == "properties":
            out[key] = {k: _convert(v, components, seen) for k, v in value.items()}
        elif key in ("exclusiveMinimum", "exclusiveMaximum") and isinstance(value, bool):
            bound = node.get("minimum" if key == "exclusiveMinimum" else "maximum")
            if value and bound is not None:
                out[key] = bound
        elif key == "required" and not isinstance(value, list):
            continue
        else:
            out[key] = _convert(value, components, seen)
    if out.get("exclusiveMinimum") is not None and "minimum" in out:
        del out["minimum"]
    if out.get("exclusiveMaximum") is not None and "maximum" in out:
        del out["maximum"]
    if out.pop("nullable", False):
        return {"anyOf": [out, {"type": "null"}]}
    return out
