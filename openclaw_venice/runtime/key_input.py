"""Reading an API key from a person: normalising what they paste, showing it masked."""

from __future__ import annotations

import re
import sys
from typing import TextIO

from .errors import SecretError

_ASSIGNMENT = re.compile(r"^(?:export\s+)?[A-Z_][A-Z0-9_]*\s*=(?!=)\s*")
_QUOTES = ('"', "'", "`")


def key_problem(key: str) -> str | None:
    """Why ``key`` cannot travel in an HTTP header (None: it can): every character must be
    visible ASCII. The answer names the kind of character, never the character or where it
    is, so it reveals no part of the key."""
    if key.isascii() and key.isprintable() and " " not in key:
        return None
    if not key.isascii():
        return (
            "contains a character that is not ASCII (a typographic quote or dash, or "
            "something pasted along with it)"
        )
    if "\n" in key or "\r" in key:
        return "contains a line break (two lines pasted?)"
    if " " in key:
        return "contains a space"
    return "contains a control character"


def check_key(key: str, what: str, then: str) -> str:
    """``key`` if it can travel, else :class:`SecretError`: what is wrong, then ``then``."""
    problem = key_problem(key)
    if problem is not None:
        raise SecretError(f"{what} {problem}, so it cannot be sent; {then}")
    return key


def normalize_key(raw: str) -> str:
    """Trim; drop one trailing ``;``, an ``export NAME=``/``NAME=`` prefix and surrounding
    quotes or backticks. The key itself is opaque: its prefix is never checked, but a key
    that cannot travel in an HTTP header is refused (:func:`check_key`)."""
    key = _normalized(raw)
    return check_key(key, "the key", "copy it again and paste only the key") if key else key


def _normalized(raw: str) -> str:
    key = raw.strip()
    if key.endswith(";"):
        key = key[:-1].rstrip()
    key = _ASSIGNMENT.sub("", key, count=1)
    if len(key) >= 2 and key[0] == key[-1] and key[0] in _QUOTES:
        key = key[1:-1]
    return key.strip()


def mask(key: str) -> str:
    """``abcd…wxyz``: four characters each end, or stars for a short key."""
    return f"{key[:4]}…{key[-4:]}" if len(key) >= 12 else "*" * len(key)


def read_hidden(prompt: str, stdin: TextIO | None = None, stderr: TextIO | None = None) -> str:
    """Read a line without echo on a terminal; from a pipe, just read the line.
    :class:`EOFError` at the end of input (Ctrl-D)."""
    stdin, stderr = stdin or sys.stdin, stderr or sys.stderr
    if stdin.isatty():
        import getpass

        return getpass.getpass(f"{prompt}: ", stream=stderr)
    print(f"{prompt}: ", end="", file=stderr, flush=True)
    line = stdin.readline()
    print(file=stderr)
    if not line:
        raise EOFError
    return line.rstrip("\n")


def ask(
    prompt: str, default: str = "", stdin: TextIO | None = None, stderr: TextIO | None = None
) -> str:
    """A visible question; an empty answer is ``default``. :class:`EOFError` at the end of
    input (Ctrl-D): that is not a yes to the default."""
    stdin, stderr = stdin or sys.stdin, stderr or sys.stderr
    suffix = f" [{default}]" if default else ""
    print(f"{prompt}{suffix}: ", end="", file=stderr, flush=True)
    answer = stdin.readline()
    if not answer.endswith("\n"):
        print(file=stderr)
    if not answer:
        raise EOFError
    return answer.strip() or default


def confirm(
    prompt: str, default: bool, stdin: TextIO | None = None, stderr: TextIO | None = None
) -> bool:
    """A y/N question: y, yes, n or no (any case); empty is ``default``; anything else asks
    again. The end of input is ``default``."""
    stdin, stderr = stdin or sys.stdin, stderr or sys.stderr
    while True:
        try:
            answer = ask(prompt, "", stdin, stderr).lower()
        except EOFError:
            return default
        if not answer:
            return default
        if answer in ("y", "yes", "n", "no"):
            return answer.startswith("y")
        print("Please answer y or n.", file=stderr)


def choose(
    prompt: str, count: int, default: int = 1, stdin: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:  # fmt: skip
    """A number from 1 to ``count`` (empty is ``default``), asked again until it is one;
    returns its index. :class:`EOFError` at the end of input."""
    stdin, stderr = stdin or sys.stdin, stderr or sys.stderr
    while True:
        print(f"{prompt} [{default}]: ", end="", file=stderr, flush=True)
        line = stdin.readline()
        if not line:
            print(file=stderr)
            raise EOFError
        answer = line.strip() or str(default)
        if answer.isdigit() and 1 <= int(answer) <= count:
            return int(answer) - 1
        print(f"Please answer with a number from 1 to {count}.", file=stderr)
