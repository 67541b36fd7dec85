"""What a terminal needs that a pipe does not: safe text, a little colour, its width.

Text from a server (model output, error bodies) can hold escape sequences: an OSC can retitle
the terminal, a CSI can clear it or move the cursor. :func:`safe_text` shows every control
character except newline and tab as a visible escape (``\\x1b``), the way ``cat -v`` and gh
do. Pipes and ``--json`` get the text exactly as it came.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TextIO

# C0 controls but \t and \n, DEL, C1 controls (U+0080-U+009F: 8-bit CSI/OSC), and the
# bidi overrides that can make text read differently than it is
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream is no terminal
        return False


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def safe_text(text: str) -> str:
    """``text`` with every control and escape character made visible and harmless."""
    return _UNSAFE.sub(_visible, text)


def for_stream(text: str, stream: TextIO) -> str:
    """``text`` made safe when ``stream`` is a terminal; unchanged for a pipe or file."""
    return safe_text(text) if is_terminal(stream) else text


def use_colour(stream: TextIO, env: Mapping[str, str]) -> bool:
    """Colour on a terminal unless ``NO_COLOR`` is set (https://no-color.org) or TERM=dumb."""
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    return is_terminal(stream)


def dim(text: str) -> str:
    return f"\x1b[2m{text}\x1b[22m" if text else text


def columns(env: Mapping[str, str], stream: TextIO) -> int | None:
    """The width to fit: ``COLUMNS`` when set, else the terminal's; None for a pipe."""
    value = env.get("COLUMNS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    if not is_terminal(stream):
        return None
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError):
        return None
