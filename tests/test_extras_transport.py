"""The requests beyond chat keep chat's transport rules, each one (issue 17, item 4): the key
only to https or loopback, checked for the URL actually sent; no fingerprint headers; bounded
reads, compressed answers included; failures typed, one line, with the request id."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from openclaw_venice.billing import VeniceBilling
from openclaw_venice.capabilities import VeniceCapabilities
from openclaw_venice.errors import (
    RateLimitError,
    RequestRefused,
    StreamFormatError,
    VeniceTimeoutError,
)
from openclaw_venice.runtime.plugins import CharacterQuery, ImageRequest, ProviderContext
from tests.support import faults
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, json_reply
from tests.support.venice_extras import REQUEST_ID, venice_extras

Call = Callable[[ProviderContext, Any], Awaitable[Any]]
CALLS: dict[str, Call] = {
    "balance": lambda ctx, key: VeniceCapabilities().balance(ctx, key),
    "usage": lambda ctx, key: VeniceCapabilities().usage(ctx, key, 7),
    "image": lambda ctx, key: VeniceCapabilities().generate_images(ctx, key, ImageRequest("a")),
    "embed": lambda ctx, key: VeniceCapabilities().embed(ctx, key, ["a"]),
    "rate limits": lambda ctx, key: VeniceCapabilities().rate_limits(ctx, key),
    "rate limit log": lambda ctx, key: VeniceCapabilities().rate_limit_log(ctx, key),
    "characters": lambda ctx, key: VeniceCapabilities().characters(ctx, key, CharacterQuery("z")),
    "character": lambda ctx, key: VeniceCapabilities().character(ctx, key, "alan-watts"),
    "reviews": lambda ctx, key: VeniceCapabilities().character_reviews(ctx, key, "alan-watts"),
}
PATHS = {
    "balance": "/billing/balance",
    "usage": "/billing/usage-analytics",
    "image": "/image/generate",
    "embed": "/embeddings",
    "rate limits": "/api_keys/rate_limits",
    "rate limit log": "/api_keys/rate_limits/log",
    "characters": "/characters",
    "character": "/characters/alan-watts",
    "reviews": "/characters/alan-watts/reviews",
}


def context(base_url: str, tmp_path: Any) -> ProviderContext:
    return ProviderContext(config={"baseUrl": base_url}, env={}, cache_dir=tmp_path / "cache")


def key() -> Any:
    from pydantic import SecretStr

    return SecretStr(CANARY)


@pytest.mark.parametrize("name", CALLS)
def test_the_key_never_goes_to_plain_http_off_loopback(name: str, tmp_path: Any) -> None:
    ctx = context("http://192.0.2.7/api/v1", tmp_path)
    with pytest.raises(RequestRefused) as caught:
        asyncio.run(CALLS[name](ctx, key()))
    assert str(caught.value) == (
        "refusing to send the API key to http://192.0.2.7: use an https base URL "
        "(plain http is allowed only on loopback)"
    )


@pytest.mark.parametrize("name", CALLS)
def test_plain_headers_only(name: str, server: LocalServer, tmp_path: Any) -> None:
    server.respond(venice_extras())
    asyncio.run(CALLS[name](context(server.url + "/api/v1", tmp_path), key()))
    (sent,) = [r for r in server.requests if r.path.endswith(PATHS[name])]
    assert sent.headers["authorization"] == f"Bearer {CANARY}"
    assert sent.headers["user-agent"].startswith("openclaw-venice/")
    assert set(sent.headers) <= {
        "host", "authorization", "user-agent", "content-type", "accept",
        "accept-encoding", "content-length", "connection",
    }  # fmt: skip
    assert sent.headers["accept-encoding"] == "gzip, deflate"


def test_a_gzip_bomb_stays_within_the_cap(server: LocalServer, tmp_path: Any) -> None:
    bomb = gzip.compress(b'{"balances": {"usd": 1, "pad": "' + b" " * (50 * 2**20))
    assert len(bomb) < 100 * 1024
    reply = Reply(200, bomb, {"Content-Type": "application/json", "Content-Encoding": "gzip",
                              "CF-RAY": REQUEST_ID})  # fmt: skip
    server.respond(lambda r: reply)
    with pytest.raises(StreamFormatError) as caught:
        asyncio.run(VeniceBilling().balance(context(server.url + "/api/v1", tmp_path), key()))
    assert str(caught.value) == (
        f"Venice's answer is larger than 1 MB; refusing to read it (request id {REQUEST_ID})"
    )
    assert caught.value.request_id == REQUEST_ID


def test_a_long_retry_after_is_reported_not_slept(server: LocalServer, tmp_path: Any) -> None:
    limited = json_reply({"error": "slow down"}, 429, {"Retry-After": "120", "CF-RAY": "r-2"})
    server.respond(lambda r: limited)
    with pytest.raises(RateLimitError) as caught:
        asyncio.run(VeniceBilling().usage(context(server.url + "/api/v1", tmp_path), key(), 7))
    assert str(caught.value) == (
        "Venice 429: slow down; rate limited; Venice asks to wait 120 s before trying again "
        "(request id r-2)"
    )
    assert len(server.requests) == 1


def test_a_stalled_answer_is_a_timeout(
    server: LocalServer, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openclaw_venice import billing

    monkeypatch.setattr(billing, "BALANCE_LIMITS", billing.CallLimits(timeout=0.5, max_retries=1))

    def stall(request: Any) -> None:
        handler = request.handler
        handler.send_response(200)
        handler.send_header("Content-Length", "100")
        handler.send_header("CF-RAY", "r-3")
        handler.end_headers()
        handler.wfile.write(b'{"balances": ')
        handler.wfile.flush()
        faults.release.wait(5)

    server.respond(stall)
    with pytest.raises(VeniceTimeoutError) as caught:
        asyncio.run(VeniceBilling().balance(context(server.url + "/api/v1", tmp_path), key()))
    assert str(caught.value) == "Venice did not answer within 0.5 s; try again (request id r-3)"
    assert len(server.requests) == 1  # an answer had begun: not retried
