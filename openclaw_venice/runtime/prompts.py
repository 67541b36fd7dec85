"""Whether this run may ask a person anything. The ``openclaw`` command decides (a terminal on
stdin, and no ``--non-interactive``); a keyring backend that would ask for its password through
``getpass`` (keyrings.alt's EncryptedKeyring) in a run that may not ask is refused with one line
instead of a prompt, or, off a terminal, getpass's multi-line warning and a read of stdin."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: False once the command has decided it may not prompt (library use: prompts are the caller's)
allowed = True
#: set while a keyring backend's ``getpass`` prompt waits for the person at the terminal
asking = threading.Event()


class PromptRefused(Exception):
    """A backend asked for a password in a run that may not prompt."""

    def __init__(self) -> None:
        super().__init__(
            "the system keyring asks for its password, and this run may not prompt "
            "(--non-interactive, or no terminal); skipping it"
        )


@contextmanager
def no_prompt_unless_allowed() -> Iterator[None]:
    """Within: ``getpass.getpass`` raises :class:`PromptRefused` unless prompts are allowed;
    when they are, :data:`asking` is set while its prompt is open."""
    import getpass

    original = getpass.getpass
    if allowed:

        def ask(prompt: str = "Password: ", stream: object = None) -> str:
            asking.set()
            try:
                return original(prompt, stream)  # type: ignore[arg-type]
            finally:
                asking.clear()

        getpass.getpass = ask
        try:
            yield
        finally:
            getpass.getpass = original
        return

    def refuse(prompt: str = "Password: ", stream: object = None) -> str:
        raise PromptRefused

    getpass.getpass = refuse
    try:
        yield
    finally:
        getpass.getpass = original
