"""What one turn needs of its client (:class:`~.client.VeniceChat` is one), so that the turn
machinery in :mod:`.turn` never imports the client that drives it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import httpx

    from ..wire.client import Wire


class Endpoint(Protocol):
    """Where a turn goes and how: the base URL, the wire (key, pool, retries), warnings."""

    base_url: str
    wire: Wire

    def http_client(self) -> httpx.AsyncClient:
        """The pool for the running event loop (attestation and collateral fetches)."""
        ...

    def api_key(self) -> str: ...

    def warn_once(self, message: str) -> None: ...
