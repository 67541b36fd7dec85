"""The hygiene checks themselves can fail: they find the canary where it is put."""

from __future__ import annotations

from pathlib import Path

from openclaw_venice.identity import AUTH_METHOD
from openclaw_venice.runtime.secrets import resolve_api_key
from tests.support import hygiene


def test_tree_scan_finds_a_planted_canary(tmp_path: Path) -> None:
    planted = tmp_path / "a" / "b.json"
    planted.parent.mkdir()
    planted.write_text(f'{{"key": "{hygiene.CANARY}"}}')
    (tmp_path / "clean.txt").write_text("nothing here")
    assert hygiene.leaks_in_tree(tmp_path) == [planted]
    hygiene.allow_secret_in(planted)
    assert hygiene.leaks_in_tree(tmp_path) == []


def test_text_scan_names_the_section() -> None:
    sections = [("Captured stdout call", "ok"), ("Captured log call", f"x {hygiene.CANARY}")]
    assert hygiene.leaks_in_texts(sections) == ["Captured log call"]


def test_resolved_key_never_shows_its_value() -> None:
    key = resolve_api_key(AUTH_METHOD, {"VENICE_API_KEY": hygiene.CANARY}, {})
    assert key.source == "env" and key.value.get_secret_value() == hygiene.CANARY
    for text in (repr(key), str(key), repr(key.value), str(key.value), f"{key}"):
        assert hygiene.CANARY not in text
