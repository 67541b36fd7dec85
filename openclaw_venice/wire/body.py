"""HTTP answer bodies in pieces of bounded size, compressed ones included.

httpx inflates each network read whole, so 64 KB of gzip can become 64 MB in one piece (a
"gzip bomb") before any size cap sees it. Here gzip and deflate bodies, the encodings we ask
for (:data:`ACCEPT_ENCODING`), are inflated at most :data:`PIECE` bytes at a time; anything
else is left to httpx. A corrupt body raises :class:`httpx.DecodingError`, as httpx would.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncGenerator, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

__all__ = ["ACCEPT_ENCODING", "PIECE", "Inflater", "apieces", "pieces", "read_capped"]

ACCEPT_ENCODING = "gzip, deflate"
PIECE = 1024 * 1024
_WBITS = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS}


class Inflater:
    """A gzip or deflate body, inflated in pieces of at most :data:`PIECE` bytes."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._inflate = zlib.decompressobj(_WBITS[encoding])
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        import httpx

        if not self._started and data:
            self._started = True
            if self.encoding == "deflate" and not _zlib_header(data):
                self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, no header
        try:
            while data and not self._inflate.eof:
                piece = self._inflate.decompress(data, PIECE)
                data = self._inflate.unconsumed_tail
                if piece:
                    yield piece
        except zlib.error as exc:
            raise httpx.DecodingError(f"corrupt {self.encoding} body ({exc})") from None


def _zlib_header(data: bytes) -> bool:
    """Whether ``data`` starts with a zlib header (some servers send raw deflate instead)."""
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0


def _inflater(response: httpx.Response) -> Inflater | None:
    encoding = response.headers.get("content-encoding", "").strip().lower()
    return Inflater(encoding) if encoding in _WBITS else None


def apieces(response: httpx.Response) -> AsyncGenerator[bytes, None]:
    """The decoded body of a streamed async response, piece by bounded piece (an async
    generator: close it, or the response, to stop reading)."""
    inflater = _inflater(response)
    if inflater is None:  # httpx's own iterator, with no layer of ours per piece
        return response.aiter_bytes()  # type: ignore[return-value]
    return _inflated(response, inflater)


async def _inflated(response: httpx.Response, inflater: Inflater) -> AsyncGenerator[bytes, None]:
    async for raw in response.aiter_raw():
        for piece in inflater.feed(raw):
            yield piece


async def read_capped(
    response: httpx.Response,
    limit: int,
    *,
    timed_out: str,
    undecodable: str,
    request_id: str | None = None,
) -> bytes:
    """The decoded body of a streamed answer, refused once it passes ``limit`` bytes
    (compressed or not), failing as a Venice call does: too large, cut or not decompressible
    (:class:`StreamFormatError`; ``undecodable`` says the last), too slow
    (:class:`VeniceTimeoutError` saying ``timed_out``), each naming ``request_id``."""
    import httpx

    from ..errors import StreamFormatError, VeniceTimeoutError

    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in apieces(response):
            size += len(chunk)
            if size > limit:
                raise StreamFormatError(
                    f"Venice's answer is larger than {limit / 2**20:g} MB; refusing to read it",
                    request_id=request_id,
                )
            chunks.append(chunk)
    except httpx.TimeoutException:
        raise VeniceTimeoutError(timed_out, request_id=request_id) from None
    except httpx.DecodingError:
        raise StreamFormatError(undecodable, request_id=request_id) from None
    except httpx.HTTPError as exc:
        raise StreamFormatError(
            f"the answer was cut ({type(exc).__name__}); try again", request_id=request_id
        ) from None
    return b"".join(chunks)


def pieces(response: httpx.Response) -> Iterator[bytes]:
    """The decoded body of a streamed sync response, piece by bounded piece."""
    inflater = _inflater(response)
    if inflater is None:
        yield from response.iter_bytes()
        return
    for raw in response.iter_raw():
        yield from inflater.feed(raw)
