"""Text from a server, made safe where it enters. Pure.

- Lone surrogates: JSON may escape half a UTF-16 pair (``"\\ud800"``), and ``json.loads`` of
  bytes reads UTF-8-encoded surrogates through; Python keeps them in a ``str`` that no UTF-8
  stream can write. Printed, such a text ends a chat session with an encode error; kept in the
  history, it fails every later request. :func:`safe_text` / :func:`safe_json` put U+FFFD in
  their place (what a UTF-8 decoder does with bytes it cannot read).
- The key echoed back: a server (or a proxy) may quote the request's ``Authorization`` header
  in its error text. :func:`mask` hides the key, and any part of it 8 characters or longer,
  before the text is shown anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = [
    "MASK",
    "MIN_SECRET_PART",
    "map_strings",
    "mask",
    "mask_error",
    "may_hold_surrogates",
    "safe_json",
    "safe_text",
]

MASK = "***"
MIN_SECRET_PART = 8  # a run this long of the key is the key, as far as showing it goes
REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def may_hold_surrogates(json_text: str) -> bool:
    """Whether parsing ``json_text`` may give strings with lone surrogates: it escapes one
    (valid pairs match too: the walk that follows is cheap), or holds one raw."""
    if "\\u" in json_text and _ESCAPED_SURROGATE.search(json_text):
        return True
    return not json_text.isascii() and _SURROGATE.search(json_text) is not None


def safe_text(text: str) -> str:
    """``text`` with every surrogate code point replaced by U+FFFD (a valid pair in a ``str``
    is two code points Python cannot write either)."""
    return _SURROGATE.sub(REPLACEMENT, text) if _SURROGATE.search(text) else text


def safe_json(value: Any) -> Any:
    """A parsed JSON value with :func:`safe_text` applied to every string, keys included."""
    return map_strings(value, safe_text, _SURROGATE.search)


def map_strings(
    value: Any, change: Callable[[str], str], wanted: Callable[[str], object] = bool
) -> Any:
    """``value`` (parsed JSON, changed in place) with ``change`` applied to every string, and
    to every key for which ``wanted`` is true. Iterative: a value nested deeper than Python's
    recursion limit is walked all the same."""
    if isinstance(value, str):
        return change(value)
    if not isinstance(value, dict | list):
        return value
    stack: list[dict[Any, Any] | list[Any]] = [value]
    while stack:
        container = stack.pop()
        if isinstance(container, list):
            for i, item in enumerate(container):
                if isinstance(item, str):
                    container[i] = change(item)
                elif isinstance(item, dict | list):
                    stack.append(item)
            continue
        for key, item in list(container.items()):
            if isinstance(item, str):
                item = change(item)
            elif isinstance(item, dict | list):
                stack.append(item)
            if isinstance(key, str) and wanted(key):
                del container[key]
                key = change(key)
            container[key] = item
    return value


def mask(text: str, secret: str | None) -> str:
    """``text`` with ``secret``, and every run of it :data:`MIN_SECRET_PART` characters or
    longer, replaced by :data:`MASK` (a secret shorter than that is masked whole only)."""
    if not secret or not text:
        return text
    if len(secret) < MIN_SECRET_PART:
        return text.replace(secret, MASK)
    parts = {secret[i : i + MIN_SECRET_PART] for i in range(len(secret) - MIN_SECRET_PART + 1)}
    out: list[str] = []
    start = i = 0
    while i <= len(text) - MIN_SECRET_PART:
        if text[i : i + MIN_SECRET_PART] not in parts:
            i += 1
            continue
        end = i + MIN_SECRET_PART
        while end < len(text) and text[i : end + 1] in secret:
            end += 1
        out += [text[start:i], MASK]
        start = i = end
    out.append(text[start:])
    return "".join(out)


E = TypeVar("E", bound=BaseException)


def mask_error(error: E, secret: str | None) -> E:
    """``error`` with :func:`mask` applied to its message and to what it carries of the
    server's words (``detail``, ``details``), in place: the one step before an error that
    quotes a server is raised to the caller."""
    if not secret:
        return error
    error.args = tuple(mask(a, secret) if isinstance(a, str) else a for a in error.args)
    detail = getattr(error, "detail", None)
    if isinstance(detail, str):
        error.detail = mask(detail, secret)  # type: ignore[attr-defined]
    details = getattr(error, "details", None)
    if details is not None:
        masked = map_strings(details, lambda t: mask(t, secret), lambda t: mask(t, secret) != t)
        error.details = masked  # type: ignore[attr-defined]
    return error
