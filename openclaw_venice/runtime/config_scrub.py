"""Taking secrets out of a config text: for a key the user moved out of the file (into the
keyring), so that no copy we write, the ``.bak`` included, still holds it.

Each secret is replaced, wherever its characters are written (a value, a comment), by the
text standing for it now (a ``${VAR}`` reference), so the scrubbed backup, put back, still
works. A secret the text holds in another spelling (JSON ``\\u`` escapes), or one so short
that replacing it could change other text, cannot be replaced faithfully: then there is no
clean text (None), and the caller keeps no copy at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .config_file import parse_config_text
from .errors import ConfigError

MIN_LENGTH = 16  # a shorter secret (no real API key) is not replaced: no clean text holds it


def scrub(text: str, moved: Mapping[str, str]) -> str | None:
    """``text`` with each secret of ``moved`` replaced by its stand-in, or None when a
    secret is still in it afterwards (or it cannot be read to make sure)."""
    moved = {secret: stand_in for secret, stand_in in moved.items() if secret}
    if any(secret in text for secret in moved if len(secret) < MIN_LENGTH):
        return None  # replacing it could change unrelated text that happens to hold it
    for secret in sorted(moved, key=len, reverse=True):  # a longer secret holding a shorter
        text = text.replace(secret, moved[secret])
    if not text.strip():
        return text
    try:
        data = parse_config_text(text.removeprefix("\ufeff"))
    except (ConfigError, ValueError, RecursionError):
        return None
    return None if holds_any(data, moved) else text


def holds_any(value: Any, secrets: Mapping[str, str]) -> bool:
    """Any string in ``value`` (keys included) that contains one of ``secrets``."""
    if isinstance(value, str):
        return any(secret in value for secret in secrets)
    if isinstance(value, Mapping):
        return any(holds_any(k, secrets) or holds_any(v, secrets) for k, v in value.items())
    if isinstance(value, list):
        return any(holds_any(v, secrets) for v in value)
    return False
