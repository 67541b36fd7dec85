"""``SecretStr``: a key that never shows itself, without importing pydantic for it.

The same interface as ``pydantic.SecretStr`` (``get_secret_value()``, a masked ``repr`` and
``str``), so code written for either works; pydantic costs ~100 ms to import, and ``chat`` has
no other use for it. Wherever a key is accepted, a ``pydantic.SecretStr`` is accepted too.
"""

from __future__ import annotations

from typing import Protocol


class HasSecret(Protocol):
    def get_secret_value(self) -> str: ...


class SecretStr:
    """An API key that shows ``**********`` in ``str`` and ``repr``; the key itself only
    through ``get_secret_value()`` (a ``pydantic.SecretStr`` is accepted wherever this is)."""

    __slots__ = ("_secret_value",)

    def __init__(self, value: str) -> None:
        self._secret_value = value

    def get_secret_value(self) -> str:
        """The key itself: send it, never show it."""
        return self._secret_value

    def __repr__(self) -> str:
        return "SecretStr('**********')" if self._secret_value else "SecretStr('')"

    def __str__(self) -> str:
        return "**********" if self._secret_value else ""

    def __len__(self) -> int:
        return len(self._secret_value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretStr) and other._secret_value == self._secret_value

    def __hash__(self) -> int:
        return hash(self._secret_value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a SecretStr is not pickled: it would write the key out")
