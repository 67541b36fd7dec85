"""Server text made safe where it enters (issue 22, item 2), against a hostile loopback server.

- Lone surrogates: an answer escaping half a UTF-16 pair (``"\\ud800"``) ended the chat
  session on main before this with a false "input is not valid UTF-8" (printing it failed),
  and kept in a Python ``Context`` it failed every later request. Now it is U+FFFD from the
  moment it is parsed.
- The key echoed back: an error text quoting the request's ``Authorization`` header printed
  the user's key. Now the key, and any part of it 8 characters or longer, is masked in every
  error built from a server's words (chat streamed and not, in-band errors, capabilities,
  the enclave's attestation fetch) and in deprecation warnings.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from openclaw_venice import errors
from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.chat.options import StreamOptions
from openclaw_venice.runtime.ai import Context, UserMessage
from openclaw_venice.wire.text import MASK
from tests.support import venice_wire
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request, json_reply
from tests.support.terminal import Terminal
from tests.support.venice_calls import CAPABILITIES, MODEL, chat_turn, context, key

ROWS = [{"id": "llama-3.3-70b", "type": "text", "model_spec": {}}]
LONE = b'data: {"choices": [{"index": 0, "delta": {"content": "bad \\ud800 half"}}]}\n\n'
STOP = venice_wire.sse([venice_wire.chunk({}, "stop")])


def lone_then(text: str) -> Callable[[Request], Reply]:
    """The first chat answer holds a lone surrogate; the next ones say ``text``."""
    answered: list[int] = []

    def respond(request: Request) -> Reply:
        if request.path.endswith("/models"):
            return json_reply({"data": ROWS})
        answered.append(1)
        if len(answered) == 1:
            return Reply(200, [LONE, STOP], venice_wire.HEADERS)
        return venice_wire.stream_reply(venice_wire.text_stream(text))

    return respond


def chat_requests(server: LocalServer) -> list[Any]:
    return [r.json() for r in server.requests if r.path.endswith("/chat/completions")]


# -- lone surrogates ------------------------------------------------------------------------------


def test_a_chat_session_shows_the_answer_and_goes_on(server: LocalServer) -> None:
    server.respond(lone_then("Second answer."))
    env = {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}
    with Terminal("chat", "-m", MODEL, env=env) as term:
        term.read_until(b"> ")
        term.type("one\n")
        assert "bad \ufffd half".encode() in term.read_until(b"> ")
        term.type("two\n")
        shown = term.read_until(b"Second answer.")
        term.type("/exit\n")
        assert term.wait() == 0
    assert b"not valid UTF-8" not in shown and b"not valid UTF-8" not in term.seen
    second = chat_requests(server)[1]["messages"]
    assert second[1] == {"role": "assistant", "content": "bad \ufffd half"}


@pytest.mark.parametrize("stream", [True, False], ids=["streamed", "complete"])
def test_the_python_history_stays_sendable(server: LocalServer, stream: bool) -> None:
    answers = iter([Reply(200, [LONE, STOP], venice_wire.HEADERS),
                    venice_wire.stream_reply(venice_wire.text_stream("fine"))])  # fmt: skip
    complete = b'{"choices": [{"index": 0, "message": {"role": "assistant", "content": ' \
               b'"bad \\udfff half"}, "finish_reason": "stop"}]}'  # fmt: skip
    if not stream:
        answers = iter([Reply(200, complete, {"Content-Type": "application/json"}),
                        json_reply(venice_wire.completion("fine"))])  # fmt: skip
    server.respond(lambda request: next(answers))

    async def go() -> tuple[str, str]:
        context = Context(messages=[UserMessage("one")])
        url = server.url + "/api/v1"
        async with VeniceChat(CANARY, base_url=url, catalog=load_bundle()) as chat:
            first = await chat.complete(MODEL, context, StreamOptions(), stream=stream)
            context.messages += [first, UserMessage("two")]
            second = await chat.complete(MODEL, context, StreamOptions(), stream=stream)
        return first.text, second.text

    first, second = asyncio.run(go())
    assert first == "bad \ufffd half" and second == "fine"
    assert chat_requests(server)[1]["messages"][1]["content"] == "bad \ufffd half"


def test_a_lone_surrogate_in_an_error_text_is_shown_safely(server: LocalServer) -> None:
    body = b'{"error": {"message": "no \\ud800 such model"}}'
    server.respond(lambda request: Reply(400, body, {"Content-Type": "application/json"}))
    env = {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}
    with Terminal("chat", "-m", MODEL, "hi", env=env) as term:
        assert term.wait() == 1
    assert "Venice 400: no \ufffd such model;".encode() in term.seen


# -- the key in a server's words -----------------------------------------------------------------

ECHO = f"invalid API key in header Authorization: Bearer {CANARY}; key part {CANARY[4:16]}"
SHOWN = f"invalid API key in header Authorization: Bearer {MASK}; key part {MASK}"


def echo(status: int) -> Callable[[Request], Reply]:
    body = json.dumps({"error": {"message": ECHO}, "details": {"auth": {"_errors": [ECHO]}}})
    return lambda request: Reply(status, body.encode(), {"Content-Type": "application/json"})


def turn(server: LocalServer, stream: bool) -> Any:
    """The Venice error a turn ended in (None: it did not)."""
    result = chat_turn(server, stream)
    return result.error if stream else (result if isinstance(result, errors.VeniceError) else None)


def unmasked(error: Any) -> list[str]:
    """Where the key (or 8 characters of it) still is in what the error shows or carries."""
    parts = {CANARY[i : i + 8] for i in range(len(CANARY) - 7)}
    texts = {"message": str(error), "detail": getattr(error, "detail", ""),
             "details": json.dumps(getattr(error, "details", None))}  # fmt: skip
    return [name for name, text in texts.items() if any(p in text for p in parts)]


@pytest.mark.parametrize("stream", [True, False], ids=["streamed", "complete"])
@pytest.mark.parametrize("status", [400, 401, 500])
def test_a_chat_error_quoting_the_key_is_masked(
    server: LocalServer, stream: bool, status: int
) -> None:
    server.respond(echo(status))
    error = turn(server, stream)
    assert isinstance(error, errors.VeniceAPIError) and error.status == status
    assert SHOWN in str(error) and unmasked(error) == []


def test_an_in_band_error_quoting_the_key_is_masked(server: LocalServer) -> None:
    chunks = [{"error": {"message": ECHO, "code": "upstream_error"}}]
    server.respond(lambda request: venice_wire.stream_reply(chunks, done=False))
    error = turn(server, stream=True)
    assert isinstance(error, errors.InBandError)
    assert SHOWN in str(error) and unmasked(error) == []


def test_a_deprecation_warning_quoting_the_key_is_masked(server: LocalServer) -> None:
    headers = {**venice_wire.HEADERS, "x-venice-model-deprecation-warning": ECHO}
    server.respond(lambda request: Reply(200, [venice_wire.sse(venice_wire.text_stream("ok"))],
                                         headers))  # fmt: skip
    warnings: list[str] = []

    async def go() -> None:
        async with VeniceChat(CANARY, base_url=server.url + "/api/v1", warn=warnings.append,
                              catalog=load_bundle()) as c:
            [e async for e in c.stream(MODEL, Context(messages=[UserMessage("hi")]))]

    asyncio.run(go())
    assert warnings == [f"{MODEL}: {SHOWN}"]


@pytest.mark.parametrize("name", CAPABILITIES)
def test_a_capability_error_quoting_the_key_is_masked(
    name: str, server: LocalServer, tmp_path: Path
) -> None:
    server.respond(echo(401))
    with pytest.raises(errors.AuthenticationError) as caught:
        asyncio.run(CAPABILITIES[name](context(server, tmp_path), key()))
    assert SHOWN in str(caught.value) and unmasked(caught.value) == []


def test_the_cli_never_prints_an_echoed_key(server: LocalServer) -> None:
    from tests.conftest import run_cli

    server.respond(echo(401))
    env = {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}
    result = run_cli("chat", "-m", MODEL, "hi", env=env)  # asserts the canary is not printed
    assert result.code == 1
    assert SHOWN in result.stderr
