"""HTTP answer bodies in pieces of bounded size, compressed ones included.

httpx inflates each network read whole, so 64 KB of gzip can become 64 MB in one piece (a
"gzip bomb"), and a body encoded twice (``Content-Encoding: gzip, gzip``) turns 1 KB on the
wire into 1 GB, before any size cap sees it. Here every content-coding layer is decoded by
our own :class:`Inflater`, at most :data:`PIECE` bytes at a time, each layer's output counted
against the caller's cap, and every layer flushed at the end of the body (as httpx's decoders
have ``decode()`` and ``flush()``). We ask for gzip and deflate (:data:`ACCEPT_ENCODING`);
at most :data:`MAX_LAYERS` of them stacked are decoded, and a coding we did not ask for
(``br``, ``zstd``, ``compress``) is refused rather than handed to a decoder without bounds.
A corrupt body raises :class:`httpx.DecodingError`, as httpx would; one we will not read
raises :class:`Refused` (a layer past the cap: :class:`TooLarge`).
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Iterator
from contextlib import aclosing
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

__all__ = [
    "ACCEPT_ENCODING",
    "MAX_LAYERS",
    "PIECE",
    "Decoding",
    "Inflater",
    "Refused",
    "TooLarge",
    "apieces",
    "decoding_for",
    "pieces",
    "read_capped",
]

ACCEPT_ENCODING = "gzip, deflate"
PIECE = 1024 * 1024
MAX_LAYERS = 2  # "gzip, gzip" (a proxy compressing again) is decoded; a third layer is not
UNBOUNDED = 1 << 62  # the cap of a body whose reader counts its bytes itself
_WBITS = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS}
_IDENTITY = frozenset({"", "identity"})
_REFUSED = frozenset({"br", "zstd", "compress", "x-compress"})  # decoders without our bounds


class Refused(Exception):
    """A body we will not read; the message is a clause: "Venice's answer {message}"."""


class TooLarge(Refused):
    """A body (or one of its content-coding layers) grew past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"is larger than {limit / 2**20:g} MB; refusing to read it")
        self.limit = limit


