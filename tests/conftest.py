"""Shared fixtures: an isolated home for every test, a loopback server, the CLI runner."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import fuzzing, hygiene, in_process
from tests.support.server import LocalServer

REPO = Path(__file__).resolve().parent.parent
#: Venice's real data, vendored from ../shared (see tests/data/PROVENANCE.md)
VENICE_DATA = REPO / "tests" / "data" / "venice-api"
OPENCLAW = Path(sys.executable).with_name("openclaw")
REAL_DIRS = hygiene.outside_dirs()  # before any test changes HOME: where no test may write
LEAKED_WARNINGS: list[str] = []

# Bytecode is cached even where the environment says not to (PYTHONDONTWRITEBYTECODE=1): the
# suite starts hundreds of interpreters (workers, the CLI, Hermes, nanobot), each of which
# would compile the package again, and each worker would rewrite every test module's asserts
# again (about 6 s of CPU a worker). The caches go to the ignored __pycache__ directories.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # workers and subprocesses start after this
sys.dont_write_bytecode = False


def pytest_configure(config: pytest.Config) -> None:
    fuzzing.load_profile()


#: workers per CPU for ``-n auto`` (pyproject's addopts): about half of the suite's wall time
#: is waiting (loopback servers answering at a pace, CLI subprocesses, Hermes and nanobot
#: starting), which a second worker per CPU fills. Measured on a quiet 2-CPU machine, same
#: tip: 2 workers 285 s wall (284 s CPU), 4 workers 142 s (226 s CPU).
WORKERS_PER_CPU = 2
MAX_WORKERS = 16  # each worker is an interpreter with the package and its test stand-ins


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: two workers per CPU this process may use, at most :data:`MAX_WORKERS`."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(MAX_WORKERS, WORKERS_PER_CPU * (cpus or 1)))


def pytest_sessionstart(session: pytest.Session) -> None:
    """Ctrl-C reaches the CLI subprocesses as it does from a terminal, and temp files of the
    code under test and of CLI subprocesses go below pytest's base temp dir, where the
    end-of-run scan looks."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        # started in the background by a shell without job control: children would inherit
        # the ignored SIGINT and never see the Ctrl-C the terminal tests send
        signal.signal(signal.SIGINT, signal.default_int_handler)
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None:
        return
    hygiene.declare_in(factory.getbasetemp())
    scratch = factory.getbasetemp() / "tmp"
    scratch.mkdir(exist_ok=True)
    os.environ["TMPDIR"] = tempfile.tempdir = str(scratch)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test id is printed everywhere: none may hold the canary (give such tests ids=)."""
    shown = [hygiene.redact(item.nodeid) for item in items if hygiene.CANARY in item.nodeid]
    if shown:
        raise pytest.UsageError(f"test ids hold the secret canary: {', '.join(shown)}")


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
    # in-process calls use this test's keyring file, not a backend an earlier test installed
    # with keyring.set_keyring (the keyring package keeps one per process)
    import keyring
    from keyrings.alt.file import PlaintextKeyring

    keyring.set_keyring(PlaintextKeyring())
    return values


@pytest.fixture
def https() -> Iterator[LocalServer]:
    """A Venice stand-in over TLS (tests/support/tls.py's certificate): ``/models``, then an
    "ok" chat stream."""
    from tests.support import venice_wire
    from tests.support.tls import https_server

    server = https_server()
    server.respond(venice_wire.models_and_chat)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A local server; every chat, image, embeddings and usage request it received must be
    one Venice accepts."""
    from tests.support.extras_schema import assert_valid_extras_request
    from tests.support.requests_schema import assert_valid_request  # it imports this module

    srv = LocalServer().start()
    try:
        yield srv
    finally:
        srv.stop()
    for request in srv.requests:
        if request.path.endswith("/chat/completions"):
            assert_valid_request(request.json())
        assert_valid_extras_request(request)


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(
    *args: str,
    input: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60,
    process: bool = False,
) -> Result:
    """Run ``openclaw ARGS`` in this process (see ``tests/support/in_process.py``), or the
    installed console script in a subprocess: with ``process=True``, where the process itself
    is what the test is about, and when ``env`` sets what only a new interpreter reads
    (``PYTHONPATH`` for another plugin's package, the locale)."""
    if process or in_process.needs_a_process(env or {}):
        proc = subprocess.run(
            [str(OPENCLAW), *args],
            input=input,
            stdin=subprocess.DEVNULL if input is None else None,  # not the runner's own stdin
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            timeout=timeout,
        )
        result = Result(proc.returncode, proc.stdout, proc.stderr)
    else:
        result = Result(*in_process.run(args, input, env or {}))
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
    report.sections = [(name, hygiene.redact(text)) for name, text in report.sections]
    if leaked:
        original = hygiene.redact(report.longreprtext)
        report.outcome = "failed"
        report.longrepr = f"secret canary leaked into: {', '.join(leaked)}\n{original}"


@pytest.hookimpl(tryfirst=True)
def pytest_warning_recorded(warning_message: warnings.WarningMessage, nodeid: str) -> None:
    """A warning holding the canary fails the run; the summary shows it redacted. (A worker
    of ``pytest -n`` redacts it before passing it on: the controller sees the mask.)"""
    text = str(warning_message.message)
    if hygiene.CANARY in text or hygiene.MASK in text:
        LEAKED_WARNINGS.append(nodeid or "collection")
        warning_message.message = UserWarning(hygiene.redact(text))


def is_worker(config: pytest.Config) -> bool:
    """A worker process of ``pytest -n`` (pytest-xdist), not the session that reports."""
    return hasattr(config, "workerinput")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if the canary is in a file a test wrote or in a warning (see
    ``tests/support/hygiene.py`` for where it looks). With workers, the controller scans once,
    after they finished: its base temp dir holds each worker's (``popen-gw0``, ...)."""
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None or is_worker(session.config):
        return
    leaked = hygiene.leaks_in_tree(factory.getbasetemp())
    for root in (REPO / ".hypothesis", REPO / ".pytest_cache"):
        leaked += hygiene.leaks_in_tree(root)
    for root in REAL_DIRS:  # an isolated test never writes there, keyring included
        leaked += hygiene.leaks_in_tree(root, key_stores=False)
    problems = [f"secret canary found in files: {', '.join(map(str, leaked))}"] if leaked else []
    if LEAKED_WARNINGS:
        problems.append(f"secret canary in warnings of: {', '.join(LEAKED_WARNINGS)}")
    for problem in problems:
        session.config.get_terminal_writer().line(problem, red=True)
    if problems:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
