"""Proxies: one policy for discovery and chat (issue 14, item 3), shown with real proxies.

An HTTP CONNECT proxy and a SOCKS5 proxy (tests/support/proxies.py) run on 127.0.0.1 in
front of an https server on 127.0.0.1 whose certificate comes from a throwaway CA that the
client trusts through ``SSL_CERT_FILE``. Each proxy records what it read in clear and what it
tunnelled: the key never appears in either (the tunnel carries TLS), while the server behind
it receives it. Plain http to loopback never goes through a proxy at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from openclaw_venice import errors
from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.discovery import fetch_model_rows
from openclaw_venice.runtime.ai import Context, UserMessage
from tests.conftest import run_cli
from tests.support import faults, venice_wire
from tests.support.hygiene import CANARY
from tests.support.proxies import TunnelProxy
from tests.support.server import LocalServer
from tests.support.tls import ca_file, https_url

MODEL = "venice/llama-3.3-70b"
PROMPT = Context(messages=[UserMessage("hi")])
ROWS = venice_wire.LLAMA_ROWS
PASSWORD = "proxy-pw-77"


answer = venice_wire.models_and_chat  # /models, then an "ok" stream


@pytest.fixture(params=["http", "socks5"])
def proxy(request: pytest.FixtureRequest) -> Iterator[TunnelProxy]:
    running = TunnelProxy(request.param).start()
    try:
        yield running
    finally:
        running.stop()


def proxy_env(proxy: TunnelProxy, tmp_path: Path, **more: str) -> dict[str, str]:
    """``HTTPS_PROXY`` for the http proxy, ``ALL_PROXY=socks5h://`` (Tor's form) for SOCKS."""
    if proxy.kind == "http":
        variables = {"HTTPS_PROXY": proxy.url}
    else:
        variables = {"ALL_PROXY": f"socks5h://127.0.0.1:{proxy.port}"}
    return {"SSL_CERT_FILE": ca_file(tmp_path), **variables, **more}


def one_turn(base_url: str, env: dict[str, str]) -> str:
    chat = VeniceChat(CANARY, base_url=base_url, catalog=load_bundle(), env=env)
    try:
        return chat.complete_sync(MODEL, PROMPT).text
    finally:
        chat.close()


def check_tunnel_only(proxy: TunnelProxy, port: int) -> None:
    """The proxy was asked for a tunnel to the server and saw the key nowhere."""
    if proxy.kind == "http":
        assert proxy.heads[0].startswith(f"CONNECT localhost:{port} HTTP/1.1\r\n".encode())
    else:
        assert proxy.address_types == [3]  # a name: resolved by the proxy (socks5h)
    assert proxy.targets == [("localhost", port)]
    heads = b"".join(proxy.heads)
    assert CANARY.encode() not in heads and b"authorization" not in heads.lower()
    tunnelled = proxy.tunnelled
    assert tunnelled[:1] == b"\x16"  # the tunnel starts with a TLS handshake record
    assert CANARY.encode() not in tunnelled and b"Bearer" not in tunnelled


def test_chat_goes_through_the_proxy_inside_a_tunnel(
    https: LocalServer, proxy: TunnelProxy, tmp_path: Path
) -> None:
    env = proxy_env(proxy, tmp_path)
    assert one_turn(https_url(https) + "/api/v1", env) == "ok"
    check_tunnel_only(proxy, https.httpd.server_address[1])
    (request,) = https.requests
    assert request.headers["authorization"] == f"Bearer {CANARY}"  # it arrived, tunnelled


def test_discovery_goes_through_the_same_proxy(
    https: LocalServer, proxy: TunnelProxy, tmp_path: Path
) -> None:
    env = proxy_env(proxy, tmp_path)
    rows = fetch_model_rows(https_url(https) + "/api/v1", user_agent="t", env=env)
    assert rows == ROWS
    check_tunnel_only(proxy, https.httpd.server_address[1])


def test_no_proxy_goes_direct(https: LocalServer, proxy: TunnelProxy, tmp_path: Path) -> None:
    env = proxy_env(proxy, tmp_path, NO_PROXY="example.invalid, localhost")
    assert one_turn(https_url(https) + "/api/v1", env) == "ok"
    assert fetch_model_rows(https_url(https) + "/api/v1", user_agent="t", env=env) == ROWS
    assert proxy.heads == [] and len(https.requests) == 2


