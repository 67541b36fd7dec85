"""One turn over HTTP: open the request (with retries), then read the answer.

Retries happen only while opening, before any event reaches the caller: connection failures,
429 (``Retry-After`` honoured) and 5xx, ``options.max_retries`` times. A timeout is not
retried: ``options.timeout`` is the caller's whole patience for the next byte.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from contextlib import aclosing, asynccontextmanager, suppress
from typing import TYPE_CHECKING, Any

from ..errors import (
    OpenClawError,
    StreamFormatError,
    VeniceError,
    VeniceTimeoutError,
)
from ..runtime.ai import AssistantMessage, StreamEvent
from ..runtime.catalog import ModelInfo
from ..wire import http, retry
from ..wire.client import VeniceFailures
from ..wire.client import pieces as wire_pieces
from ..wire.client import read_capped as wire_read_capped
from ..wire.limits import JsonRefused, loads
from ..wire.text import mask, mask_error
from .assemble import TurnAssembler
from .completion import assemble_completion, completion_chunk
from .options import StreamOptions
from .request import encode_body
from .sse import SSEDecoder, load_chunk
from .think_tags import thinking_forced_open

if TYPE_CHECKING:
    from ..wire.client import Response
    from .endpoint import Endpoint

MAX_JSON_BODY = 32 * 1024 * 1024
MAX_EVENT_BYTES = 8 * 1024 * 1024  # one SSE event; real ones are a few KB
MAX_STREAM_BYTES = 256 * 1024 * 1024  # one streamed answer (a 128k-token one is ~30 MB)
DRAIN_SECONDS = 0.5  # after [DONE]: how long the rest of the answer (its trailer) may take


async def run_turn(
    chat: Endpoint,
    model: ModelInfo,
    body: Mapping[str, Any],
    options: StreamOptions,
    *,
    headers: Mapping[str, str] | None = None,
    chunk_hook: Callable[[Any], Any] | None = None,
    body_hook: Callable[[bytes], None] | None = None,
) -> AsyncGenerator[StreamEvent, None]:
    """Events of a streamed turn; failures end it with an ``error`` event. ``headers`` are
    added to the request; ``chunk_hook`` sees each decoded chunk first (E2EE opens it);
    ``body_hook`` each piece of the streamed body, every byte (E2EE receipts hash them)."""
    assembler = TurnAssembler(model, thinking_opened=thinking_forced_open(model, body))
    meta: dict[str, Any] = {}
    ends_at = _ends_at(options)
    try:
        async with open_turn(chat, model, body, options, headers, ends_at=ends_at) as response:
            meta = _meta(chat, model, response)
            assembler.request_id = meta.get("requestId")
            events = _events(
                response, assembler, model, meta, options, ends_at, chunk_hook, body_hook
            )
            async with aclosing(events):
                async for event in events:
                    yield event
    except OpenClawError as exc:
        exc = mask_error(_with_request_id(exc, meta), _key(chat))
        partial = assembler.partial("error", {**meta, "error": str(exc)})
        yield StreamEvent("error", error=exc, message=partial)


async def complete_once(
    chat: Endpoint, model: ModelInfo, body: Mapping[str, Any], options: StreamOptions
) -> AssistantMessage:
    """A non-streamed turn: one JSON answer."""
    meta: dict[str, Any] = {}
    ends_at = _ends_at(options)
    try:
        async with open_turn(chat, model, body, options, ends_at=ends_at) as response:
            meta = _meta(chat, model, response)
            try:
                async with asyncio.timeout_at(ends_at):
                    raw = await _read_json(response, options)
            except TimeoutError:
                raise VeniceTimeoutError(_deadline_text(options)) from None
        opened = thinking_forced_open(model, body)
        return assemble_completion(raw, model, meta=meta, thinking_opened=opened)
    except OpenClawError as exc:
        raise mask_error(_with_request_id(exc, meta), _key(chat)) from None


def _key(chat: Endpoint) -> str | None:
    """The key, to mask it in what the server said (None: there is none to mask)."""
    return chat.wire.secret()


def _ends_at(options: StreamOptions) -> float | None:
    """When the turn's overall deadline passes, in ``loop.time()`` seconds (None: never)."""
    if options.total_timeout is None:
        return None
    return asyncio.get_running_loop().time() + options.total_timeout


