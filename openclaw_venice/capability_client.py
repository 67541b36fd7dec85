"""The HTTP client behind the host's capability calls: a :class:`VeniceChat` (key, base URL,
its pool and transport settings) made for one call from the host's context, closed after."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .chat.client import VeniceChat
    from .runtime.plugins import ProviderContext, SecretStr


@asynccontextmanager
async def chat_for(ctx: ProviderContext, api_key: SecretStr) -> AsyncIterator[VeniceChat]:
    from .chat.client import VeniceChat
    from .identity import resolve_base_url

    chat = VeniceChat(api_key, base_url=resolve_base_url(ctx.config, ctx.env), warn=ctx.warn)
    try:
        yield chat
    finally:
        await chat.aclose()
