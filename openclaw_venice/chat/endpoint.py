"""What one turn needs of its client (:class:`~.client.VeniceChat` is one), so that the turn
machinery in :mod:`.turn` never imports the client that drives it."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import httpx


class Endpoint(Protocol):
    """Where a turn goes and how: the base URL, the key, the HTTP pool, warnings."""

    base_url: str
    config_headers: Mapping[str, str]  # the config's provider headers that may be sent

    def http_client(self) -> httpx.AsyncClient:
        """The pool for the running event loop."""
        ...

    def http_slots(self) -> asyncio.Semaphore:
        """The running loop's turns in flight: one slot per connection of the pool."""
        ...

    def api_key(self) -> str: ...

    def warn_once(self, message: str) -> None: ...

    def route(self) -> str:
        """How requests travel, for messages: "" or " through the proxy URL (from VAR)"."""
        ...
