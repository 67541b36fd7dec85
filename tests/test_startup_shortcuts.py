"""Start-up shortcuts kept because the start-up bar needs them (issue 26 item 4;
benchmarks/shortcuts.py times each against its library), each held to the library's answer.
The others live beside the code they check: the cache dir in test_settings_dirs.py, the
JSON5 reader in test_config_keeps.py, the entry-point memory in test_entry_point_cache.py,
``--version`` in test_cli_parser_words.py, colliding cache names in test_discovery.py."""

from __future__ import annotations

import importlib.resources
import json

from openclaw_venice.catalog import load_bundle


def test_the_bundled_catalog_read_as_a_file_is_what_importlib_resources_reads() -> None:
    """``load_bundle`` reads ``data/catalog.json`` beside the module (importlib.resources
    pulls in tempfile and zipfile): the same text, so the same catalog."""
    text = importlib.resources.files("openclaw_venice").joinpath("data/catalog.json").read_text(
        "utf-8"
    )
    entries = json.loads(text)["models"]
    bundle = load_bundle()
    ids = [m.id for m in (*bundle.models, *bundle.retired)]
    assert sorted(ids) == sorted(entry["id"] for entry in entries)
    assert len(ids) == len(entries) > 100
