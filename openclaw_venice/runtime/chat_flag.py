"""A provider's own ``openclaw chat`` flag (part of the plugin contract; re-exported by
:mod:`.plugins`)."""

# no `from __future__ import annotations`: a named tuple's string annotations are each
# compiled when the class is made (typing.ForwardRef), several times the cost of real ones
from typing import NamedTuple


class ChatFlag(NamedTuple):
    """A provider's own ``openclaw chat`` flag; its value lands in
    ``ChatSettings.provider_options[dest]``. No ``choices`` and no ``metavar``: a switch."""

    flag: str  # e.g. "--web-search"
    dest: str
    help: str
    choices: tuple[str, ...] = ()
    metavar: str | None = None
