"""``openclaw chat`` on a terminal with no prompt: a session that survives its turns.

A failed turn (an API error, a cut stream) prints one line and drops the unanswered message
from the history; Ctrl-C during an answer stops that answer; Ctrl-C or Ctrl-D at the prompt,
or ``/exit``, ends the session. Lines starting with ``/`` are commands, answered here and
never sent to the model.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from ..ai import ImagePart
from ..errors import OpenClawError
from ..terminal import for_stream
from .chat_input import user_message, utf8_text

if TYPE_CHECKING:
    from ..host import Host
    from .chat_turn import Turn

HELP = """Commands (never sent to the model):
  /help         this list
  /exit, /quit  end the session (or Ctrl-D, or Ctrl-C at the prompt)
Ctrl-C while an answer streams stops that answer; the session goes on."""
EXIT = ("/exit", "/quit")


def interactive(host: Host, runner: asyncio.Runner, turn: Turn, images: list[ImagePart]) -> None:
    host.err(f"Chatting with {turn.ref}; /help for commands, /exit or Ctrl-D to leave.")
    try:
        _loop(host, runner, turn, images)
    except KeyboardInterrupt:  # Ctrl-C anywhere but in an answer: the session ends
        host.err()


def _loop(host: Host, runner: asyncio.Runner, turn: Turn, images: list[ImagePart]) -> None:
    while True:
        line = _read_line(host)
        if line is None or line.strip() in EXIT:
            return
        text = line.strip()
        if not text:
            continue
        if text.startswith("/"):
            command = text.split()[0]
            unknown = f"Unknown command {command}; /help lists them."
            host.err(HELP if command == "/help" else unknown)
            continue
        history = len(turn.context.messages)
        turn.context.messages.append(user_message(text, images))
        if _answer(host, runner, turn):
            images = []  # attached to the first answered turn only
        else:  # not answered: the model never saw a reply to it, so it leaves the history
            del turn.context.messages[history:]


def _read_line(host: Host) -> str | None:
    """The next line typed, or None when the session should end (Ctrl-D, Ctrl-C)."""
    host.stderr.write("> ")
    host.stderr.flush()
    while True:
        try:
            line = utf8_text(host.stdin.readline())
        except KeyboardInterrupt:
            line = ""
        except UnicodeError:
            host.err("That line was not valid UTF-8; type it again.")
            host.stderr.write("> ")
            host.stderr.flush()
            continue
        if not line:
            host.err()  # end the prompt's line, as a shell does
            return None
        return line


def _answer(host: Host, runner: asyncio.Runner, turn: Turn) -> bool:
    """Stream one answer; False (after saying why on one line) when it did not complete."""
    try:
        runner.run(turn.run())
    except KeyboardInterrupt:
        turn.printer.end_line()
        host.err("(stopped)")
        return False
    except OpenClawError as exc:
        turn.printer.end_line()
        host.err(f"Error: {for_stream(str(exc), host.stderr)}")
        return False
    return True
