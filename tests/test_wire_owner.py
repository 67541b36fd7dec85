"""One owner of the wire (issue 22, item 1): every request to Venice goes through
``openclaw_venice.wire`` (nothing else in Chat, TEE, Media, Catalog or the plugin imports
httpx, not even for a type), the modules it replaced are gone, every failure names the
request id once Venice answered, retries are logged through ``logging`` and nothing is
printed, and the pool's size is set where a caller can reach it: ``VeniceChat``,
``VeniceProvider``, and the config (the host's and the gateway's setting)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from openclaw_venice import VeniceProvider, errors
from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.runtime.ai import Context, UserMessage
from openclaw_venice.runtime.plugins import ProviderContext, SecretStr
from openclaw_venice.wire import retry
from tests.support import venice_wire
from tests.support.hygiene import CANARY
from tests.support.import_graph import imports_of, module_files
from tests.support.server import LocalServer, Reply, Request

PACKAGE = Path(__file__).parent.parent / "openclaw_venice"
MODEL = "venice/llama-3.3-70b"
PROMPT = Context(messages=[UserMessage("hi")])
RAY = venice_wire.HEADERS["CF-RAY"]


def httpx_importers() -> set[str]:
    modules = module_files(PACKAGE, "openclaw_venice")
    known = {*modules, "httpx"}
    return {name for name, path in modules.items() if "httpx" in imports_of(name, path, known)}


def test_nothing_outside_the_wire_imports_httpx() -> None:
    importers = httpx_importers()
    assert "openclaw_venice.wire.client" in importers  # the check sees real imports
    outside = {
        m for m in importers
        if not m.startswith(("openclaw_venice.wire.", "openclaw_venice.runtime."))
    }  # fmt: skip
    assert outside == set()


def test_the_modules_the_wire_replaced_are_gone() -> None:
    gone = ["network.py", "api_call.py", "capability_client.py", "chat/transport.py"]
    assert [name for name in gone if (PACKAGE / name).exists()] == []


def test_one_retry_policy_type_parameterised_per_call() -> None:
    chat, discovery = retry.CHAT, retry.DISCOVERY
    assert (chat.retry_timeouts, discovery.retry_timeouts) == (False, True)
    assert (chat.retry_refused, discovery.retry_refused) == (True, False)
    assert chat.after_status(503, None, 0) is not None
    assert chat.after_status(400, None, 0) is None
    assert chat.after_status(429, 12.0, 0) == 12.0  # Retry-After followed up to its cap
    assert chat.after_status(429, 31.0, 0) is None  # past it: reported, not slept through
    assert chat.tries(1).after_status(503, None, 0) is None
    assert discovery.after_status(429, 12.0, 0) is not None and discovery.retry_after_cap is None


def flaky(server: LocalServer, failures: int) -> None:
    seen: list[int] = []

    def respond(request: Request) -> Reply:
        seen.append(1)
        if len(seen) <= failures:
            return Reply(503, b'{"error": "busy"}', {"CF-RAY": RAY})
        return venice_wire.stream_reply(venice_wire.text_stream("ok"))

    server.respond(respond)


def test_retries_are_logged_and_nothing_is_printed(
    server: LocalServer, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    flaky(server, 1)
    caplog.set_level(logging.INFO, logger="openclaw_venice")
    with VeniceChat(CANARY, base_url=server.url + "/api/v1", catalog=load_bundle()) as chat:
        assert chat.complete_sync(MODEL, PROMPT).text == "ok"
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    [record] = [r for r in caplog.records if r.name == "openclaw_venice.wire"]
    assert "(HTTP 503); retrying in" in record.getMessage()
    assert "retrying in" in record.getMessage() and CANARY not in record.getMessage()


def test_the_request_id_is_on_every_error_after_venice_answered(server: LocalServer) -> None:
    flaky(server, 10)
    chat = VeniceChat(CANARY, base_url=server.url + "/api/v1", catalog=load_bundle())
    with chat, pytest.raises(errors.ServerError) as caught:
        chat.complete_sync(MODEL, PROMPT)
    assert caught.value.request_id == RAY and str(caught.value).endswith(f"(request id {RAY})")
    assert len(server.requests) == 3  # one request, two retries


def gated(server: LocalServer, at_once: int, turns: int) -> Callable[[Request], Reply]:
    """Answers held until ``at_once`` requests are in flight, or all ``turns`` arrived (30 s
    at most): the turns meet at the server however slowly a loaded machine starts them, so
    the most at once is the pool's bound, not a race between the client's sends and the
    server's answers."""
    before = len(server.requests)

    def respond(request: Request) -> Reply:
        deadline = time.monotonic() + 30
        while (
            server.connections.in_flight < at_once
            and len(server.requests) - before < turns
            and time.monotonic() < deadline
        ):
            time.sleep(0.005)
        return Reply(200, venice_wire.sse(venice_wire.text_stream("ok", 2)), venice_wire.HEADERS)

    return respond


def peak_connections(server: LocalServer, chat: VeniceChat, turns: int, at_once: int) -> int:
    """The most connections open at once for ``turns`` turns, the server holding each answer
    until ``at_once`` requests are in flight."""
    server.respond(gated(server, at_once, turns))
    deadline = time.monotonic() + 5
    while server.connections.open and time.monotonic() < deadline:  # an earlier pool's
        time.sleep(0.01)  # closed connections, until the server has seen them go
    server.connections.reset()

    async def main() -> None:
        async with chat:
            await asyncio.gather(*(chat.complete(MODEL, PROMPT) for _ in range(turns)))

    asyncio.run(main())
    return server.connections.peak


def test_the_pool_size_is_set_by_venice_chat(server: LocalServer) -> None:
    chat = VeniceChat(CANARY, base_url=server.url + "/api/v1", catalog=load_bundle(),
                      max_connections=3)  # fmt: skip
    assert peak_connections(server, chat, 9, at_once=3) == 3
    assert server.connections.peak_in_flight == 3


def test_the_default_pool_serves_far_more_than_64_turns_at_once(server: LocalServer) -> None:
    chat = VeniceChat(CANARY, base_url=server.url + "/api/v1", catalog=load_bundle())
    assert chat.wire.limits.max_connections >= 1000 and chat.wire.limits.max_keepalive == 100
    assert peak_connections(server, chat, 80, at_once=80) == 80  # all at once, none waiting


def test_the_pool_size_is_set_by_the_provider_and_by_the_config(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VENICE_API_KEY", CANARY)
    monkeypatch.setenv("VENICE_BASE_URL", server.url + "/api/v1")
    provider = VeniceProvider(connections=4)
    assert peak_connections(server, provider.client(), 8, at_once=4) == 4
    config = {"baseUrl": server.url + "/api/v1", "params": {"maxConnections": 2, "maxKeepalive": 1}}
    ctx = ProviderContext(config, {}, tmp_path, False, lambda message: None)
    session = VeniceProvider().chat(ctx, SecretStr(CANARY), load_bundle())
    chat = session.chat  # type: ignore[attr-defined]
    assert (chat.wire.limits.max_connections, chat.wire.limits.max_keepalive) == (2, 1)
    peak_connections(server, chat, 6, at_once=2)
    # maxKeepalive 1 < maxConnections 2: the pool closes one of two idle connections and opens
    # a new one for the next turn, and the server may count the closing one a moment longer
    # (3 seen in CI); what the setting bounds is the requests in flight at once
    assert server.connections.peak_in_flight == 2
    assert json.loads(server.requests[-1].body)["stream"] is True