def test_plain_http_to_loopback_never_meets_a_proxy(
    server: LocalServer, proxy: TunnelProxy
) -> None:
    """The only plain http the key may travel over would reach a proxy in clear: it is
    never proxied, whatever the variables say."""
    server.respond(answer)
    env = {name: proxy.url for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")}
    assert one_turn(server.url + "/api/v1", env) == "ok"
    assert fetch_model_rows(server.url + "/api/v1", user_agent="t", env=env) == ROWS
    assert proxy.heads == [] and proxy.tunnelled == b""


BAD_PROXIES = {
    "unknown scheme": ("ALL_PROXY", f"socks6://user:{PASSWORD}@127.0.0.1:1080", r"socks6://"),
    "no scheme": ("HTTPS_PROXY", "127.0.0.1:3128", r"no scheme"),
    "bad port": ("HTTPS_PROXY", f"http://user:{PASSWORD}@127.0.0.1:99999", r"bad host or port"),
    "no host": ("ALL_PROXY", "socks5h://:1080", r"no host"),
}


@pytest.mark.parametrize("case", BAD_PROXIES)
def test_a_malformed_proxy_is_one_clear_line(https: LocalServer, case: str) -> None:
    variable, value, says = BAD_PROXIES[case]
    env = {variable: value}
    events = asyncio.run(_events(https_url(https) + "/api/v1", env))
    assert [event.type for event in events] == ["error"]
    error = events[0].error
    assert isinstance(error, errors.RequestRefused)
    for text in (str(error), _discovery_error(https_url(https) + "/api/v1", env)):
        assert f"{variable} is not a usable proxy URL" in text and says in text, text
        assert "\n" not in text and PASSWORD not in text and CANARY not in text
    assert https.requests == []


async def _events(base_url: str, env: dict[str, str]) -> list[object]:
    async with VeniceChat(CANARY, base_url=base_url, catalog=load_bundle(), env=env) as chat:
        return [event async for event in chat.stream(MODEL, PROMPT)]


def _discovery_error(base_url: str, env: dict[str, str]) -> str:
    with pytest.raises(errors.DiscoveryError) as caught:
        fetch_model_rows(base_url, user_agent="t", env=env, on_retry=None)
    return str(caught.value)


def test_an_unreachable_proxy_names_itself(https: LocalServer, tmp_path: Path) -> None:
    with faults.refused_url() as refused:
        port = refused.rsplit(":", 1)[1]
        env = {"SSL_CERT_FILE": ca_file(tmp_path), "ALL_PROXY": f"socks5h://127.0.0.1:{port}"}
        with pytest.raises(errors.VeniceConnectionError) as caught:
            one_turn(https_url(https) + "/api/v1", env)
        text = str(caught.value)
        assert f"through the proxy socks5h://127.0.0.1:{port} (from ALL_PROXY)" in text, text
        assert "\n" not in text and "3 attempts" in text
        discovery = _discovery_error(https_url(https) + "/api/v1", env)
        assert f"through the proxy socks5h://127.0.0.1:{port} (from ALL_PROXY)" in discovery
    assert https.requests == []


def test_the_cli_with_a_bad_proxy(https: LocalServer, tmp_path: Path) -> None:
    """``models list`` shows the bundle with a one-line warning; ``chat`` fails in one line."""
    env = {
        "VENICE_BASE_URL": https_url(https) + "/api/v1",
        "VENICE_API_KEY": CANARY,
        "SSL_CERT_FILE": ca_file(tmp_path),
        "HTTPS_PROXY": f"ftp://user:{PASSWORD}@127.0.0.1:21",
    }
    listed = run_cli("models", "list", "--refresh", env=env)
    assert listed.code == 0, listed.output
    warnings = [line for line in listed.stderr.splitlines() if "proxy" in line]
    assert len(warnings) == 1 and "HTTPS_PROXY is not a usable proxy URL" in warnings[0]
    assert "showing the bundled catalog" in warnings[0] and "llama-3.3-70b" in listed.stdout
    chat = run_cli("chat", "-m", MODEL, "hi", env=env)
    assert chat.code != 0
    lines = [line for line in chat.stderr.splitlines() if not line.startswith("warning:")]
    assert len(lines) == 1 and "HTTPS_PROXY is not a usable proxy URL" in lines[0], chat.stderr
    assert PASSWORD not in listed.output + chat.output
    assert https.requests == []
