"""Discovery against a real HTTP server on 127.0.0.1: retries, timeouts, cache, fallback."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from openclaw_venice.discovery import fetch_model_rows
from openclaw_venice.errors import DiscoveryError
from openclaw_venice.identity import USER_AGENT
from openclaw_venice.model_cache import ModelCache
from openclaw_venice.provider import VeniceProvider
from openclaw_venice.runtime.plugins import ProviderContext
from openclaw_venice.wire import retry
from tests.support.server import LocalServer, Reply, Request, json_reply

ROWS = [
    {"id": "llama-3.3-70b", "type": "text", "model_spec": {"maxCompletionTokens": 2048}},
    {"id": "fresh-model", "type": "text", "model_spec": {"name": "Fresh", "privacy": "private"}},
]


def answer(rows: list[Any] = ROWS) -> Reply:
    return json_reply({"object": "list", "data": rows})


def sequence(*replies: Reply) -> Any:
    queue = list(replies)

    def respond(request: Request) -> Reply:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return respond


def fetch(server: LocalServer, **kw: Any) -> list[Any]:
    sleeps: list[float] = kw.pop("sleeps", [])
    return fetch_model_rows(
        server.url + "/api/v1",
        user_agent=USER_AGENT,
        on_retry=lambda s, why: sleeps.append(s),
        **kw,
    )


def test_success_sends_no_authorization_and_asks_for_text(server: LocalServer) -> None:
    server.respond(lambda r: answer())
    assert fetch(server) == ROWS
    (request,) = server.requests
    assert request.path == "/api/v1/models"
    assert request.query == {"type": ["text"]}
    assert "authorization" not in request.headers
    assert request.headers["user-agent"] == USER_AGENT


@pytest.mark.parametrize("status", [408, 425, 429, 500, 502, 503, 504])
def test_retryable_status_then_success(server: LocalServer, status: int) -> None:
    server.respond(sequence(Reply(status), Reply(status), answer()))
    sleeps: list[float] = []
    assert fetch(server, sleeps=sleeps) == ROWS
    assert len(server.requests) == 3
    assert len(sleeps) == 2 and 0.24 <= sleeps[0] <= 0.36 and 0.48 <= sleeps[1] <= 0.72


def test_all_attempts_failing(server: LocalServer) -> None:
    server.respond(lambda r: Reply(503))
    with pytest.raises(DiscoveryError, match="HTTP 503 after 3 attempts"):
        fetch(server)
    assert len(server.requests) == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_other_statuses_fail_at_once(server: LocalServer, status: int) -> None:
    server.respond(lambda r: Reply(status))
    with pytest.raises(DiscoveryError, match=f"HTTP {status}"):
        fetch(server)
    assert len(server.requests) == 1


def test_a_refused_connection_is_not_retried() -> None:
    """Nothing listens on a closed port: an offline first run does not sleep on it (issue 13
    item 12); other connection failures are still retried (below)."""
    sleeps: list[float] = []
    with pytest.raises(DiscoveryError, match=r"^connection refused$"):
        fetch_model_rows(
            "http://127.0.0.1:9", user_agent="t", on_retry=lambda s, why: sleeps.append(s)
        )
    assert sleeps == []


def test_a_connection_failing_otherwise_is_retried() -> None:
    import httpx

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Name or service not known", request=request)

    sleeps: list[float] = []
    with pytest.raises(DiscoveryError, match=r"connection failed .* after 3 attempts"):
        fetch_model_rows("http://venice.invalid", user_agent="t",
                         on_retry=lambda s, why: sleeps.append(s),
                         transport=httpx.MockTransport(unreachable))  # fmt: skip
    assert len(sleeps) == 2


def test_slow_server_hits_the_timeout_and_is_retried(server: LocalServer) -> None:
    def slow(request: Request) -> Reply:
        time.sleep(1.0)
        return answer()

    server.respond(slow)
    started = time.monotonic()
    with pytest.raises(DiscoveryError, match=r"no answer within 0\.3 s after 2 attempts"):
        fetch(server, timeout=0.3, attempts=2)
    assert time.monotonic() - started < 2 * 1.0  # waiting for each slow answer takes 2 s
    assert len(server.requests) == 2


def test_backoff_doubles_to_two_seconds_with_jitter() -> None:
    def delays(attempts: int, rand: Callable[[], float]) -> list[float]:
        policy = retry.DISCOVERY
        return [
            retry.backoff(i, policy.backoff, policy.backoff_cap, rand) for i in range(attempts - 1)
        ]

    assert delays(6, rand=lambda: 0.5) == pytest.approx([0.3, 0.6, 1.2, 2.0, 2.0])
    low, high = delays(3, rand=lambda: 0.0), delays(3, rand=lambda: 1.0)
    assert low == pytest.approx([0.24, 0.48]) and high == pytest.approx([0.36, 0.72])


# -- through the provider: cache, failure memory, fallback ------------------------------------


def context(
    tmp_path: Path, url: str, refresh: bool = False, warnings: list[str] | None = None
) -> ProviderContext:
    sink = warnings if warnings is not None else []
    return ProviderContext(
        config={"baseUrl": url}, env={}, cache_dir=tmp_path / "c", refresh=refresh, warn=sink.append
    )


def test_live_then_cache_then_refresh(server: LocalServer, tmp_path: Path) -> None:
    server.respond(lambda r: answer())
    provider = VeniceProvider()
    url = server.url + "/api/v1"
    first = provider.catalog(context(tmp_path, url))
    assert first.source == "live" and [m.id for m in first.models] == [
        "llama-3.3-70b",
        "fresh-model",
    ]
    assert first.models[0].max_tokens == 2048
    second = provider.catalog(context(tmp_path, url))
    assert second.source == "cache" and second.models == first.models
    assert len(server.requests) == 1
    server.respond(lambda r: answer(ROWS[:1]))
    third = provider.catalog(context(tmp_path, url, refresh=True))
    assert third.source == "live" and len(server.requests) == 2
    assert third.previous_ids == {"llama-3.3-70b", "fresh-model"}


def test_failure_falls_back_and_is_remembered(server: LocalServer, tmp_path: Path) -> None:
    server.respond(lambda r: Reply(404))
    warnings: list[str] = []
    url = server.url + "/api/v1"
    catalog = VeniceProvider().catalog(context(tmp_path, url, warnings=warnings))
    assert catalog.source == "bundled" and len(catalog.models) > 100
    assert len(warnings) == 1 and "\n" not in warnings[0] and "bundled" in warnings[0]
    again = VeniceProvider().catalog(context(tmp_path, url))
    assert again.source == "bundled" and len(server.requests) == 1  # remembered: no new request
    server.respond(lambda r: answer())
    refreshed = VeniceProvider().catalog(context(tmp_path, url, refresh=True))
    assert refreshed.source == "live" and len(server.requests) == 2


def test_a_failure_is_remembered_for_its_own_base_url_alone(
    server: LocalServer, tmp_path: Path
) -> None:
    """Cache files are named by zlib.crc32 of the base URL; two URLs of one name (these two
    suffixes give equal CRCs after any common prefix) must not share a remembered failure."""
    down, up = server.url + "/uablaijhsa", server.url + "/pfcxpytzcn"
    assert (
        ModelCache(tmp_path / "c", down).failure_path == ModelCache(tmp_path / "c", up).failure_path
    )
    server.respond(lambda r: Reply(404) if r.path.startswith("/uablaijhsa") else answer())
    assert VeniceProvider().catalog(context(tmp_path, down)).source == "bundled"
    assert VeniceProvider().catalog(context(tmp_path, up)).source == "live"
    assert [r.path for r in server.requests] == ["/uablaijhsa/models", "/pfcxpytzcn/models"]


def test_stale_cache_is_refetched(server: LocalServer, tmp_path: Path) -> None:
    server.respond(lambda r: answer())
    url = server.url + "/api/v1"
    VeniceProvider().catalog(context(tmp_path, url))
    cache = ModelCache(tmp_path / "c", url)
    payload = json.loads(cache.path.read_text())
    payload["fetchedAt"] -= 3601
    cache.path.write_text(json.dumps(payload))
    assert VeniceProvider().catalog(context(tmp_path, url)).source == "live"
    assert len(server.requests) == 2


@pytest.mark.parametrize("garbage", [b"", b"{not json", b'{"rows": 5}', b"\x00\xff", b"[]"])
def test_corrupt_cache_is_ignored_and_replaced(
    server: LocalServer, tmp_path: Path, garbage: bytes
) -> None:
    server.respond(lambda r: answer())
    url = server.url + "/api/v1"
    cache = ModelCache(tmp_path / "c", url)
    cache.path.parent.mkdir(parents=True)
    cache.path.write_bytes(garbage)
    assert VeniceProvider().catalog(context(tmp_path, url)).source == "live"
    assert cache.read() is not None and cache.read().rows == ROWS  # type: ignore[union-attr]


def test_cache_files_are_private(server: LocalServer, tmp_path: Path) -> None:
    server.respond(lambda r: answer())
    url = server.url + "/api/v1"
    VeniceProvider().catalog(context(tmp_path, url))
    cache = ModelCache(tmp_path / "c", url)
    assert cache.path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "c").stat().st_mode & 0o777 == 0o700


def test_env_base_url_overrides_config(server: LocalServer, tmp_path: Path) -> None:
    server.respond(lambda r: answer())
    ctx = ProviderContext(
        config={"baseUrl": "http://127.0.0.1:9/unused"},
        env={"VENICE_BASE_URL": server.url + "/api/v1/"},
        cache_dir=tmp_path / "c",
    )
    assert VeniceProvider().catalog(ctx).source == "live"
    assert server.requests[0].path == "/api/v1/models"
