"""Shared fixtures: an isolated home for every test, a loopback server, the CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import hygiene
from tests.support.server import LocalServer

REPO = Path(__file__).resolve().parent.parent
SHARED_API = REPO.parent / "shared" / "venice-api"
OPENCLAW = Path(sys.executable).with_name("openclaw")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Every test gets its own HOME, config dir, cache dir and keyring file; no VENICE_*."""
    home = tmp_path / "home"
    home.mkdir()
    for name in list(os.environ):
        if name.startswith(("VENICE_", "OPENCLAW_")):
            monkeypatch.delenv(name)
    values = {
        "HOME": str(home),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "OPENCLAW_STATE_DIR": str(tmp_path / "state"),
        # an unreachable Venice unless a test points elsewhere: the suite never leaves loopback
        "VENICE_BASE_URL": "http://127.0.0.1:9/api/v1",
        "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A local server; every chat request body it received must be one Venice accepts."""
    from tests.support.requests_schema import assert_valid_request  # it imports this module

    srv = LocalServer().start()
    try:
        yield srv
    finally:
        srv.stop()
    for request in srv.requests:
        if request.path.endswith("/chat/completions"):
            assert_valid_request(request.json())


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(
    *args: str, input: str | None = None, env: dict[str, str] | None = None, timeout: float = 60
) -> Result:
    """Run the installed ``openclaw`` console script in a subprocess."""
    proc = subprocess.run(
        [str(OPENCLAW), *args],
        input=input,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )
    result = Result(proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in result.output, result.output
    assert hygiene.CANARY not in result.output, "the API key leaked into CLI output"
    return result


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Fail a test whose captured output, logs or failure text contain the canary key."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    own = [(name, text) for name, text in report.sections if name.endswith(report.when)]
    texts = [*own, ("failure", report.longreprtext)]
    leaked = hygiene.leaks_in_texts(texts)
    if leaked:
        original = report.longreprtext.replace(hygiene.CANARY, "<CANARY>")
        report.outcome = "failed"
        report.longrepr = f"secret canary leaked into: {', '.join(leaked)}\n{original}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if any file a test wrote (temp dirs) holds the canary key."""
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None:
        return
    leaked = hygiene.leaks_in_tree(factory.getbasetemp())
    if leaked:
        session.config.get_terminal_writer().line(
            f"secret canary found in files: {', '.join(map(str, leaked))}", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
