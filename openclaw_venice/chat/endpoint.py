"""What one turn needs of its client (:class:`~.client.VeniceChat` is one), so that the turn
machinery in :mod:`.turn` never imports the client that drives it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import httpx


class Endpoint(Protocol):
    """Where a turn goes and how: the base URL, the key, the HTTP pool, warnings."""

    base_url: str

    def http_client(self) -> httpx.AsyncClient:
        """The pool for the running event loop."""
        ...

    def api_key(self) -> str: ...

    def warn_once(self, message: str) -> None: ...
