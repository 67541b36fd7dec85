"""Keyring backends that answer in odd types, on a real file store (keyrings.alt).

Some backends hand back the stored secret as ``bytes`` (or another object); the key must
then be decoded, or skipped with a warning, never sent as ``b'...'``.
"""

from __future__ import annotations

from typing import Any

from keyrings.alt.file import PlaintextKeyring


class BytesKeyring(PlaintextKeyring):
    """Stores text; returns it UTF-8 encoded (or ``raw`` when set: bytes that are not UTF-8)."""

    raw: bytes | None = None

    def get_password(self, service: str, username: str) -> Any:
        value = super().get_password(service, username)
        if value is None:
            return None
        return self.raw if self.raw is not None else value.encode("utf-8")


class NumberKeyring(PlaintextKeyring):
    """Returns a number for every stored secret (a backend with a bug)."""

    def get_password(self, service: str, username: str) -> Any:
        value = super().get_password(service, username)
        return None if value is None else 12345