class Inflater:
    """One gzip or deflate layer: :meth:`decode` and :meth:`flush` yield pieces of at most
    :data:`PIECE` bytes. ``deflate`` is zlib-wrapped or raw (some servers send raw)."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._inflate = zlib.decompressobj(_WBITS[encoding])
        self._head = b""  # the first byte of a deflate body, until its second one comes
        self._started = encoding != "deflate"

    def decode(self, data: bytes) -> Iterator[bytes]:
        if not self._started:
            data = self._sniff(data)
        return self._run(data)

    def flush(self) -> Iterator[bytes]:
        """What zlib still holds at the end of the body (nothing is lost at a piece boundary)."""
        if not self._started and self._head:
            self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)  # one byte: not a zlib header
            self._started = True
            yield from self._run(self._head)
        yield from self._run(b"")

    def _sniff(self, data: bytes) -> bytes:
        """A deflate body starts with a zlib header, or is raw deflate (decided once two bytes
        have come, however the network cut them)."""
        data = self._head + data
        if len(data) < 2:
            self._head = data
            return b""
        self._head, self._started = b"", True
        if not _zlib_header(data):
            self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
        return data

    def _run(self, data: bytes) -> Iterator[bytes]:
        import httpx

        inflate = self._inflate
        try:
            while not inflate.eof:
                piece = inflate.decompress(data, PIECE)
                data = inflate.unconsumed_tail
                if piece:
                    yield piece
                if not data and len(piece) < PIECE:  # input used up, and zlib holds no more
                    return
        except zlib.error as exc:
            raise httpx.DecodingError(f"corrupt {self.encoding} body ({exc})") from None


def _zlib_header(data: bytes) -> bool:
    """Whether ``data`` starts with a zlib header (some servers send raw deflate instead)."""
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0


class Decoding:
    """A body's content codings, undone layer by layer under ``limit``: the bytes into the
    first layer and out of every layer each stay within it (a layer that yields nothing for
    ever, or a bomb inside a bomb, stops at the cap), and memory within a few
    :data:`PIECE` per layer. Feed the raw body to :meth:`decode`; call :meth:`flush` at its
    end."""

    def __init__(self, codings: Iterable[str], limit: int) -> None:
        # Content-Encoding lists codings in the order they were applied: undo the last first
        self.layers = [Inflater(coding) for coding in reversed(list(codings))]
        self.limit = limit
        self._counts = [0] * (len(self.layers) + 1)

    def decode(self, raw: bytes) -> Iterator[bytes]:
        return self._through(0, raw, final=False)

    def flush(self) -> Iterator[bytes]:
        return self._through(0, b"", final=True)

    def _through(self, depth: int, data: bytes, final: bool) -> Iterator[bytes]:
        """``data`` into layer ``depth`` (at ``final``: flush it, and every layer below)."""
        self._count(depth, data)
        if depth == len(self.layers):
            if data:
                yield data
            return
        layer = self.layers[depth]
        for piece in layer.decode(data) if data else ():
            yield from self._through(depth + 1, piece, final=False)
        if final:
            for piece in layer.flush():
                yield from self._through(depth + 1, piece, final=False)
            yield from self._through(depth + 1, b"", final=True)

    def _count(self, depth: int, data: bytes) -> None:
        self._counts[depth] += len(data)
        if self._counts[depth] > self.limit:
            raise TooLarge(self.limit)


def decoding_for(headers: httpx.Headers, limit: int) -> Decoding | None:
    """The decoding of a response's ``Content-Encoding`` (None: nothing to undo), or
    :class:`Refused` when it is one we cannot bound."""
    listed = headers.get_list("content-encoding", split_commas=True)
    codings = [c for c in (c.strip().lower() for c in listed) if c not in _IDENTITY]
    if not codings:
        return None
    unknown = [c for c in codings if c not in _WBITS]
    if any(c in _REFUSED for c in unknown):
        raise Refused(f"is encoded as {', '.join(codings)}, which was not asked for")
    if unknown:  # a label that is no coding (some servers send "utf-8"): httpx ignores it too
        codings = [c for c in codings if c in _WBITS]
        if not codings:
            return None
    if len(codings) > MAX_LAYERS:
        raise Refused(f"is compressed {len(codings)} times over; at most {MAX_LAYERS} are read")
    return Decoding(codings, limit)


def apieces(response: httpx.Response, limit: int = UNBOUNDED) -> AsyncGenerator[bytes, None]:
    """The decoded body of a streamed async response, piece by bounded piece (an async
    generator: close it, or the response, to stop reading). Each layer, and the raw body
    when it is compressed, stays within ``limit`` bytes (:class:`TooLarge`)."""
    decoding = decoding_for(response.headers, limit)
    if decoding is not None:
        return _decoded(response.aiter_raw(), decoding)
    if response.is_stream_consumed or response.is_closed:  # httpx's answer: what it read, or
        return response.aiter_bytes()  # type: ignore[return-value]  # its StreamConsumed
    return _raw(response)


async def _raw(response: httpx.Response) -> AsyncGenerator[bytes, None]:
    """An uncompressed body's pieces as they arrive, as httpx's ``aiter_bytes`` gives them
    (the stream marked read, the answer closed at its end), in one layer: ``aiter_bytes``
    is a generator over ``aiter_raw``, another one, each passing every piece through a
    chunker (and an identity decoder) that does nothing without a chunk size."""
    response.is_stream_consumed = True
    async for piece in response.stream:  # type: ignore[union-attr]
        if piece:
            yield piece
    await response.aclose()


async def _decoded(raw: AsyncIterator[bytes], decoding: Decoding) -> AsyncGenerator[bytes, None]:
    async for data in raw:
        for piece in decoding.decode(data):
            yield piece
    for piece in decoding.flush():
        yield piece


async def read_capped(
    response: httpx.Response,
    limit: int,
    *,
    timed_out: str,
    undecodable: str,
    request_id: str | None = None,
) -> bytes:
    """The decoded body of a streamed answer, refused once it (or any of its content-coding
    layers) passes ``limit`` bytes, failing as a Venice call does: too large, cut, refused or
    not decompressible (:class:`StreamFormatError`; ``undecodable`` says the last), too slow
    (:class:`VeniceTimeoutError` saying ``timed_out``), each naming ``request_id``."""
    import httpx

    from ..errors import StreamFormatError, VeniceTimeoutError

    chunks: list[bytes] = []
    size = 0
    try:
        async with aclosing(apieces(response, limit)) as body:  # closed now, even when refused
            async for chunk in body:
                size += len(chunk)
                if size > limit:
                    raise TooLarge(limit)
                chunks.append(chunk)
        return b"".join(chunks)
    except Refused as exc:
        advice = "" if isinstance(exc, TooLarge) else "; try again"
        raise StreamFormatError(f"Venice's answer {exc}{advice}", request_id=request_id) from None
    except httpx.TimeoutException:
        raise VeniceTimeoutError(timed_out, request_id=request_id) from None
    except httpx.DecodingError:
        raise StreamFormatError(undecodable, request_id=request_id) from None
    except httpx.HTTPError as exc:
        raise StreamFormatError(
            f"the answer was cut ({type(exc).__name__}); try again", request_id=request_id
        ) from None
    finally:  # the pieces of a refused read are not kept alive by its error's traceback
        chunks.clear()


def pieces(response: httpx.Response, limit: int = UNBOUNDED) -> Iterator[bytes]:
    """The decoded body of a streamed sync response, piece by bounded piece."""
    decoding = decoding_for(response.headers, limit)
    if decoding is None:
        yield from response.iter_bytes()
        return
    for raw in response.iter_raw():
        yield from decoding.decode(raw)
    yield from decoding.flush()
