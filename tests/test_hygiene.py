"""Secret hygiene: the checks themselves can fail (they find the canary where it is put),
and what the CLI writes is private (files 0600, its directories 0700)."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from openclaw_venice.identity import AUTH_METHOD
from openclaw_venice.runtime.secrets import resolve_api_key
from tests.conftest import REPO, run_cli
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


def test_tree_scan_reads_large_and_sparse_files_piece_by_piece(tmp_path: Path) -> None:
    """The canary astride two of the scan's 1 MiB pieces, or after a hole in a sparse file,
    is found; the holes of a 4 GiB sparse file (a config probe's) are not read (reading them
    took the end-of-run scan 13 s of CPU and 4 GB of memory)."""
    needle, mib = hygiene.CANARY.encode(), 1 << 20
    astride, after_hole, empty = tmp_path / "astride", tmp_path / "after-hole", tmp_path / "huge"
    astride.write_bytes(b"x" * (mib - 5) + needle + b"x" * 10)
    with after_hole.open("wb") as handle:
        handle.truncate(9 * mib)
        handle.seek(9 * mib)
        handle.write(needle)
    with empty.open("wb") as handle:
        handle.truncate(4 << 30)
    assert sorted(hygiene.leaks_in_tree(tmp_path)) == [after_hole, astride]
    for planted in (astride, after_hole):  # planted here: not a leak of the end-of-run scan
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


# -- the session-level checks, seen failing from outside ---------------------------------------

INNER_CANARY = "vapi_INNER-canary-self-test-51f0"
LEAKY_TESTS = textwrap.dedent(
    """
    import logging, os, subprocess, sys, tempfile, warnings
    import pytest
    from tests.conftest import run_cli
    from tests.support.hygiene import CANARY, allow_secret_in

    def test_clean(): pass
    def test_declared_store(tmp_path):
        store = tmp_path / "store.json"; store.write_text(CANARY); allow_secret_in(store)
    def test_stdout(): print(CANARY)
    def test_stderr(): sys.stderr.write(CANARY)
    def test_log(): logging.getLogger("x").warning("key %s", CANARY)
    def test_exception(): raise RuntimeError(f"bad key {CANARY}")
    def test_setup_output(noisy_fixture): pass
    def test_cli_output(): run_cli("models", "set", f"venice/{CANARY}")
    def test_subprocess_file(): subprocess.run([sys.executable, "-c", WRITE_TEMP], check=True)
    def test_file_in_tmp_path(tmp_path): (tmp_path / "notes.txt").write_text(CANARY)
    def test_file_in_temp_dir():
        fd, name = tempfile.mkstemp(suffix=".log"); os.write(fd, CANARY.encode()); os.close(fd)
    def test_file_in_the_real_cache(): REAL_CACHE.joinpath("leak.json").write_text(CANARY)
    def test_warning(): warnings.warn(f"key {CANARY}")

    WRITE_TEMP = "import tempfile, os; f = tempfile.mkstemp(suffix='.sub')[0]; " \\
        f"os.write(f, {CANARY!r}.encode())"
    from tests.conftest import REAL_DIRS
    REAL_CACHE = REAL_DIRS[1]
    REAL_CACHE.mkdir(parents=True, exist_ok=True)

    @pytest.fixture
    def noisy_fixture(): print("setting up with", CANARY)
    """
)
LEAKS_IN_REPORTS = {
    "test_stdout": "Captured stdout call",
    "test_stderr": "Captured stderr call",
    "test_log": "Captured log call",
    "test_exception": "failure",
    "test_setup_output": "Captured stdout setup",
    "test_cli_output": "failure",
}


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one process", "two workers"])
def test_every_check_fails_a_session_that_leaks(tmp_path: Path, workers: list[str]) -> None:
    """An inner session, with this suite's conftest and another canary, leaks it every way
    the checks cover: each leaking test fails (or the session does, for files and warnings),
    the clean test passes, and the report shows the canary only as <CANARY>. With workers
    (``pytest -n``), the leaks happen in them and the controller still finds every one."""
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "conftest.py").write_text("from tests.conftest import *  # noqa: F403\n")
    (inner / "test_leaks.py").write_text(LEAKY_TESTS)
    home = tmp_path / "inner-home"  # the inner session's "real" user dirs
    env = {**os.environ, "TEST_SECRET_CANARY": INNER_CANARY, "PYTHONPATH": str(REPO),
           "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "COLUMNS": "300"}  # fmt: skip
    args = ["-p", "no:cacheprovider", "-rA", "--basetemp", str(tmp_path / "base"), *workers]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *args, str(inner)],
        capture_output=True, text=True, cwd=inner, env=env, timeout=120,
    )  # fmt: skip
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert ("2 workers" in out) == bool(workers), out
    assert INNER_CANARY not in out and "<CANARY>" in out
    for test, where in LEAKS_IN_REPORTS.items():
        found = rf"(FAILED|ERROR) \S*::{test} - secret canary leaked into: {where}"
        assert re.search(found, out), test
    assert re.search(r"PASSED \S*::test_clean", out)
    assert re.search(r"PASSED \S*::test_declared_store", out)
    files = re.search(r"secret canary found in files: (.*)", out)
    assert files, out
    for name in ("notes.txt", ".log", ".sub", "leak.json"):
        assert name in files.group(1), name
    assert "store.json" not in files.group(1)  # declared a secret store, in whichever process
    assert re.search(r"secret canary in warnings of: \S*::test_warning", out)


def test_a_test_id_holding_the_canary_stops_the_session(tmp_path: Path) -> None:
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "conftest.py").write_text("from tests.conftest import *  # noqa: F403\n")
    (inner / "test_ids.py").write_text(
        "import pytest\nfrom tests.support.hygiene import CANARY\n"
        "@pytest.mark.parametrize('key', [CANARY])\ndef test_key(key): pass\n"
    )
    env = {**os.environ, "TEST_SECRET_CANARY": INNER_CANARY, "PYTHONPATH": str(REPO)}
    args = ["-p", "no:cacheprovider", "--basetemp", str(tmp_path / "base"), str(inner)]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *args],
        capture_output=True, text=True, cwd=inner, env=env, timeout=120,
    )  # fmt: skip
    out = result.stdout + result.stderr
    assert result.returncode != 0 and "test ids hold the secret canary" in out
    assert INNER_CANARY not in out


def test_each_test_has_its_own_home_and_temp_dir(tmp_path: Path) -> None:
    """Where the code under test would write, in process and in a CLI subprocess: all below
    this test's tmp_path (HOME, XDG dirs, state dir, keyring file) or the session's scanned
    temp dir; none of it is one of the real user's dirs the session scans."""
    import tempfile

    from keyrings.alt.file import PlaintextKeyring  # type: ignore[import-untyped]
    from platformdirs import user_cache_dir, user_config_dir, user_data_dir

    from openclaw_venice.runtime.config_file import config_path
    from openclaw_venice.runtime.host import Host
    from tests.conftest import REAL_DIRS

    places = [Path.home(), config_path(), Host().cache_dir, Path(PlaintextKeyring().file_path)]
    places += [Path(f("openclaw")) for f in (user_cache_dir, user_config_dir, user_data_dir)]
    for place in places:
        assert tmp_path in place.parents, place
        assert not any(real == place or real in place.parents for real in REAL_DIRS), place
    assert Path(tempfile.gettempdir()).parent == tmp_path.parent  # the base temp dir
    onboard = (*ONBOARD, "--secret-input-mode", "ref", "--json")
    status = run_cli(*onboard, env={"VENICE_API_KEY": "x"}, process=True)
    assert tmp_path in Path(json.loads(status.stdout)["configPath"]).parents


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
    (the failure memory), all through the CLI: every file is 0600, every
    directory the CLI made is 0700; the keyring backend's file is 0600 too."""
    assert run_cli(*ONBOARD, "--venice-api-key", hygiene.CANARY).code == 0
    assert run_cli(*ONBOARD).code == 0  # keeps the key; changes nothing, so writes nothing
    assert run_cli("models", "set", "venice/llama-3.3-70b").code == 0  # writes the .bak
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
