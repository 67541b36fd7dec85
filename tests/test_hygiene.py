"""Secret hygiene: the checks themselves can fail (they find the canary where it is put),
and what the CLI writes is private (files 0600, its directories 0700)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from openclaw_venice.identity import AUTH_METHOD
from openclaw_venice.runtime.secrets import resolve_api_key
from tests.conftest import run_cli
from tests.support import hygiene
from tests.support.server import LocalServer, json_reply


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


# -- what the CLI writes is private -------------------------------------------------------------

ONBOARD = ("onboard", "--auth-choice", "venice-api-key", "--non-interactive")
ROWS = [{"id": "llama-3.3-70b", "type": "text", "model_spec": {"maxCompletionTokens": 2048}}]


def modes(root: Path) -> dict[str, str]:
    """``root`` and everything below it, by path relative to ``root``, as ``ls -l`` shows."""
    found = {".": stat.filemode(root.stat().st_mode)}
    for path in root.rglob("*"):
        found[str(path.relative_to(root))] = stat.filemode(path.stat().st_mode)
    return found


def test_config_cache_and_key_files_are_private(server: LocalServer) -> None:
    """Onboarding twice (config, then its .bak), listing models live (the cache) and offline
    (the failure memory), all through the console script: every file is 0600, every
    directory the CLI made is 0700; the keyring backend's file is 0600 too."""
    assert run_cli(*ONBOARD, "--venice-api-key", hygiene.CANARY).code == 0
    assert run_cli(*ONBOARD).code == 0  # keeps the key; writes openclaw.json.bak
    server.respond(lambda request: json_reply({"object": "list", "data": ROWS}))
    live = run_cli("models", "list", "--refresh", env={"VENICE_BASE_URL": server.url + "/api/v1"})
    assert live.code == 0 and run_cli("models", "list", "--refresh").code == 0
    state = Path(os.environ["OPENCLAW_STATE_DIR"])
    cache = Path(os.environ["XDG_CACHE_HOME"]) / "openclaw"
    written = {**_prefixed("state", modes(state)), **_prefixed("cache", modes(cache))}
    assert {"state/openclaw.json", "state/openclaw.json.bak"} <= set(written)
    assert len([p for p in written if p.endswith(".json") and "models-" in p]) == 1
    assert len([p for p in written if p.endswith(".failed")]) == 1
    loose = {p: m for p, m in written.items() if m not in ("-rw-------", "drwx------")}
    assert not loose, loose
    (keyring_file,) = Path(os.environ["XDG_DATA_HOME"]).rglob("keyring_pass.cfg")
    assert keyring_file.stat().st_mode & 0o777 == 0o600


def _prefixed(prefix: str, found: dict[str, str]) -> dict[str, str]:
    return {f"{prefix}/{path}".removesuffix("/."): mode for path, mode in found.items()}
