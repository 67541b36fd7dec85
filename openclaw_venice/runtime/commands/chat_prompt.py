"""Reading a chat session's messages from a person.

On a terminal the line is read through readline: line editing, Up and Down through earlier
messages (kept in ``chat-history.jsonl`` under the state dir, mode 0600, one JSON string per
message, the last 1000), and a paste of several lines arriving as one message (bracketed
paste: the pasted text stays on the prompt until Enter sends it). Anywhere, a line of three
double quotes starts a message of several lines and another such line sends it. Without a
terminal (or without readline) lines are read as they come.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import ModuleType

from ..host import Host
from .chat_input import utf8_text

HISTORY_FILE = "chat-history.jsonl"
HISTORY_LENGTH = 1000  # messages kept, newest last
BLOCK = '"""'  # a line of its own: starts, and then ends, a message of several lines
PROMPT, MORE = "> ", "... "


class Prompt:
    """``read()`` gives the next message ("" when there is nothing to send), None when the
    session should end (Ctrl-D, or Ctrl-C at the prompt); ``close()`` saves the history."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.history_path = host.state_dir / HISTORY_FILE
        self.readline = _readline(host)
        self.added: list[str] = []  # this session's messages, for the history file
        if self.readline is not None:
            self.readline.clear_history()
            for entry in load_history(self.history_path):
                self.readline.add_history(entry)

    def read(self) -> str | None:
        try:
            line = self._line(PROMPT)
        except EOFError:
            if self.readline is None:  # readline ends the line itself at Ctrl-D
                self.host.err()
            return None
        except KeyboardInterrupt:
            self.host.err()  # end the prompt's line, as a shell does
            return None
        if line.strip() == BLOCK:
            line = self._block()
        return self._remember(line)

    def close(self) -> None:
        """Add this session's messages to the history file (another session's, saved
        meanwhile, are kept)."""
        if self.readline is None or not self.added:
            return
        try:
            save_history(self.history_path, [*load_history(self.history_path), *self.added])
        except OSError as exc:
            self.host.warn(f"the chat history was not saved to {self.history_path}: {exc}")

    def _block(self) -> str:
        """The lines up to the closing ``\"\"\"`` (or Ctrl-D); Ctrl-C drops them."""
        lines: list[str] = []
        while True:
            try:
                line = self._line(MORE)
            except EOFError:
                if self.readline is None:
                    self.host.err()
                return "\n".join(lines)
            except KeyboardInterrupt:
                self.host.err()
                self.host.err("(message dropped)")
                return ""
            if line.strip() == BLOCK:
                return "\n".join(lines)
            lines.append(line)

    def _remember(self, message: str) -> str:
        """Up recalls messages, not commands (``/exit``)."""
        text = message.strip()
        if self.readline is None or not text or (text.startswith("/") and "\n" not in text):
            return message
        last = self.readline.get_current_history_length()
        if not last or self.readline.get_history_item(last) != message:
            self.readline.add_history(message)
            self.added.append(message)
        return message

    def _line(self, prompt: str) -> str:
        """One line (a paste of several included); EOFError at Ctrl-D."""
        while True:
            try:
                if self.readline is not None:
                    return utf8_text(input(prompt))
                return _plain_line(self.host, prompt)
            except UnicodeError:
                self.host.err("That line was not valid UTF-8; type it again.")


def _plain_line(host: Host, prompt: str) -> str:
    host.stderr.write(prompt)
    host.stderr.flush()
    line = utf8_text(host.stdin.readline())
    if not line:
        raise EOFError
    return line.removesuffix("\n")


def _readline(host: Host) -> ModuleType | None:
    """readline, when ``input()`` uses it: the process's own terminal on stdin and stdout
    (as the ``openclaw`` command runs on a terminal); else None."""
    if host.stdin is not sys.stdin or not (sys.stdin.isatty() and sys.stdout.isatty()):
        return None
    try:
        import readline
    except ImportError:  # a Python built without it: lines are read as they come
        return None
    if "libedit" not in (readline.__doc__ or ""):  # GNU readline: a paste stays one message
        readline.parse_and_bind("set enable-bracketed-paste on")
    readline.set_auto_history(False)  # the message as sent goes in, not each line of a block
    return readline


def load_history(path: Path) -> list[str]:
    """The messages saved earlier, oldest first; a line that is not a JSON string is
    skipped (a file from elsewhere never stops a session)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeError):
        return []
    entries = []
    for line in lines[-HISTORY_LENGTH:]:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, str) and entry:
            entries.append(entry)
    return entries


def save_history(path: Path, entries: list[str]) -> None:
    """The last :data:`HISTORY_LENGTH` messages, written whole, readable by the user alone
    (0600 in a 0700 directory)."""
    from ..config_file import write_atomic

    kept = entries[-HISTORY_LENGTH:]
    write_atomic(path, "".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in kept),
                 keep_backup=False)  # fmt: skip
