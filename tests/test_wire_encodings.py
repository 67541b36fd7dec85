"""Compressed answers are read under the cap, layer by layer, and read whole (issue 22, item 2).

A hostile loopback server answers every Venice call (chat streamed and not, discovery,
embeddings, usage, balance as ``models status`` shows it) with ``Content-Encoding: gzip, gzip``:
about 600 bytes on the wire that were 256 MB before the second gzip. httpx's decoders inflate
each read whole (on main before this: a 569 MB peak in one chat turn); here each layer is
inflated a piece at a time and counted against the call's cap, so the peak stays near the cap,
measured with tracemalloc. A third layer and codings we never asked for are refused; a raw
deflate body is flushed at its end, so no tail is lost at a 1 MiB piece boundary.
"""

from __future__ import annotations

import asyncio
import functools
import json
import tracemalloc
import zlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from openclaw_venice import discovery, errors
from openclaw_venice.capabilities import VeniceCapabilities
from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat import turn
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.chat.options import StreamOptions
from openclaw_venice.provider import VeniceProvider
from openclaw_venice.runtime.ai import Context, UserMessage
from openclaw_venice.runtime.plugins import ProviderContext
from openclaw_venice.wire import body
from tests.support import venice_wire
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply

MiB = 2**20
BOMB_MB = 256
MODEL = "venice/llama-3.3-70b"


@functools.cache
def double_gzip(megabytes: int, prefix: bytes) -> bytes:
    """``prefix`` and ``megabytes`` MB of "x", gzipped, and the result gzipped again (the
    peak may pass the cap by a few 1 MiB pieces per layer: 12 MiB allowed)."""
    inner = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = b"x" * MiB
    layer = b"".join([inner.compress(prefix), *(inner.compress(block) for _ in range(megabytes))])
    layer += inner.flush()
    outer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return outer.compress(layer) + outer.flush()


def encoded(payload: bytes, coding: str, content_type: str = "application/json") -> Reply:
    return Reply(200, payload, {"Content-Type": content_type, "Content-Encoding": coding,
                                "CF-RAY": "bomb-1"})  # fmt: skip


def context(server: LocalServer, tmp_path: Path) -> ProviderContext:
    return ProviderContext(
        config={"baseUrl": server.url + "/api/v1"}, env={}, cache_dir=tmp_path / "cache"
    )


def key() -> Any:
    from pydantic import SecretStr

    return SecretStr(CANARY)


def chat_turn(server: LocalServer, stream: bool) -> Any:
    """One chat turn's answer, or the error it ended in."""

    async def go() -> Any:
        url = server.url + "/api/v1"
        async with VeniceChat(CANARY, base_url=url, catalog=load_bundle()) as chat:
            context = Context(messages=[UserMessage("hi")])
            options = StreamOptions(timeout=10)
            if stream:
                events = [e async for e in chat.stream(MODEL, context, options)]
                return events[-1].error or events[-1].message
            try:
                return await chat.complete(MODEL, context, options, stream=False)
            except errors.VeniceError as exc:
                return exc

    return asyncio.run(go())


def discover(server: LocalServer, tmp_path: Path) -> Any:
    warnings: list[str] = []
    ctx = ProviderContext(config={"baseUrl": server.url}, env={}, cache_dir=tmp_path,
                          warn=warnings.append)  # fmt: skip
    catalog = VeniceProvider().catalog(ctx)
    return catalog.source, warnings


def capability(call: Callable[[ProviderContext, Any], Awaitable[Any]]) -> Callable[..., Any]:
    def run(server: LocalServer, tmp_path: Path) -> Any:
        try:
            return asyncio.run(call(context(server, tmp_path), key()))
        except errors.VeniceError as exc:
            return exc

    return run


