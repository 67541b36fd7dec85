"""A keyring backend that never answers, like a Secret Service whose unlock prompt nobody
sees (a D-Bus call that blocks): every call waits until the test lets it go
(:func:`let_go`), which no code under test does."""

from __future__ import annotations

import threading

from keyring.backend import KeyringBackend

_gate = threading.Event()
calls: list[str] = []


def let_go() -> None:
    """End the calls still waiting (a test's clean-up) and make the next ones wait again."""
    global _gate
    gate, _gate = _gate, threading.Event()
    gate.set()


class HangingKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        calls.append("get")
        _gate.wait()
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        calls.append("set")
        _gate.wait()

    def delete_password(self, service: str, username: str) -> None:
        calls.append("delete")
        _gate.wait()