def _with_request_id(exc: OpenClawError, meta: Mapping[str, Any]) -> OpenClawError:
    """A failure after Venice answered carries its request id (CF-RAY), for support."""
    request_id = meta.get("requestId")
    if request_id and isinstance(exc, VeniceError) and exc.request_id is None:
        exc.request_id = request_id
    return exc


@asynccontextmanager
async def open_turn(
    chat: Endpoint,
    model: ModelInfo,
    body: Mapping[str, Any],
    options: StreamOptions,
    extra_headers: Mapping[str, str] | None = None,
    ends_at: float | None = None,
) -> AsyncIterator[Response]:
    """A 200 response, open for reading, after at most ``options.max_retries`` retries, all
    before ``ends_at`` (response headers included: a server dripping them is cut off)."""
    wire = chat.wire
    content = encode_body(body)
    stream = bool(body.get("stream"))
    headers = {**chat.config_headers}  # the config's (none that ours would clash with)
    headers.update(wire.headers("text/event-stream" if stream else "application/json", body=True))
    headers.update(extra_headers or {})
    failures = VeniceFailures(
        wire.where(), _timeout_text(options), _deadline_text(options), _replacement(model),
        model=model.ref,
    )  # fmt: skip
    async with wire.open(
        "POST", "/chat/completions",
        content=content, headers=headers, timeout=options.timeout,
        policy=retry.CHAT.tries(options.max_retries + 1), failures=failures,
        deadline=ends_at, slot=True, on_retry=options.on_retry,
    ) as response:  # fmt: skip
        yield response


def _replacement(model: ModelInfo) -> str | None:
    if model.replacement:  # a retired record passed as is
        return f"venice/{model.replacement}"
    if model.deprecation is not None and model.deprecation.replacement:
        return f"venice/{model.deprecation.replacement}"
    return None


async def _events(
    response: Response,
    assembler: TurnAssembler,
    model: ModelInfo,
    meta: Mapping[str, Any],
    options: StreamOptions,
    ends_at: float | None,
    chunk_hook: Callable[[Any], Any] | None = None,
    body_hook: Callable[[bytes], None] | None = None,
) -> AsyncGenerator[StreamEvent, None]:
    content_type = response.headers.get("content-type", "")
    if "json" in content_type and chunk_hook is not None:
        raise StreamFormatError(
            "the enclave answered an end-to-end encrypted turn with JSON, not a stream; "
            "nothing is shown from it. Try again"
        )
    if "json" in content_type:
        # asked for a stream, got one JSON answer (a proxy in between): the same events
        chunk = completion_chunk(await _read_json(response, options))
        yield assembler.start()
        for event in [*assembler.feed(chunk), *assembler.finish(True, meta)]:
            yield event
        return
    if content_type.startswith("text/html"):
        raise StreamFormatError(
            "Venice answered with an HTML page, not an event stream (a proxy or captive "
            "portal in between?); try again later"
        )
    yield assembler.start()
    decoder = SSEDecoder()
    done = False
    async with aclosing(_sse_payloads(response, decoder, options, ends_at, body_hook)) as stream:
        async for payloads in stream:
            for data in payloads:
                if data == "[DONE]":
                    done = True
                    break
                chunk = load_chunk(data)
                for event in assembler.feed(chunk_hook(chunk) if chunk_hook else chunk):
                    yield event
            if done:
                break
        await _drain(stream)
    for event in assembler.finish(done, meta):
        yield event


