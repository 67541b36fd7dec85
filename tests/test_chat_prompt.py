"""Typing in an ``openclaw chat`` session, in a real pseudo-terminal: line editing, history
that outlives the session (a 0600 file under the state dir), a paste of several lines sent as
one message, and the explicit several-line mode ``/help`` shows."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from tests.support import venice_wire
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request, json_reply
from tests.support.terminal import Terminal

MODEL = "venice/llama-3.3-70b"
PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"  # what a terminal sends around a paste
UP, LEFT = "\x1b[A", "\x1b[D"


def venice(server: LocalServer) -> dict[str, str]:
    """A stand-in that answers each turn with "Answer N."; the env pointing the CLI at it."""
    answered = iter(range(1, 100))

    def respond(request: Request) -> Reply:
        if request.path.endswith("/models"):
            return json_reply({"data": [{"id": "llama-3.3-70b", "type": "text"}]})
        return venice_wire.stream_reply(venice_wire.text_stream(f"Answer {next(answered)}."))

    server.respond(respond)
    return {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}


def sent(server: LocalServer) -> list[Any]:
    """The user's messages each chat request carried last."""
    return [
        r.json()["messages"][-1]["content"]
        for r in server.requests
        if r.path.endswith("/chat/completions")
    ]


def history_file() -> Path:
    return Path(os.environ["OPENCLAW_STATE_DIR"]) / "chat-history.jsonl"


def test_a_pasted_block_of_three_lines_is_one_message(server: LocalServer) -> None:
    env = venice(server)
    with Terminal("chat", "-m", MODEL, env=env) as term:
        term.read_until(b"> ")
        term.type(f"{PASTE_START}first line\nsecond line\nthird line{PASTE_END}")
        term.type("\r")
        term.read_until(b"Answer 1.")
        term.read_until(b"> ")
        term.type("/exit\r")
        assert term.wait() == 0
    assert sent(server) == ["first line\nsecond line\nthird line"]


def test_line_editing_and_history_across_sessions(server: LocalServer) -> None:
    env = venice(server)
    with Terminal("chat", "-m", MODEL, env=env) as term:
        term.read_until(b"> ")
        term.type(f"helo{LEFT}l\r")  # a typo mended in place
        term.read_until(b"Answer 1.")
        term.read_until(b"> ")
        term.type(f"{UP}\r")  # the same message again
        term.read_until(b"Answer 2.")
        term.read_until(b"> ")
        term.type("\x04")  # Ctrl-D
        assert term.wait() == 0
    assert sent(server) == ["hello", "hello"]
    path = history_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [json.loads(line) for line in path.read_text().splitlines()] == ["hello"]

    with Terminal("chat", "-m", MODEL, env=env) as term:  # a new session remembers
        term.read_until(b"> ")
        term.type(f"{UP} again\r")
        term.read_until(b"Answer 3.")
        term.read_until(b"> ")
        term.type("/exit\r")
        assert term.wait() == 0
    assert sent(server)[-1] == "hello again"
    assert [json.loads(line) for line in path.read_text().splitlines()] == [
        "hello",
        "hello again",
    ]  # commands (/exit) are not messages


def test_the_several_line_mode_is_in_help_and_sends_one_message(server: LocalServer) -> None:
    env = venice(server)
    with Terminal("chat", "-m", MODEL, env=env) as term:
        term.read_until(b"> ")
        term.type("/help\r")
        shown = term.read_until(b"> ")
        assert b'start with a line of """ and end with another' in shown
        assert b"a paste of several lines is one message" in shown
        term.type('"""\r')
        term.read_until(b"... ")
        term.type("Dear model,\r")
        term.read_until(b"... ")
        term.type("  two lines.\r")
        term.read_until(b"... ")
        term.type('"""\r')
        term.read_until(b"Answer 1.")
        term.read_until(b"> ")
        term.type("/exit\r")
        assert term.wait() == 0
    assert sent(server) == ["Dear model,\n  two lines."]


def test_a_session_off_a_terminal_writes_no_history(server: LocalServer) -> None:
    """Piped input is one prompt, not a session: nothing is remembered."""
    from tests.conftest import run_cli

    env = venice(server)
    result = run_cli("chat", "-m", MODEL, input="a piped prompt\n", env=env)
    assert result.code == 0, result.output
    assert not history_file().exists()
