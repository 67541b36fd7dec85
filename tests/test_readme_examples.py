"""Every Python example of README.md and of the pages it sends Python users to
(docs/python.md, docs/media.md) runs against a loopback Venice under ``python -X dev``
(which shows every ``ResourceWarning``: an unclosed socket, event loop or transport) and
leaves no such warning, and no traceback (issue 22, item 3)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.support import venice_wire
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request
from tests.support.venice_audio import venice_audio
from tests.support.venice_jobs import JobServer

PAGES = ["README.md", "docs/python.md", "docs/media.md"]
EXAMPLES = [
    example
    for page in PAGES
    for example in re.findall(r"```python\n(.*?)```", (REPO / page).read_text(), re.DOTALL)
]


def venice(server: LocalServer) -> None:
    extras = venice_audio()  # speech and transcription, and what venice_extras serves
    jobs = JobServer(polls=0)  # docs/media.md's video and music: done at the first look

    def respond(request: Request) -> Reply | None:
        if request.path.endswith("/chat/completions"):
            return venice_wire.stream_reply(venice_wire.text_stream("Hello!"))
        if request.path.endswith("/models") and request.query.get("type") == ["text"]:
            return Reply(503)  # the bundled catalog then: it lists the README's models
        if request.path.rsplit("/", 1)[-1] in ("quote", "queue", "retrieve", "complete"):
            return jobs(request)
        return extras(request)

    server.respond(respond)


def test_the_readme_has_python_examples() -> None:
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("number", range(len(EXAMPLES)))
def test_a_readme_example_leaves_no_resource_warning(
    server: LocalServer, tmp_path: Path, isolated_env: dict[str, str], number: int
) -> None:
    venice(server)
    script = tmp_path / "example.py"
    script.write_text(EXAMPLES[number])
    env = {**os.environ, "VENICE_API_KEY": CANARY, "VENICE_BASE_URL": server.url + "/api/v1"}
    env.pop("PYTHONWARNINGS", None)
    done = subprocess.run(
        [sys.executable, "-X", "dev", str(script)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "ResourceWarning" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert any(
        r.path.endswith(("/chat/completions", "/image/generate", "/video/queue", "/audio/speech"))
        for r in server.requests
    )
