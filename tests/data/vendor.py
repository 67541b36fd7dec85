"""Copy the real Venice data the suite needs from ``../shared/venice-api`` into ``tests/data``.

Run from the repository root (``python tests/data/vendor.py [SOURCE]``) when the shared data
changes; ``--check`` compares instead of writing and exits 1 on a difference. Every file is
copied byte for byte except the OpenAPI spec, of which only a subset is kept (see
:func:`spec_subset`): what is kept is the source's own nodes, unedited. ``PROVENANCE.md`` says
where each file comes from and lists the SHA-256 of source and copy (``test_vendored_data``
holds the copies to it).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parents[1].parent / "shared" / "venice-api"
TARGET = HERE / "venice-api"
#: byte-for-byte copies, by path below the source
VERBATIM = (
    "models-text-2026-02.json",
    "models-text-2026-03.json",
    "static-models-2026-08.json",
    "tee/2026-04-24",
)
#: the endpoints the package calls (``tests/support`` checks its requests and our served
#: answers against them); the subset holds these and every component they reach by ``$ref``
PATHS = (
    "/chat/completions",
    "/models",
    "/image/generate",
    "/embeddings",
    "/billing/balance",
    "/billing/usage-analytics",
    # the media, character and rate-limit tools (issue 25)
    "/image/edit",
    "/image/multi-edit",
    "/image/upscale",
    "/image/background-remove",
    "/image/styles",
    "/audio/speech",
    "/audio/voices",
    "/audio/transcriptions",
    "/audio/quote",
    "/audio/queue",
    "/audio/retrieve",
    "/audio/complete",
    "/video/quote",
    "/video/queue",
    "/video/retrieve",
    "/video/complete",
    "/characters",
    "/characters/{slug}",
    "/characters/{slug}/reviews",
    "/api_keys/rate_limits",
    "/api_keys/rate_limits/log",
)
#: components read by name in a test though no kept path reaches them
SCHEMAS = ("DetailedError", "StandardError", "ModelResponse")
SPEC_SUBSET = "openapi-subset.json"


def spec_subset(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with only :data:`PATHS` and the components they reach; everything kept is the
    source's own node. Top-level entries other than ``paths`` and ``components`` are kept."""
    components = spec["components"]
    wanted: dict[str, set[str]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/"):
                section, name = ref.removeprefix("#/components/").split("/", 1)
                if name not in wanted.setdefault(section, set()):
                    wanted[section].add(name)
                    walk(components[section][name])
            for value in node.values():
                walk(value)

    paths = {path: spec["paths"][path] for path in PATHS}
    walk(paths)
    walk(components.get("securitySchemes", {}))
    for name in SCHEMAS:
        walk({"$ref": f"#/components/schemas/{name}"})
    kept = {
        section: {name: nodes[name] for name in nodes if name in wanted.get(section, set())}
        for section, nodes in components.items()
    }
    kept["securitySchemes"] = components.get("securitySchemes", {})
    return {
        **{key: value for key, value in spec.items() if key not in ("paths", "components")},
        "paths": paths,
        "components": kept,
    }


def spec_text(source: Path) -> str:
    from ruamel.yaml import YAML  # YAML 1.2: "off"/"on" stay strings (see PROVENANCE.md)

    yaml = YAML(typ="safe", pure=True)
    # an unquoted date (only in ``example`` values) stays the text it is in the source: JSON
    # has no date type, and YAML 1.2's core schema has none either
    yaml.constructor.add_constructor(
        "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
    )
    spec = yaml.load((source / "openapi.yaml").read_text())
    return json.dumps(spec_subset(spec), indent=1, ensure_ascii=False, sort_keys=False) + "\n"


def planned(source: Path) -> dict[str, bytes]:
    """Relative path below :data:`TARGET` -> the bytes it should hold."""
    files: dict[str, bytes] = {SPEC_SUBSET: spec_text(source).encode()}
    for name in VERBATIM:
        path = source / name
        for item in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if item.is_file():
                files[str(item.relative_to(source))] = item.read_bytes()
    return files


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main(argv: list[str]) -> int:
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    source = Path(args[0]) if args else DEFAULT_SOURCE
    if not (source / "openapi.yaml").is_file():
        print(f"{source} holds no openapi.yaml: pass the venice-api directory", file=sys.stderr)
        return 2
    files = planned(source)
    differ = [
        name for name, data in files.items()
        if not (TARGET / name).is_file() or (TARGET / name).read_bytes() != data
    ]  # fmt: skip
    if check:
        for name in differ:
            print(f"differs from the source: {name}")
        return 1 if differ else 0
    for name in differ:
        (TARGET / name).parent.mkdir(parents=True, exist_ok=True)
        (TARGET / name).write_bytes(files[name])
    print(f"source openapi.yaml: {sha256((source / 'openapi.yaml').read_bytes())}")
    for name, data in files.items():  # as ``sha256sum`` prints them
        print(f"{sha256(data)}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
