"""``openclaw chat`` on a terminal with no prompt: a session that survives its turns.

A failed turn (an API error, a cut stream) prints one line and drops the unanswered message
from the history; Ctrl-C during an answer stops that answer; Ctrl-C or Ctrl-D at the prompt,
or ``/exit``, ends the session. Lines starting with ``/`` are commands, answered here and
never sent to the model. How a message is typed (line editing, history, pastes of several
lines) is :mod:`.chat_prompt`'s business.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from ..ai import UserPart
from ..errors import OpenClawError
from ..terminal import for_stream
from .chat_input import user_message
from .chat_prompt import BLOCK, Prompt

if TYPE_CHECKING:
    from ..host import Host
    from .chat_turn import Turn

HELP = f"""Commands (never sent to the model):
  /help         this list
  /exit, /quit  end the session (or Ctrl-D, or Ctrl-C at the prompt)
Enter sends the message; a paste of several lines is one message. To type several lines,
start with a line of {BLOCK} and end with another. Up and Down recall earlier messages.
Ctrl-C while an answer streams stops that answer; the session goes on."""
EXIT = ("/exit", "/quit")


def interactive(host: Host, runner: asyncio.Runner, turn: Turn, images: list[UserPart]) -> None:
    host.err(f"Chatting with {turn.ref}; /help for commands, /exit or Ctrl-D to leave.")
    prompt = Prompt(host)
    try:
        _loop(host, runner, turn, images, prompt)
    except KeyboardInterrupt:  # Ctrl-C anywhere but in an answer: the session ends
        host.err()
    finally:
        prompt.close()


def _loop(
    host: Host, runner: asyncio.Runner, turn: Turn, images: list[UserPart], prompt: Prompt
) -> None:
    while True:
        message = prompt.read()
        if message is None or message.strip() in EXIT:
            return
        text = message.strip()
        if not text:
            continue
        if text.startswith("/") and "\n" not in text:
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
        host.err(f"Error: {for_stream(host.explain(exc), host.stderr)}")
        return False
    return True
