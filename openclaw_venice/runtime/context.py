"""What the host hands a provider for one call (re-exported by ``plugins``, the contract). A
module of its own because :mod:`.capabilities`, which :mod:`.plugins` imports, names it: defined
in ``plugins`` it would close an import cycle (``tests/test_boundaries.py`` forbids them;
tried)."""

# no `from __future__ import annotations`: a named tuple's string annotations are each
# compiled when the class is made (typing.ForwardRef), several times the cost of real ones
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple


def _ignore(message: str) -> None:
    """The default ``warn``: say nothing."""


class ProviderContext(NamedTuple):
    """What the host hands a provider for one call: its config block, env, cache and flags.
    (A named tuple, as the catalog records are: see :mod:`.catalog`.)"""

    config: Mapping[str, Any]  # may hold a literal apiKey: never in the repr
    env: Mapping[str, str]  # holds the process's secrets: never in the repr
    cache_dir: Path
    refresh: bool = False
    warn: Callable[[str], None] = _ignore
    # the provider's own dir under the host's state dir, for files the user writes for it
    # (Venice: its TEE policy override); None when the host has none
    state_dir: Path | None = None

    def __repr__(self) -> str:
        return (
            f"ProviderContext(cache_dir={self.cache_dir!r}, refresh={self.refresh!r}, "
            f"state_dir={self.state_dir!r})"
        )