async def _drain(stream: AsyncGenerator[list[str], None]) -> None:
    """After ``[DONE]``, read what is left of the answer (the chunked trailer) so that its
    connection goes back to the pool instead of being closed, which would cost the next turn
    a new TCP and TLS handshake; a server that keeps sending, or keeps the answer open, is
    not waited for."""
    try:
        with suppress(TimeoutError, OpenClawError):
            async with asyncio.timeout(DRAIN_SECONDS):
                async for _ in stream:
                    pass
    finally:
        await stream.aclose()


async def _sse_payloads(
    response: Response,
    decoder: SSEDecoder,
    options: StreamOptions,
    ends_at: float | None,
    body_hook: Callable[[bytes], None] | None = None,
) -> AsyncGenerator[list[str], None]:
    pending = 0  # bytes since the last complete event: one event may not grow unbounded
    total = 0  # bytes of the whole answer: a turn may not go on for ever either
    timed_out = (
        f"Venice stopped answering mid-stream (nothing for {options.timeout:g} s); try again"
    )
    # a compressed answer's raw bytes and every layer count too (a layer may inflate to nothing)
    body = wire_pieces(
        response, timed_out=timed_out, undecodable=_UNDECODABLE, limit=MAX_STREAM_BYTES
    )
    async with aclosing(body) as pieces:
        async for raw in pieces if ends_at is None else _until(pieces, ends_at, options):
            if body_hook is not None:
                body_hook(raw)
            payloads = decoder.feed(raw)
            pending = 0 if payloads else pending + len(raw)
            total += len(raw)
            if pending > MAX_EVENT_BYTES:
                raise StreamFormatError(
                    f"Venice sent a stream event larger than {MAX_EVENT_BYTES // 2**20} MB; "
                    "refusing to read it"
                )
            if total > MAX_STREAM_BYTES:
                raise StreamFormatError(
                    f"Venice's answer grew past {MAX_STREAM_BYTES // 2**20} MB; stopped "
                    "reading it (ask for fewer tokens with --max-tokens)"
                )
            yield payloads
    yield decoder.close()


async def _until(
    pieces: AsyncGenerator[bytes, None], ends_at: float, options: StreamOptions
) -> AsyncIterator[bytes]:
    """``pieces``, each read bounded by the turn's deadline (``loop.time()`` seconds)."""
    while True:
        try:
            async with asyncio.timeout_at(ends_at):
                piece = await anext(pieces)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise VeniceTimeoutError(_deadline_text(options)) from None
        yield piece


async def _read_json(response: Response, options: StreamOptions) -> Any:
    raw = await _read_capped(response, MAX_JSON_BODY, options)
    try:
        return loads(raw)
    except JsonRefused as exc:
        raise StreamFormatError(f"Venice's answer {exc}; try again") from None
    except ValueError:
        raise StreamFormatError("Venice's answer is not JSON; try again") from None


async def _read_capped(response: Response, limit: int, options: StreamOptions) -> bytes:
    return await wire_read_capped(
        response, limit, timed_out=_timeout_text(options), undecodable=_UNDECODABLE
    )


def _meta(chat: Endpoint, model: ModelInfo, response: Response) -> dict[str, Any]:
    meta = http.response_meta(response.headers)
    warning = meta.get("deprecationWarning")
    if warning:  # once per client: each client's user is told, none of them twice
        date = meta.get("deprecationDate")
        text = f"{model.ref}: {warning}" + (f" (on {date})" if date else "")
        chat.warn_once(mask(text, _key(chat)))
    return meta


_UNDECODABLE = "Venice's answer could not be decompressed (corrupt gzip or deflate); try again"


def _deadline_text(options: StreamOptions) -> str:
    if options.total_timeout is None:
        return "Venice's answer went past the turn's time limit; try again"
    return (
        f"Venice's answer went past the turn's {options.total_timeout:g} s limit; try again, "
        "or allow more time"
    )


def _timeout_text(options: StreamOptions) -> str:
    return f"Venice did not answer within {options.timeout:g} s; try again, or raise the timeout"
