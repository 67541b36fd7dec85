"""What one turn needs of its client (:class:`~.client.VeniceChat` is one), so that the turn
machinery in :mod:`.turn` never imports the client that drives it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..wire.client import Wire


class Endpoint(Protocol):
    """Where a turn goes and how: the base URL, the wire (key, pool, retries), warnings."""

    base_url: str
    wire: Wire
    config_headers: Mapping[str, str]  # the config's provider headers that may be sent

    def warn_once(self, message: str) -> None: ...
