"""Keys that cannot travel in an HTTP header are refused in one line that shows no part of
them, at onboarding and at resolution; a keyring answering in bytes or another type is
decoded or skipped with a warning (issue 14, item 2)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest

from openclaw_venice import errors
from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.identity import AUTH_METHOD
from openclaw_venice.runtime.ai import Context, UserMessage
from openclaw_venice.runtime.key_input import normalize_key
from openclaw_venice.runtime.secrets import KEYRING_SERVICE, resolve_api_key
from tests.conftest import run_cli
from tests.support import venice_wire
from tests.support.hygiene import CANARY
from tests.support.odd_keyring import BytesKeyring, NumberKeyring
from tests.support.server import LocalServer

HALF = CANARY[: len(CANARY) // 2]
BAD_KEYS = {
    "a typographic quote": f"{CANARY}\u201d",
    "a non-ASCII letter": f"{HALF}\u00e9{CANARY[len(HALF) :]}",
    "two lines": f"{HALF}\n{CANARY[len(HALF) :]}",
    "a carriage return": f"{HALF}\r{CANARY[len(HALF) :]}",
    "a NUL": f"{HALF}\x00{CANARY[len(HALF) :]}",
    "a tab": f"{HALF}\t{CANARY[len(HALF) :]}",
    "a space": f"{HALF} {CANARY[len(HALF) :]}",
}
SAYS = {
    "a typographic quote": "not ASCII",
    "a non-ASCII letter": "not ASCII",
    "two lines": "line break",
    "a carriage return": "line break",
    "a NUL": "control character",
    "a tab": "control character",
    "a space": "a space",
}


def check_line(text: str, key: str) -> None:
    """One line, no part of the key: neither half, nor the odd character, nor a position."""
    assert "\n" not in text.strip(), text
    odd = [c for c in key if not (c.isascii() and c.isprintable())]
    for part in (HALF, CANARY[len(HALF) :], *odd):
        assert part not in text, (part, text)
    assert "position" not in text and "UnicodeEncodeError" not in text


@pytest.mark.parametrize("case", BAD_KEYS)
def test_onboarding_input_refuses_a_key_that_cannot_travel(case: str) -> None:
    key = BAD_KEYS[case]
    with pytest.raises(errors.SecretError) as caught:
        normalize_key(f"  {key}  ")
    assert SAYS[case] in str(caught.value)
    check_line(str(caught.value), key)


@pytest.mark.parametrize("case", BAD_KEYS)
def test_resolution_refuses_it_naming_the_source(case: str) -> None:
    key = BAD_KEYS[case]
    with pytest.raises(errors.SecretError) as caught:
        resolve_api_key(AUTH_METHOD, {"VENICE_API_KEY": key}, {}, provider_id="venice")
    text = str(caught.value)
    assert "from env (VENICE_API_KEY)" in text and SAYS[case] in text
    check_line(text, key)


@pytest.mark.parametrize("case", BAD_KEYS)
def test_the_python_api_refuses_it(case: str) -> None:
    with pytest.raises(errors.SecretError) as caught:
        VeniceChat(BAD_KEYS[case])
    check_line(str(caught.value), BAD_KEYS[case])


def test_the_cli_refuses_it_in_one_line_and_sends_nothing(server: LocalServer) -> None:
    key = BAD_KEYS["a typographic quote"]
    onboard = run_cli(
        "onboard", "--auth-choice", "venice-api-key", "--non-interactive",
        "--venice-api-key", key,
    )  # fmt: skip
    assert onboard.code != 0 and len(onboard.stderr.strip().splitlines()) == 1, onboard.output
    assert "not ASCII" in onboard.stderr
    check_line(onboard.stderr, key)
    env = {"VENICE_API_KEY": BAD_KEYS["two lines"], "VENICE_BASE_URL": server.url + "/api/v1"}
    chat = run_cli("chat", "-m", "venice/llama-3.3-70b", "hi", env=env)
    failure = [line for line in chat.stderr.splitlines() if not line.startswith("warning:")]
    assert chat.code != 0 and len(failure) == 1, chat.output
    assert "line break" in failure[0]
    check_line(failure[0], BAD_KEYS["two lines"])
    assert CANARY[: len(HALF)] not in chat.output
    chats = [r for r in server.requests if r.path.endswith("/chat/completions")]
    assert chats == []  # not three doomed retries: nothing was sent


@pytest.fixture(autouse=True)
def restore_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    yield
    keyring.set_keyring(previous)


def backend(cls: type[Any], tmp_path: Path) -> Any:
    store = cls()
    store.file_path = str(tmp_path / "odd-keyring" / "keyring_pass.cfg")
    keyring.set_keyring(store)
    return store


def test_a_keyring_answering_in_bytes_is_decoded(server: LocalServer, tmp_path: Path) -> None:
    store = backend(BytesKeyring, tmp_path)
    store.set_password(KEYRING_SERVICE, "VENICE_API_KEY", CANARY)
    assert isinstance(store.get_password(KEYRING_SERVICE, "VENICE_API_KEY"), bytes)
    warnings: list[str] = []
    key = resolve_api_key(AUTH_METHOD, {}, {}, provider_id="venice", warn=warnings.append)
    assert (key.source, key.value.get_secret_value(), warnings) == ("keyring", CANARY, [])
    server.respond(lambda request: venice_wire.stream_reply(venice_wire.text_stream("ok")))
    chat = VeniceChat(key.value, base_url=server.url + "/api/v1", catalog=load_bundle())
    chat.complete_sync("venice/llama-3.3-70b", Context(messages=[UserMessage("hi")]))
    chat.close()
    assert server.requests[0].headers["authorization"] == f"Bearer {CANARY}"  # not b'...'


def test_keyring_bytes_that_are_not_text_are_skipped(tmp_path: Path) -> None:
    store = backend(BytesKeyring, tmp_path)
    store.set_password(KEYRING_SERVICE, "VENICE_API_KEY", CANARY)
    store.raw = b"\xff\xfe" + CANARY.encode()
    warnings: list[str] = []
    config = {"models": {"providers": {"venice": {"apiKey": f"{CANARY}-literal"}}}}
    key = resolve_api_key(AUTH_METHOD, {}, config, provider_id="venice", warn=warnings.append)
    assert (key.source, key.value.get_secret_value()) == ("config", f"{CANARY}-literal")
    assert warnings == [
        "the system keyring holds VENICE_API_KEY as bytes that are not UTF-8; skipping it"
    ]


def test_a_keyring_answering_a_number_is_skipped(tmp_path: Path) -> None:
    store = backend(NumberKeyring, tmp_path)
    store.set_password(KEYRING_SERVICE, "VENICE_API_KEY", CANARY)
    warnings: list[str] = []
    with pytest.raises(errors.SecretError, match="no Venice AI API key found"):
        resolve_api_key(AUTH_METHOD, {}, {}, provider_id="venice", warn=warnings.append)
    assert warnings == ["the system keyring returned VENICE_API_KEY as int, not text; skipping it"]
