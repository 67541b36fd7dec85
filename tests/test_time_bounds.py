"""Time bounds hold for headers too, and a turn has an overall deadline (issue 14, item 4);
totals are bounded (item 5). Every case ends in one line, with the request id where the
server sent one, the partial answer kept, and no POST repeated (item 8)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from openclaw_venice import errors
from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat import turn
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.chat.options import StreamOptions
from openclaw_venice.discovery import discovery_wire, fetch_model_rows, fetch_rows
from openclaw_venice.runtime.ai import MAX_IMAGE_BYTES, Context, ImagePart, UserMessage
from tests.conftest import run_cli
from tests.support import venice_wire
from tests.support.drip import headers_drip, keep_alive_forever
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request, json_reply

MODEL = "venice/llama-3.3-70b"
PROMPT = Context(messages=[UserMessage("hi")])
HELLO = venice_wire.sse(
    [
        venice_wire.chunk({"role": "assistant", "content": ""}),
        venice_wire.chunk({"content": "Hel"}),
    ],
    done=False,
)
DEADLINE = 1.0
SLACK = 1.0  # a busy machine


def chats(server: LocalServer) -> int:
    return len([r for r in server.requests if r.path.endswith("/chat/completions")])


def test_discovery_gives_up_on_dripped_headers_within_attempts_times_limit(
    server: LocalServer,
) -> None:
    server.respond(headers_drip())
    started = time.monotonic()
    with pytest.raises(errors.DiscoveryError, match=r"no answer within 0\.5 s after 2 attempts"):
        fetch_model_rows(server.url + "/api/v1", user_agent="t", timeout=0.5, attempts=2)
    assert time.monotonic() - started < 2 * 0.5 + 0.36 + SLACK  # attempts x limit + backoff
    assert len(server.requests) == 2


def test_discovery_from_inside_a_running_loop(server: LocalServer) -> None:
    """Async code awaits discovery on its own loop; the sync form refuses there at once with
    the one sync rule's message instead of blocking the loop on a thread (issue 22, item 3)."""
    rows = [{"id": "m", "type": "text"}]
    server.respond(lambda request: json_reply({"data": rows}))

    async def awaited() -> object:
        async with discovery_wire(server.url + "/api/v1") as wire:
            return await fetch_rows(wire)

    async def blocking() -> object:
        return fetch_model_rows(server.url + "/api/v1", user_agent="t")

    assert asyncio.run(awaited()) == rows
    with pytest.raises(errors.DiscoveryError, match="cannot run inside a running event loop"):
        asyncio.run(blocking())
    assert len(server.requests) == 1


@pytest.mark.parametrize("mode", ["stream", "complete"])
def test_dripped_headers_end_at_the_turn_deadline(server: LocalServer, mode: str) -> None:
    server.respond(headers_drip())
    options = StreamOptions(timeout=30, total_timeout=DEADLINE)
    chat = VeniceChat(CANARY, base_url=server.url + "/api/v1", catalog=load_bundle())
    started = time.monotonic()
    if mode == "stream":
        events = list(chat.stream_sync(MODEL, PROMPT, options))
        error = events[-1].error
        assert [e.type for e in events] == ["error"]
    else:
        with pytest.raises(errors.VeniceTimeoutError) as caught:
            chat.complete_sync(MODEL, PROMPT, options, stream=False)
        error = caught.value
    chat.close()
    assert time.monotonic() - started < DEADLINE + SLACK
    assert isinstance(error, errors.VeniceTimeoutError)
    assert str(error).startswith("Venice's answer went past the turn's 1 s limit")
    assert "\n" not in str(error) and chats(server) == 1


def test_keep_alive_comments_end_at_the_deadline_with_the_partial_answer(
    server: LocalServer,
) -> None:
    server.respond(keep_alive_forever(HELLO))
    chat = VeniceChat(CANARY, base_url=server.url + "/api/v1", catalog=load_bundle())
    started = time.monotonic()
    events = list(chat.stream_sync(MODEL, PROMPT, StreamOptions(total_timeout=DEADLINE)))
    chat.close()
    assert time.monotonic() - started < DEADLINE + SLACK
    last = events[-1]
    assert last.type == "error" and isinstance(last.error, errors.VeniceTimeoutError)
    assert "(request id drip-2)" in str(last.error) and "\n" not in str(last.error)
    assert last.message is not None and last.message.text == "Hel"  # nothing lost
    assert [e.type for e in events].count("text_delta") == 1 and chats(server) == 1


