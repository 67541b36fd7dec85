"""Calls to Venice made the way the host makes them, against the test's loopback server, for
the tests that serve hostile answers (tests/test_wire_answers.py, tests/test_wire_text_safety.py):
a chat turn, each account and media capability, and what came back or the Venice error raised."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from openclaw_venice import errors
from openclaw_venice.capabilities import VeniceCapabilities
from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.chat.options import StreamOptions
from openclaw_venice.runtime.ai import Context, StreamEvent, UserMessage
from openclaw_venice.runtime.plugins import ImageRequest, ProviderContext
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer

MODEL = "venice/llama-3.3-70b"

#: each capability a hostile answer is served to, called as the host calls it
CAPABILITIES: dict[str, Callable[[ProviderContext, Any], Awaitable[Any]]] = {
    "usage": lambda ctx, k: VeniceCapabilities().usage(ctx, k, 7),
    "balance": lambda ctx, k: VeniceCapabilities().balance(ctx, k),
    "embeddings": lambda ctx, k: VeniceCapabilities().embed(ctx, k, ["a"]),
    "image": lambda ctx, k: VeniceCapabilities().generate_images(ctx, k, ImageRequest("a")),
}


def context(server: LocalServer, tmp_path: Path) -> ProviderContext:
    """The provider's context with Venice at ``server``."""
    return ProviderContext(
        config={"baseUrl": server.url + "/api/v1"}, env={}, cache_dir=tmp_path / "cache"
    )


def key() -> Any:
    from pydantic import SecretStr

    return SecretStr(CANARY)


def outcome(awaitable: Awaitable[Any]) -> Any:
    """What a call returned, or the Venice error it raised."""

    async def go() -> Any:
        try:
            return await awaitable
        except errors.VeniceError as exc:
            return exc

    return asyncio.run(go())


def chat_turn(server: LocalServer, stream: bool, **options: Any) -> Any:
    """The last event of a streamed turn, or a non-streamed turn's message or Venice error."""

    async def go() -> Any:
        url = server.url + "/api/v1"
        async with VeniceChat(CANARY, base_url=url, catalog=load_bundle()) as chat:
            ask, settings = Context(messages=[UserMessage("hi")]), StreamOptions(**options)
            if stream:
                last: StreamEvent | None = None
                async for last in chat.stream(MODEL, ask, settings):  # noqa: B007
                    pass
                return last
            try:
                return await chat.complete(MODEL, ask, settings, stream=False)
            except errors.VeniceError as exc:
                return exc

    return asyncio.run(go())
