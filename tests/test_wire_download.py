"""``Wire.download``: a large answer (speech, video) goes to a sink piece by piece under a
byte cap, never whole into memory (issue 25, item 4; issue 22's large bodies). Retries stop at
the first byte written; every failure is one of the tree's, naming the request id."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Iterator

import pytest

from openclaw_venice.errors import (
    ServerError,
    StreamFormatError,
    VeniceTimeoutError,
)
from openclaw_venice.runtime.secret import SecretStr
from openclaw_venice.wire.body import PIECE
from openclaw_venice.wire.client import CallLimits, Wire
from tests.support import faults
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply

RAY = "7f00aa11bb22-CDG"
MiB = 2**20


def _audio(size: int) -> Iterator[bytes]:
    block = bytes(range(256)) * 256  # 64 KiB, not all one byte (so order mistakes show)
    sent = 0
    while sent < size:
        piece = block[: min(len(block), size - sent)]
        sent += len(piece)
        yield piece


def _expected(size: int) -> bytes:
    return b"".join(_audio(size))


def _download(
    server: LocalServer, sink: list[bytes], cap: int = 64 * MiB, retries: int = 2,
    timeout: float = 10,
) -> object:
    async def go() -> object:
        async with Wire(server.url + "/api/v1", SecretStr(CANARY)) as wire:
            return await wire.download(
                "POST", "/audio/speech", sink.append,
                limits=CallLimits(timeout=timeout, max_bytes=cap, max_retries=retries),
                body={"input": "hello", "model": "tts-kokoro"}, accept="audio/*",
            )  # fmt: skip

    return asyncio.run(go())


def test_a_large_body_reaches_the_sink_in_bounded_pieces(server: LocalServer) -> None:
    size = 6 * MiB + 123
    server.respond(
        lambda r: Reply(200, _audio(size), {"Content-Type": "audio/mpeg", "CF-RAY": RAY})
    )
    pieces: list[bytes] = []
    done = _download(server, pieces)
    assert b"".join(pieces) == _expected(size)
    assert len(pieces) > 6 and max(map(len, pieces)) <= PIECE  # streamed, not held whole
    assert (done.size, done.request_id, done.content_type) == (  # type: ignore[attr-defined]
        size, RAY, "audio/mpeg"
    )
    sent = server.requests[0]
    assert sent.headers["authorization"] == f"Bearer {CANARY}"
    assert sent.headers["accept"] == "audio/*"
    assert sent.json() == {"input": "hello", "model": "tts-kokoro"}
    assert not [h for h in sent.headers if h.startswith("x-stainless")]


def test_a_gzipped_body_is_inflated_into_the_sink(server: LocalServer) -> None:
    data = _expected(3 * MiB)
    server.respond(
        lambda r: Reply(
            200, gzip.compress(data), {"Content-Type": "audio/wav", "Content-Encoding": "gzip"}
        )
    )
    pieces: list[bytes] = []
    _download(server, pieces)
    assert b"".join(pieces) == data and max(map(len, pieces)) <= PIECE


def test_past_the_cap_is_refused_and_the_sink_got_at_most_the_cap(server: LocalServer) -> None:
    server.respond(lambda r: Reply(200, _audio(5 * MiB), {"CF-RAY": RAY}))
    pieces: list[bytes] = []
    with pytest.raises(StreamFormatError, match="larger than 2 MB") as caught:
        _download(server, pieces, cap=2 * MiB)
    assert sum(map(len, pieces)) <= 2 * MiB
    assert caught.value.request_id == RAY and RAY in str(caught.value)
    assert len(server.requests) == 1  # a body past the cap is not asked for again


def test_a_gzip_bomb_stops_at_the_cap(server: LocalServer) -> None:
    server.respond(faults.gzip_bomb(64, prefix=b"ID3", content_type="audio/mpeg"))
    pieces: list[bytes] = []
    with pytest.raises(StreamFormatError, match="larger than 1 MB"):
        _download(server, pieces, cap=MiB)
    assert sum(map(len, pieces)) <= MiB


def test_an_error_before_the_body_is_retried(server: LocalServer) -> None:
    ok = Reply(200, b"ID3audio", {"Content-Type": "audio/mpeg"})
    server.respond(faults.sequence(faults.status(503, b'{"error": "busy"}'), lambda r: ok))
    pieces: list[bytes] = []
    _download(server, pieces)
    assert b"".join(pieces) == b"ID3audio"
    assert len(server.requests) == 2


def test_a_server_error_after_retries_is_typed_with_the_request_id(server: LocalServer) -> None:
    server.respond(faults.status(500, b'{"error": "boom"}', {"CF-RAY": RAY}))
    pieces: list[bytes] = []
    with pytest.raises(ServerError) as caught:
        _download(server, pieces, retries=1)
    assert caught.value.request_id == RAY and not pieces
    assert len(server.requests) == 2


def test_a_cut_after_bytes_were_written_is_final(server: LocalServer) -> None:
    server.respond(faults.reset_mid_stream(b"ID3" + b"a" * 5000, content_type="audio/mpeg",
                                           headers={"CF-RAY": RAY}))  # fmt: skip
    pieces: list[bytes] = []
    with pytest.raises(StreamFormatError, match="cut after 5003 bytes") as caught:
        _download(server, pieces)
    assert caught.value.request_id == RAY
    assert len(server.requests) == 1  # not retried: the sink already holds a part


def test_a_stall_after_bytes_is_a_timeout_naming_the_request(server: LocalServer) -> None:
    server.respond(faults.body_stalls(b"ID3" + b"b" * 100, content_type="audio/mpeg",
                                      headers={"CF-RAY": RAY}))  # fmt: skip
    pieces: list[bytes] = []
    with pytest.raises(VeniceTimeoutError) as caught:
        _download(server, pieces, timeout=0.5)
    assert caught.value.request_id == RAY and b"".join(pieces).startswith(b"ID3")
    assert len(server.requests) == 1


def test_a_sink_that_fails_stops_the_download(server: LocalServer) -> None:
    server.respond(lambda r: Reply(200, _audio(3 * MiB), {"Content-Type": "audio/mpeg"}))

    def full(piece: bytes) -> None:
        raise OSError(28, "No space left on device")

    async def go() -> None:
        async with Wire(server.url + "/api/v1", SecretStr(CANARY)) as wire:
            await wire.download("POST", "/audio/speech", full, limits=CallLimits(),
                                body={"input": "hello"})  # fmt: skip

    with pytest.raises(OSError, match="No space left"):
        asyncio.run(go())
    assert len(server.requests) == 1


def test_the_key_goes_nowhere_but_https_or_loopback() -> None:
    from openclaw_venice.errors import RequestRefused

    async def go() -> None:
        wire = Wire("http://example.invalid/api/v1")
        wire._key = SecretStr(CANARY)  # bound after the constructor's own check
        await wire.download("POST", "/audio/speech", [].append, limits=CallLimits())

    with pytest.raises(RequestRefused, match="use an https base URL"):
        asyncio.run(go())