def test_without_a_deadline_keep_alives_hold_the_turn(server: LocalServer) -> None:
    """The control: the no-byte timeout alone never fires on keep-alive comments."""
    server.respond(keep_alive_forever(HELLO, seconds=2.5))
    chat = VeniceChat(CANARY, base_url=server.url + "/api/v1", catalog=load_bundle())
    started = time.monotonic()
    events = list(chat.stream_sync(MODEL, PROMPT, StreamOptions(timeout=1.0)))
    chat.close()
    assert time.monotonic() - started >= 2.4  # held until the server itself gave up
    assert events[-1].type == "error"


def test_openclaw_chat_timeout(server: LocalServer) -> None:
    forever = keep_alive_forever(HELLO)
    server.respond(lambda r: Reply(404) if r.path.endswith("/models") else forever(r))
    env = {"VENICE_API_KEY": CANARY, "VENICE_BASE_URL": server.url + "/api/v1"}
    started = time.monotonic()
    result = run_cli("chat", "--timeout", "1.5", "-m", MODEL, "hi", env=env)
    assert time.monotonic() - started < 1.5 + 10  # the deadline plus a slow start-up (not 30 s)
    assert result.code != 0 and result.stdout.startswith("Hel"), result.output
    failure = [line for line in result.stderr.splitlines() if "limit" in line]
    assert len(failure) == 1 and "1.5 s limit" in failure[0] and "drip-2" in failure[0]
    assert chats(server) == 1
    bad = run_cli("chat", "--timeout", "0", "-m", MODEL, "hi", env=env)
    assert bad.code == 2 and "positive number of seconds" in bad.stderr


def test_a_streamed_answer_is_capped_in_total(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every event is small, the answer never ends: the total cap stops it, in one line."""
    monkeypatch.setattr(turn, "MAX_STREAM_BYTES", 2**20)
    event = venice_wire.sse([venice_wire.chunk({"content": "x" * 200})], done=False)

    def endless(request: Request) -> Reply:
        return Reply(200, iter([event] * 20_000), venice_wire.HEADERS)

    server.respond(endless)
    chat = VeniceChat(CANARY, base_url=server.url + "/api/v1", catalog=load_bundle())
    events = list(chat.stream_sync(MODEL, PROMPT))
    chat.close()
    last = events[-1]
    assert last.type == "error" and isinstance(last.error, errors.StreamFormatError)
    text = str(last.error)
    assert "grew past 1 MB" in text and "\n" not in text and venice_wire.HEADERS["CF-RAY"] in text
    assert last.message is not None and 2**20 * 0.3 < len(last.message.text) < 2**20  # kept
    assert chats(server) == 1
    assert turn.MAX_STREAM_BYTES == 2**20  # and by default:
    monkeypatch.undo()
    assert turn.MAX_STREAM_BYTES == 256 * 2**20


def test_an_image_is_capped_before_it_is_encoded(server: LocalServer, tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    with big.open("wb") as file:
        file.truncate(MAX_IMAGE_BYTES + 1)
    with pytest.raises(errors.UsageError, match=r"larger than 20 MB; send a smaller"):
        ImagePart.from_file(big)
    fits = tmp_path / "fits.png"
    with fits.open("wb") as file:
        file.truncate(MAX_IMAGE_BYTES)
    assert len(ImagePart.from_file(fits).data) == (MAX_IMAGE_BYTES + 2) // 3 * 4
    env = {"VENICE_API_KEY": CANARY, "VENICE_BASE_URL": server.url + "/api/v1"}
    result = run_cli("chat", "--image", str(big), "-m", "venice/kimi-k2-6", "hi", env=env)
    failure = [line for line in result.stderr.splitlines() if not line.startswith("warning:")]
    assert result.code != 0 and len(failure) == 1 and " MB" in failure[0]  # the CLI's own cap
    assert chats(server) == 0
