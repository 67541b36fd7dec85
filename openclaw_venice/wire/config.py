"""The wire of one host capability call (balance, usage, images, embeddings): the key and
base URL the host resolved, the host's environment (proxy, certificates) and connection
limits, closed when the call ends."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from .client import ConnectionLimits, Wire

if TYPE_CHECKING:
    from ..runtime.plugins import ProviderContext, SecretStr

__all__ = ["connection_limits", "wire_for"]


@asynccontextmanager
async def wire_for(ctx: ProviderContext, api_key: SecretStr) -> AsyncIterator[Wire]:
    """A wire for one call; refuses a key bound off https before anything is sent."""
    from ..identity import resolve_base_url

    base_url = resolve_base_url(ctx.config, ctx.env)
    async with Wire(base_url, api_key, env=ctx.env, limits=connection_limits(ctx.config)) as wire:
        yield wire


def connection_limits(config: Mapping[str, Any]) -> ConnectionLimits:
    """``params.maxConnections`` / ``params.maxKeepalive`` of the provider's config block (the
    host's and the gateway's setting; under ``params``, where TypeScript OpenClaw, which
    refuses unknown keys in a provider block, accepts them), else the defaults; a value that
    is not a positive whole number is ignored."""
    defaults = ConnectionLimits()
    params = config.get("params")
    settings: Mapping[str, Any] = params if isinstance(params, Mapping) else {}
    return ConnectionLimits(
        max_connections=_count(settings.get("maxConnections"), defaults.max_connections, 1),
        max_keepalive=_count(settings.get("maxKeepalive"), defaults.max_keepalive, 0),
        keepalive_seconds=defaults.keepalive_seconds,
    )


def _count(value: Any, default: int, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return default
    try:
        number = int(value)
    except ValueError:
        return default
    return number if number >= least else default
