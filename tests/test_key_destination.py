"""The key goes only where it should, checked when each request is sent (issue 14, item 1).

Every chat request re-checks its URL: https, or http on loopback, and a plain URL (no user
name or password, which httpx would send as HTTP Basic credentials, no query, no fragment).
The loopback server shows that a refused request never left: it saw nothing.
"""

from __future__ import annotations

import asyncio

import pytest

from openclaw_venice import errors
from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.runtime.ai import Context, UserMessage
from openclaw_venice.wire.http import check_key_destination
from tests.support import venice_wire
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer

MODEL = "venice/llama-3.3-70b"
PROMPT = Context(messages=[UserMessage("hi")])
PASSWORD = "hunter2-pw"


def bad_urls(server: LocalServer) -> dict[str, str]:
    """Base URLs that must be refused, each pointing at the loopback server where it can."""
    authority = server.url.removeprefix("http://")
    return {
        "plain http elsewhere": "http://api.example.invalid/api/v1",
        "a look-alike of localhost": "http://localhost.example.invalid/api/v1",
        "user and password": f"http://someone:{PASSWORD}@{authority}/api/v1",
        "user only": f"http://{PASSWORD}@{authority}/api/v1",
        "https with a password": f"https://someone:{PASSWORD}@api.example.invalid/api/v1",
        "a query": f"{server.url}/api/v1?token={PASSWORD}",
        "a fragment": f"{server.url}/api/v1#{PASSWORD}",
        "an empty query": f"{server.url}/api/v1?",
        "a bad port": "http://127.0.0.1:99999/api/v1",
    }


CASES = [
    "plain http elsewhere",
    "a look-alike of localhost",
    "user and password",
    "user only",
    "https with a password",
    "a query",
    "a fragment",
    "an empty query",
    "a bad port",
]


def check_refusal(error: BaseException | None) -> str:
    assert isinstance(error, errors.RequestRefused), repr(error)
    text = str(error)
    assert "\n" not in text and PASSWORD not in text and CANARY not in text, text
    return text


@pytest.mark.parametrize("case", CASES)
def test_a_refused_base_url_is_refused_when_the_client_is_made(
    server: LocalServer, case: str
) -> None:
    with pytest.raises(errors.RequestRefused) as caught:
        VeniceChat(CANARY, base_url=bad_urls(server)[case], catalog=load_bundle())
    check_refusal(caught.value)


@pytest.mark.parametrize("case", CASES)
def test_a_base_url_assigned_later_is_checked_at_send_time(server: LocalServer, case: str) -> None:
    server.respond(lambda request: venice_wire.stream_reply(venice_wire.text_stream("ok")))
    chat = VeniceChat(CANARY, base_url=server.url + "/api/v1", catalog=load_bundle())
    assert chat.complete_sync(MODEL, PROMPT).text == "ok"  # the good URL works
    chat.base_url = bad_urls(server)[case]

    with pytest.raises(errors.RequestRefused) as caught:
        chat.complete_sync(MODEL, PROMPT)
    check_refusal(caught.value)

    events = list(chat.stream_sync(MODEL, PROMPT))
    assert [e.type for e in events] == ["error"]
    check_refusal(events[0].error)

    with pytest.raises(errors.RequestRefused):
        asyncio.run(chat.complete(MODEL, PROMPT, stream=False))
    chat.close()
    assert len(server.requests) == 1  # only the first, good turn reached the server
    assert "authorization" in server.requests[0].headers
    assert server.requests[0].headers["authorization"] == f"Bearer {CANARY}"


def test_the_message_names_the_host_and_what_to_change(server: LocalServer) -> None:
    urls = bad_urls(server)
    host = "127.0.0.1"
    with pytest.raises(errors.RequestRefused) as caught:
        check_key_destination(urls["user and password"])
    assert check_refusal(caught.value) == (
        f"refusing to send the API key to http://{host}: the base URL holds a user name or "
        "password; remove the part before @"
    )
    with pytest.raises(errors.RequestRefused) as caught:
        check_key_destination(urls["a query"])
    assert "query or fragment" in check_refusal(caught.value)
    with pytest.raises(errors.RequestRefused) as caught:
        check_key_destination(urls["plain http elsewhere"])
    assert "use an https base URL" in check_refusal(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "https://api.venice.ai/api/v1",
        "https://api.venice.ai:8443/api/v1/",
        "http://127.0.0.1:8080/api/v1",
        "http://127.8.9.10/api/v1",
        "http://localhost:1234/v1",
        "http://[::1]:8080/api/v1",
    ],
)
def test_good_destinations_pass(url: str) -> None:
    check_key_destination(url)
    check_key_destination(url.rstrip("/") + "/chat/completions")
