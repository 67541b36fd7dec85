"""Async first, one sync rule (issue 22, item 3): the host's async capabilities await model
discovery on the caller's loop (a 50 ms ticker on that loop keeps ticking while /models is
slow), every sync form refuses inside a running loop with the one message, and
``VeniceProvider`` owns and closes what it opens, a client a new key replaced included."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from openclaw_venice import VeniceProvider, errors
from openclaw_venice.capabilities import VeniceCapabilities
from openclaw_venice.runtime.plugins import ImageRequest, ProviderContext, SecretStr
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request
from tests.support.venice_extras import venice_extras

SLOW_MODELS = 0.6  # seconds /models takes; a blocked loop misses ~12 ticks of 50 ms
TICK = 0.05


def slow_models(server: LocalServer) -> None:
    extras = venice_extras()

    def respond(request: Request) -> Reply | None:
        if request.path.endswith("/models"):
            time.sleep(SLOW_MODELS)  # the server's thread, not the client's loop
        return extras(request)

    server.respond(respond)


def context(server: LocalServer, tmp_path: Path) -> ProviderContext:
    return ProviderContext(
        config={"baseUrl": server.url + "/api/v1"},
        env={},
        cache_dir=tmp_path,
        refresh=False,
        warn=lambda message: None,
    )


async def longest_gap(work: Awaitable[Any]) -> tuple[Any, float]:
    """``work``'s result and the longest time between two ticks of a 50 ms ticker."""
    loop = asyncio.get_running_loop()
    gaps: list[float] = []

    async def ticker() -> None:
        last = loop.time()
        while True:
            await asyncio.sleep(TICK)
            now = loop.time()
            gaps.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    try:
        result = await work
    finally:
        ticking.cancel()
    return result, max(gaps)


Call = Callable[[VeniceCapabilities, ProviderContext], Awaitable[Any]]
CALLS: dict[str, Call] = {
    "generate_for_host": lambda caps, ctx: caps.generate_images(
        ctx, SecretStr(CANARY), ImageRequest("a lighthouse", "venice/venice-sd35")
    ),
    "embed_for_host": lambda caps, ctx: caps.embed(ctx, SecretStr(CANARY), ["a", "b"]),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_discovery_does_not_stall_the_callers_loop(
    server: LocalServer, tmp_path: Path, name: str
) -> None:
    slow_models(server)
    ctx = context(server, tmp_path)

    async def main() -> tuple[Any, float]:
        return await longest_gap(CALLS[name](VeniceCapabilities(), ctx))

    result, gap = asyncio.run(main())
    assert result is not None
    assert any(r.path.endswith("/models") for r in server.requests)  # discovery did run
    assert gap < SLOW_MODELS / 2, f"the loop stalled {gap:.2f} s"


def test_every_sync_form_refuses_inside_a_running_loop(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.respond(venice_extras())
    monkeypatch.setenv("VENICE_BASE_URL", server.url + "/api/v1")
    monkeypatch.setenv("VENICE_API_KEY", CANARY)
    provider = VeniceProvider()
    forms: dict[str, Callable[[], Any]] = {
        "complete_sync": lambda: provider.complete_sync("venice/llama-3.3-70b", _prompt()),
        "images.generate_sync": lambda: provider.images.generate_sync("a lighthouse"),
        "embeddings.create_sync": lambda: provider.embeddings.create_sync(["a"]),
    }

    async def inside(form: Callable[[], Any]) -> str:
        with pytest.raises(errors.UsageError) as caught:
            form()
        return str(caught.value)

    with provider:
        for name, form in forms.items():
            message = asyncio.run(inside(form))
            assert "cannot run inside a running event loop; use `await" in message, name
            assert "\n" not in message
    assert server.requests == []  # refused before anything was sent


def _prompt() -> Any:
    from openclaw_venice.runtime.ai import Context, UserMessage

    return Context(messages=[UserMessage("hi")])


def test_the_provider_closes_what_it_owns_and_a_client_it_replaced(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support import venice_wire

    server.respond(lambda request: venice_wire.stream_reply(venice_wire.text_stream("ok")))
    monkeypatch.setenv("VENICE_BASE_URL", server.url + "/api/v1")
    monkeypatch.setenv("VENICE_API_KEY", CANARY)
    with VeniceProvider() as provider:
        first = provider.client()
        assert provider.complete_sync("venice/llama-3.3-70b", _prompt()).text == "ok"
        loops = list(first._runner._loops)
        assert len(loops) == 1 and first.wire.open_pools() == 1
        second = provider.client(CANARY + "-new")  # a new key: a new client
        assert second is not first
        assert first.wire.open_pools() == 0 and all(loop.is_closed() for loop in loops)
        assert provider.complete_sync("venice/llama-3.3-70b", _prompt()).text == "ok"
        assert second.wire.open_pools() == 1
    assert second.wire.open_pools() == 0 and provider._client is None


def test_the_provider_closes_its_pool_from_async_code(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support import venice_wire

    server.respond(lambda request: venice_wire.stream_reply(venice_wire.text_stream("ok")))
    monkeypatch.setenv("VENICE_BASE_URL", server.url + "/api/v1")
    monkeypatch.setenv("VENICE_API_KEY", CANARY)

    async def main() -> tuple[int, int]:
        async with VeniceProvider() as provider:
            await provider.complete("venice/llama-3.3-70b", _prompt())
            wire = provider.client().wire
            during = wire.open_pools()
        return during, wire.open_pools()

    assert asyncio.run(main()) == (1, 0)


def test_verify_attestation_inside_a_running_loop_is_the_one_clear_error(
    tmp_path: Path,
) -> None:
    """Without collateral it must fetch Intel's: inside a running loop that is the one sync
    rule's error (it was a RuntimeError from asyncio.run); with collateral fetched by the
    caller's loop it works there."""
    from openclaw_venice.tee import CollateralCache, PcsEndpoints, verify_attestation
    from tests.support.tee_capture import capture, collateral

    real = capture()
    nowhere = PcsEndpoints(api="http://127.0.0.1:9", certificates="http://127.0.0.1:9")

    async def without() -> None:
        verify_attestation(real.document, nonce=real.nonce, model=real.model,
                           at=real.captured_at, endpoints=nowhere,
                           cache=CollateralCache(tmp_path))  # fmt: skip

    async def given() -> bool:
        report = verify_attestation(real.document, nonce=real.nonce, model=real.model,
                                    at=real.captured_at, collateral=collateral())  # fmt: skip
        return report.passed

    with pytest.raises(errors.UsageError, match="cannot run inside a running event loop"):
        asyncio.run(without())
    assert asyncio.run(given())
