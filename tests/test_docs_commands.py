"""Every command line of README.md and docs/*.md, run as a person would run it.

A command line is a line of a ```sh block. Each runs in bash, in a directory holding the files
the examples name, against a Venice stand-in on 127.0.0.1; the lines that want a terminal run
in a pseudo-terminal with what a person would type; the few that cannot run here name the test
that runs them. A line added to the docs fails here until it runs. Inline ``openclaw ...``
spans (the command tables) are parsed by the real parser, so a renamed option fails too.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import OPENCLAW, REPO
from tests.support import venice_wire
from tests.support.fake_enclave import FakeEnclave
from tests.support.hygiene import CANARY
from tests.support.pngs import png
from tests.support.server import LocalServer, Reply, Request, json_reply
from tests.support.terminal import Terminal
from tests.support.venice_extras import venice_extras

pytest_plugins = ("tests.support.enclave_fixtures",)  # pki, enclave

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
ANSWER = '{"dates": ["2026-12-07"]}'  # valid JSON, so --json-schema examples work too


def command_lines() -> list[tuple[str, str]]:
    """(page, line) for every line of every ```sh block."""
    found = []
    for page in PAGES:
        for block in re.findall(r"```sh\n(.*?)```", page.read_text(), re.S):
            found += [(page.name, line) for line in block.splitlines() if line.strip()]
    return found


def command(line: str) -> str:
    """The line without its trailing ``# comment``."""
    return line.split("  #", 1)[0].strip()


#: lines that run elsewhere, each with the test that runs it
ELSEWHERE = {
    "python3 -m venv .venv-test && .venv-test/bin/pip install -q -e '.[test]' && "
    ".venv-test/bin/ruff check && .venv-test/bin/mypy && .venv-test/bin/python -m pytest":
        "CI's .ci/run (tests/test_docs.py holds them equal)",
    "python3 -m venv .venv && .venv/bin/pip install .":
        "test_the_quick_start_install_gives_a_working_openclaw below",
    "pip install . && openclaw hermes install":
        "tests/test_hermes_install.py (the folders) and tests/test_hermes_agent.py",
    'hermes -z "Say hi" --provider venice -m kimi-k2-6': "tests/test_hermes_agent.py",
    "openclaw serve": "tests/test_gateway.py (a server that runs until stopped)",
    "openclaw serve --status": "tests/test_gateway.py (with a gateway running)",
    "openclaw connect hermes": "tests/test_gateway_connect.py",
}  # fmt: skip


def _onboard_any(term: Terminal) -> None:
    """No --auth-choice: the providers are offered first; the newcomer takes the first."""
    term.read_until(b"Choose [1]: ")
    term.type("\r")
    _onboard(term)


def _onboard(term: Terminal) -> None:
    """What a newcomer types: the key, then Enter for the proposed default model."""
    term.read_until(b"Enter Venice AI API key: ")
    term.type(CANARY + "\r")  # hidden input
    term.read_until(b"Default model (number or id)")
    term.type("\r")  # the proposed default
    term.read_until(b"Default model: ")


def _session(term: Terminal) -> None:
    term.read_until(b"> ")
    term.type("Why is the sky blue?\r")
    term.read_until(ANSWER.encode())
    term.read_until(b"> ")
    term.type("/exit\r")


#: lines that want a terminal: what a person types, and what they see
ON_A_TERMINAL: dict[str, Callable[[Terminal], None]] = {
    ".venv/bin/openclaw onboard": _onboard_any,
    "openclaw onboard --auth-choice venice-api-key": _onboard,
    ".venv/bin/openclaw chat": _session,
    "openclaw chat": _session,
}


def test_every_command_line_is_run_here_or_names_the_test_that_runs_it() -> None:
    lines = {command(line) for _, line in command_lines()}
    assert lines >= set(ELSEWHERE) | set(ON_A_TERMINAL), "an entry here is stale: update it"
    assert len(lines) > 15


def stand_in(request: Request) -> Reply | None:
    """Venice as the examples meet it: chat streams JSON text; images, embeddings and billing
    from the extras stand-in; the text model list is not offered (the bundled one is used,
    so every model the docs name exists)."""
    if request.path.endswith("/chat/completions"):
        return venice_wire.stream_reply(venice_wire.text_stream(ANSWER))
    if request.path.endswith("/models") and request.query.get("type", ["text"])[0] == "text":
        return json_reply({"error": "not here"}, status=503)
    return venice_extras()(request)


@pytest.fixture
def workdir(tmp_path: Path, server: LocalServer) -> tuple[Path, dict[str, str]]:
    """A directory with the files the examples name, and the environment they run in: the
    key in the keyring (as onboarding leaves it), Venice at the stand-in."""
    work = tmp_path / "work"
    (work / ".venv" / "bin").mkdir(parents=True)
    (work / ".venv" / "bin" / "openclaw").symlink_to(OPENCLAW)
    (work / "cat.png").write_bytes(png(4, 3))
    (work / "notes.txt").write_text("Met on 7 December.\n")
    (work / "answer.schema.json").write_text(json.dumps({"type": "object"}))
    env = {
        "PATH": f"{OPENCLAW.parent}{os.pathsep}{os.environ['PATH']}",
        "VENICE_BASE_URL": server.url + "/api/v1",
    }
    return work, env


PLAIN = sorted(
    {
        (page, command(line))
        for page, line in command_lines()
        if command(line) not in ELSEWHERE and command(line) not in ON_A_TERMINAL
    }
)


@pytest.mark.parametrize(("page", "line"), PLAIN, ids=[f"{p}:{c[:50]}" for p, c in PLAIN])
def test_the_command_line_runs(
    page: str, line: str, workdir: tuple[Path, dict[str, str]], server: LocalServer,
    request: pytest.FixtureRequest,
) -> None:  # fmt: skip
    work, env = workdir
    if "e2ee" in line:
        enclave: FakeEnclave = request.getfixturevalue("enclave")
        env.update(enclave_env(server, request.getfixturevalue("pki"), work))
        if "--no-e2ee" in line:  # TEE-only: the enclave answers in the clear
            enclave.install(server, chat=lambda r: venice_wire.stream_reply(
                venice_wire.text_stream(ANSWER)))  # fmt: skip
    else:
        server.respond(stand_in)
    proc = subprocess.run(
        ["bash", "-c", line], cwd=work, capture_output=True, text=True, timeout=120,
        env={**os.environ, **env, "VENICE_API_KEY": CANARY},
    )  # fmt: skip
    shown = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{page}: {line}\n{shown}"
    assert "Error:" not in shown and "Traceback" not in shown, shown
    assert CANARY not in shown
    assert server.requests, "the example never reached the stand-in"


def enclave_env(server: LocalServer, pki: object, work: Path) -> dict[str, str]:
    from cryptography.hazmat.primitives.serialization import Encoding

    from tests.support.fake_nvidia import shared_nvidia

    root = work / "test-root.pem"
    root.write_bytes(pki.root_cert.public_bytes(Encoding.PEM))  # type: ignore[attr-defined]
    gpu_root = work / "test-nvidia-root.der"  # the fake enclave's GPUs are this root's
    gpu_root.write_bytes(shared_nvidia().root_der)
    return {"VENICE_TEE_ROOT_CA": str(root), "VENICE_TEE_PCS_URL": server.url,
            "VENICE_TEE_NVIDIA_ROOT": str(gpu_root)}  # fmt: skip


@pytest.mark.parametrize("line", sorted(ON_A_TERMINAL))
def test_the_command_line_runs_on_a_terminal(
    line: str, workdir: tuple[Path, dict[str, str]], server: LocalServer
) -> None:
    _, env = workdir
    server.respond(stand_in)
    program, *args = shlex.split(line)
    assert program in ("openclaw", ".venv/bin/openclaw")
    key = "" if "onboard" in args else CANARY  # onboarding asks for it
    with Terminal(*args, env={**env, "VENICE_API_KEY": key}) as term:
        ON_A_TERMINAL[line](term)
        assert term.wait() == 0
    assert b"Error:" not in term.seen
    assert any(r.path.endswith("/models") for r in server.requests)


def inline_commands() -> list[tuple[str, str]]:
    """(page, span) for every inline ``openclaw ...`` code span."""
    return [
        (page.name, span)
        for page in PAGES
        for span in re.findall(r"`(openclaw [^`]+)`", page.read_text())
        if span != "openclaw ..."  # "the same as `openclaw ...`"
        and span not in NOT_OURS
    ]


#: spans naming TypeScript OpenClaw's own `openclaw` command, not this package's
NOT_OURS = {"openclaw plugins install"}


#: placeholder words of the command tables, and what a person would put there
SAMPLES = {"N": "2", "ID": "venice", "venice/ID": "venice/text-embedding-bge-m3",
           "COMMAND": "chat", "KEY": "a-key", "RUNTIME": "hermes"}  # fmt: skip


def concrete(span: str) -> list[str]:
    """A span as words the parser can take: ``<id>`` placeholders become a model, ``a|b``
    the first choice, ``[--flag]`` the flag, ``...`` nothing, a pipe what comes before it."""
    span = span.split(" | ", 1)[0].replace("\\|", "|").replace("<e2ee-id>", "e2ee-glm-5-2-p")
    span = re.sub(r"<[^>]+>", "kimi-k2-6", span)
    span = re.sub(r"\[([^\]]+)\]", r"\1", span).replace("...", "")
    words = [SAMPLES.get(word, word).split("|")[0] for word in shlex.split(span)]
    return words[1:]


def parses(words: list[str]) -> bool:
    from openclaw_venice.runtime.cli import build_parser
    from openclaw_venice.runtime.plugins import load_plugins

    try:
        build_parser(load_plugins()).parse_args(words)
    except SystemExit as exc:
        return exc.code == 0  # --help
    return True


@pytest.mark.parametrize(("page", "span"), inline_commands())
def test_the_inline_command_parses(page: str, span: str) -> None:
    """A command line parses; a command named in prose (`openclaw image`) exists."""
    words = concrete(span)
    named = all(word.isidentifier() for word in words)
    assert parses(words) or (named and parses([*words, "--help"])), f"{page}: `{span}`"


def test_the_quick_start_install_gives_a_working_openclaw(tmp_path: Path) -> None:
    """The README's install line, in a copy of the clone. The fresh venv reaches this suite's
    dependencies through a ``.pth`` file and pip is given ``--no-deps``, so nothing but the
    build backend is fetched; the package itself is built and installed as the line says."""
    import shutil
    import sysconfig

    readme = (REPO / "README.md").read_text()
    install = re.findall(r"```sh\n(.*?)```", readme, re.S)[0].splitlines()[0]
    make_venv, pip_install = (part.strip() for part in install.split("&&"))
    assert make_venv == "python3 -m venv .venv" and pip_install == ".venv/bin/pip install ."
    clone = tmp_path / "clone"
    skipped = (".git", ".venv*", "__pycache__", ".*_cache", ".hypothesis", "build", "dist")
    shutil.copytree(REPO, clone, ignore=shutil.ignore_patterns(*skipped, "tests"))
    without_pythonpath = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = lambda line: subprocess.run(  # noqa: E731
        ["bash", "-c", line], cwd=clone, capture_output=True, text=True, timeout=600,
        env=without_pythonpath,
    )  # fmt: skip
    made = run(make_venv)
    assert made.returncode == 0, made.stderr
    (site,) = (clone / ".venv" / "lib").glob("python3*/site-packages")
    (site / "suite-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = run(pip_install + " --no-deps -q")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    version = run(".venv/bin/openclaw --version")
    assert version.returncode == 0 and version.stdout.startswith("openclaw "), version.stderr
    where = subprocess.run(  # from elsewhere: the copy pip installed, not the clone's tree
        [clone / ".venv/bin/python", "-c", "import openclaw_venice as o; print(o.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, env=without_pythonpath,
    )  # fmt: skip
    assert where.stdout.startswith(str(site)), where.stdout