# call -> (the first bytes of the bombed body, its content type, the call's cap, the outcome)
Outcome = Callable[[Any], bool]
REFUSED: Outcome = lambda result: (  # noqa: E731
    isinstance(result, errors.StreamFormatError) and "larger than" in str(result)
)
CALLS: dict[str, tuple[Callable[[LocalServer, Path], Any], bytes, str, int, Outcome]] = {
    "chat, streamed": (
        lambda server, tmp: chat_turn(server, stream=True),
        b'data: {"choices": ["', "text/event-stream", turn.MAX_EVENT_BYTES,
        lambda result: isinstance(result, errors.StreamFormatError)
        and "event larger than 8 MB" in str(result),
    ),
    "chat, complete": (
        lambda server, tmp: chat_turn(server, stream=False),
        b'{"choices": ["', "application/json", turn.MAX_JSON_BODY, REFUSED,
    ),
    "discovery": (
        discover, b'{"data": ["', "application/json", discovery.MAX_BODY_BYTES,
        lambda result: result[0] == "bundled"
        and result[1] == ["Venice model discovery failed: Venice's answer is larger than 16 MB; "
                          "refusing to read it (request id bomb-1); showing the bundled catalog"],
    ),
    "embed": (
        capability(lambda ctx, k: VeniceCapabilities().embed(ctx, k, ["a"])),
        b'{"data": ["', "application/json", 64 * MiB, REFUSED,
    ),
    "usage": (
        capability(lambda ctx, k: VeniceCapabilities().usage(ctx, k, 7)),
        b'{"byModel": ["', "application/json", 8 * MiB, REFUSED,
    ),
    "status (balance)": (
        capability(lambda ctx, k: VeniceCapabilities().balance(ctx, k)),
        b'{"balances": ["', "application/json", 1 * MiB, REFUSED,
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", CALLS)
def test_a_bomb_inside_a_bomb_is_read_under_the_cap(
    name: str, server: LocalServer, tmp_path: Path
) -> None:
    call, prefix, content_type, cap, outcome = CALLS[name]
    payload = double_gzip(BOMB_MB, prefix)
    assert len(payload) < 2048  # what crosses the wire
    server.respond(lambda request: encoded(payload, "gzip, gzip", content_type))
    tracemalloc.start()
    try:
        result = call(server, tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert outcome(result), repr(result)
    assert peak < cap + 12 * MiB, f"peak {peak / MiB:.0f} MB for a {cap / MiB:g} MB cap"


def test_two_layers_within_the_cap_are_read(server: LocalServer) -> None:
    answer = json.dumps(venice_wire.completion("layered")).encode()
    twice = zlib.compress(zlib.compress(answer), 9)  # deflate, then deflate again
    server.respond(lambda request: encoded(twice, "deflate, deflate"))
    assert chat_turn(server, stream=False).text == "layered"


@pytest.mark.parametrize(
    ("coding", "says"),
    [
        ("gzip, gzip, gzip", "Venice's answer is compressed 3 times over; at most 2 are read"),
        ("br", "Venice's answer is encoded as br, which was not asked for"),
        ("gzip, zstd", "Venice's answer is encoded as gzip, zstd, which was not asked for"),
    ],
)
def test_codings_past_our_bounds_are_refused(server: LocalServer, coding: str, says: str) -> None:
    answer = json.dumps(venice_wire.completion("never read")).encode()
    server.respond(lambda request: encoded(answer, coding))
    result = chat_turn(server, stream=False)
    assert isinstance(result, errors.StreamFormatError)
    assert str(result) == f"{says}; try again (request id bomb-1)"


def test_a_label_that_is_no_coding_is_ignored_as_httpx_does(server: LocalServer) -> None:
    answer = json.dumps(venice_wire.completion("plain")).encode()
    server.respond(lambda request: encoded(answer, "utf-8"))
    assert chat_turn(server, stream=False).text == "plain"


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize("past", [1, 100, 257])
def test_a_raw_deflate_answer_keeps_its_tail_past_a_piece_boundary(
    server: LocalServer, past: int
) -> None:
    """A text of "a"s whose JSON answer ends ``past`` bytes beyond 1 MiB: the last piece comes
    out of zlib only when it is flushed (on main before this, those bytes were lost and the
    answer was "not JSON")."""
    empty = len(json.dumps(venice_wire.completion("")).encode())
    text = "a" * (body.PIECE + past - empty)
    answer = json.dumps(venice_wire.completion(text)).encode()
    assert len(answer) == body.PIECE + past
    server.respond(lambda request: encoded(raw_deflate(answer), "deflate"))
    assert chat_turn(server, stream=False).text == text


@pytest.mark.parametrize("wbits", [-zlib.MAX_WBITS, zlib.MAX_WBITS, zlib.MAX_WBITS | 16])
@pytest.mark.parametrize("cut", [1, 2, 7])
def test_every_layer_is_flushed_however_the_network_cuts_it(wbits: int, cut: int) -> None:
    data = b"a" * (body.PIECE + 100) + b"the tail"
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    packed = packer.compress(data) + packer.flush()
    coding = "gzip" if wbits > zlib.MAX_WBITS else "deflate"
    decoding = body.Decoding([coding], len(data))
    pieces = [p for i in range(0, len(packed), cut) for p in decoding.decode(packed[i : i + cut])]
    pieces += decoding.flush()
    assert b"".join(pieces) == data
    assert max(map(len, pieces)) <= body.PIECE


def test_a_layer_that_inflates_to_nothing_stops_at_the_cap() -> None:
    """Empty stored deflate blocks: bytes in, nothing out, for ever. The raw body counts
    against the cap too, so reading it ends."""
    empty_block = b"\x00\x00\x00\xff\xff"  # BFINAL=0, stored, LEN=0, NLEN=0xffff
    decoding = body.Decoding(["deflate"], 1000)
    with pytest.raises(body.TooLarge):
        for _ in range(1000):
            list(decoding.decode(empty_block * 10))


def nothing_twice_over(intermediate_mb: int, prefix: bytes) -> bytes:
    """``prefix`` then ``intermediate_mb`` MB of empty stored deflate blocks (bytes that
    inflate to nothing), as a deflate layer, gzipped over it: ``deflate, gzip``."""
    inner = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS)
    layer = inner.compress(prefix) + inner.flush(zlib.Z_SYNC_FLUSH)
    empty_block = b"\x00\x00\x00\xff\xff"  # BFINAL=0, stored, LEN=0, NLEN=0xffff
    outer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = empty_block * (MiB // len(empty_block))
    wire = [outer.compress(layer), *(outer.compress(block) for _ in range(intermediate_mb))]
    return b"".join(wire) + outer.flush()


def test_a_stacked_layer_inside_a_stream_counts_against_the_cap(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A streamed answer whose inner layer is megabytes that inflate to nothing: the answer
    never grows, so only counting the layer ends it (before: the turn read all of it and
    ended "without finishing"; a longer one is read for as long as the server sends)."""
    monkeypatch.setattr(turn, "MAX_STREAM_BYTES", 4 * MiB)
    event = venice_wire.sse([venice_wire.chunk({"content": "hi"})], done=False)
    payload = nothing_twice_over(64, event)
    assert len(payload) < 256 * 1024  # what crosses the wire
    server.respond(lambda request: encoded(payload, "deflate, gzip", "text/event-stream"))
    result = chat_turn(server, stream=True)
    assert isinstance(result, errors.StreamFormatError), repr(result)
    says = "Venice's answer is larger than 4 MB; refusing to read it (request id bomb-1)"
    assert str(result) == says


def test_an_uncompressed_answer_is_read_as_httpx_reads_it(server: LocalServer) -> None:
    """Read in one layer of ours (not httpx's ``aiter_bytes`` over ``aiter_raw``), an
    uncompressed answer still comes whole, is closed the moment its end is read (its
    connection back in the pool before the caller closes it), and cannot be read twice; an
    answer httpx read already gives what it read."""
    import httpx

    from openclaw_venice.wire import route

    sent = b"x" * 300_000
    server.respond(lambda request: Reply(200, [sent[:1000], sent[1000:]]))

    async def go() -> tuple[bytes, bool, bool]:
        async with route.async_transport(server.url, {}) as transport:
            response = await transport.handle_async_request(httpx.Request("GET", server.url))
            pieces = [piece async for piece in body.apieces(response)]
            closed = response.is_closed
            with pytest.raises(httpx.StreamConsumed):
                [piece async for piece in body.apieces(response)]
            return b"".join(pieces), closed, all(pieces)

    got, closed, none_empty = asyncio.run(go())
    assert got == sent and closed and none_empty

    async def read_already() -> bytes:
        read = httpx.Response(200, content=b"abc")
        return b"".join([piece async for piece in body.apieces(read)])

    assert asyncio.run(read_already()) == b"abc"
