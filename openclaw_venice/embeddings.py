"""``VeniceEmbeddings``: ``provider.embeddings`` for Python callers and the ``embeddings``
capability behind ``openclaw embed``.

Within Venice's input limits (``CreateEmbeddingRequestSchema``): every text non-empty (an
empty string is a 400), at most 2048 texts a request (we send :data:`BATCH_SIZE` at a time,
fewer when the texts are long, so that neither the request nor the answer grows past a few
MB), strings only (never token arrays). The vectors come back in input order whatever order
the batches' ``index`` fields had.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .errors import StreamFormatError, UsageError
from .runtime.plugins import EmbeddingResult, MediaCatalog
from .wire.client import CallLimits, malformed
from .wire.limits import ANSWER

if TYPE_CHECKING:
    from .runtime.plugins import ProviderContext, SecretStr
    from .wire.client import Wire
    from .wire.sync import LoopRunner

SPEC_MAX_ITEMS = 2048
BATCH_SIZE = 256
BATCH_CHARS = 1_000_000  # about 250k tokens: a batch's request stays ~1 MB
EMBED_LIMITS = CallLimits(timeout=120.0, max_bytes=64 * 1024 * 1024, max_retries=2)
# twice the longest vector of Venice's models (Qwen3 Embedding 8B: 4096); the error text names it
MAX_DIMENSIONS = 8192


def batch_limits(count: int, dimensions: int | None) -> CallLimits:
    """:data:`EMBED_LIMITS` for a batch of ``count`` texts: its JSON may hold ``count``
    vectors of the length asked for (:data:`MAX_DIMENSIONS` when none was), and little else."""
    numbers = count * (dimensions or MAX_DIMENSIONS)
    budget = ANSWER._replace(containers=4 * count + 64, values=numbers + 16 * count + 256)
    return dataclasses.replace(EMBED_LIMITS, json=budget)


def batches(
    texts: Sequence[str], size: int = BATCH_SIZE, chars: int = BATCH_CHARS
) -> Iterator[list[str]]:
    """``texts`` in order, in runs of at most ``size`` texts and ``chars`` characters (a text
    longer than ``chars`` goes alone)."""
    run: list[str] = []
    length = 0
    for text in texts:
        if run and (len(run) == size or length + len(text) > chars):
            yield run
            run, length = [], 0
        run.append(text)
        length += len(text)
    if run:
        yield run


def check_texts(texts: str | Sequence[str], dimensions: int | None) -> list[str]:
    items = [texts] if isinstance(texts, str) else list(texts)
    if not items:
        raise UsageError("nothing to embed; give at least one text")
    for i, text in enumerate(items):
        if not isinstance(text, str):
            raise UsageError(f"text {i} is a {type(text).__name__}; embeddings take strings")
        if not text:
            raise UsageError(f"text {i} is empty; Venice refuses empty texts")
    if dimensions is not None and (isinstance(dimensions, bool) or dimensions < 1):
        raise UsageError("dimensions must be a positive whole number")
    return items


def embedding_body(batch: list[str], model: str, dimensions: int | None) -> dict[str, Any]:
    body: dict[str, Any] = {"model": model, "input": batch, "encoding_format": "float"}
    if dimensions is not None:
        body["dimensions"] = dimensions
    return body


def parse_vectors(
    payload: Any, count: int, request_id: str | None, dimensions: int | None = None
) -> list[tuple[float, ...]]:
    """The ``count`` vectors of an answer, ordered by ``index``, each of the length asked
    for (``dimensions``), or when none was, all of one length up to :data:`MAX_DIMENSIONS`."""
    data = payload.get("data") if isinstance(payload, Mapping) else None
    if not isinstance(data, list) or len(data) != count:
        raise malformed("embeddings", request_id)
    vectors: dict[int, tuple[float, ...]] = {}
    for item in data:
        index = item.get("index") if isinstance(item, Mapping) else None
        vector = item.get("embedding") if isinstance(item, Mapping) else None
        if not isinstance(index, int) or not 0 <= index < count or index in vectors:
            raise malformed("embeddings", request_id)
        if not isinstance(vector, list) or not all(_finite(x) for x in vector) or not vector:
            raise malformed("embeddings", request_id)
        vectors[index] = tuple(float(x) for x in vector)
    lengths = {len(v) for v in vectors.values()}
    wanted = dimensions or min(lengths)
    if lengths != {wanted} or (dimensions is None and wanted > MAX_DIMENSIONS):
        shown = ", ".join(str(n) for n in sorted(lengths)[:3])
        asked = f"the {dimensions} asked for" if dimensions else "one length of at most 8192"
        raise StreamFormatError(
            f"Venice's embeddings answer has vectors of {shown} numbers, not {asked}; try again",
            request_id=request_id,
        )
    return [vectors[i] for i in range(count)]


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _tokens(payload: Any, key: str) -> int:
    usage = payload.get("usage") if isinstance(payload, Mapping) else None
    value = usage.get(key) if isinstance(usage, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


async def embed_with(
    wire: Wire,
    texts: str | Sequence[str],
    catalog: MediaCatalog,
    model: str | None,
    dimensions: int | None,
) -> EmbeddingResult:
    from .media_catalog import find_model

    items = check_texts(texts, dimensions)
    record = find_model(catalog, model, "embedding")
    vectors: list[tuple[float, ...]] = []
    prompt_tokens = total_tokens = 0
    request_ids: list[str] = []
    for batch in batches(items):
        body = embedding_body(batch, record.id, dimensions)
        limits = batch_limits(len(batch), dimensions)
        answer = await wire.json("POST", "/embeddings", limits=limits, body=body)
        vectors += parse_vectors(answer.payload, len(batch), answer.request_id, dimensions)
        prompt_tokens += _tokens(answer.payload, "prompt_tokens")
        total_tokens += _tokens(answer.payload, "total_tokens")
        if answer.request_id:
            request_ids.append(answer.request_id)
    return EmbeddingResult(
        tuple(vectors), record.id, prompt_tokens, total_tokens, tuple(request_ids)
    )


class VeniceEmbeddings:
    """``await provider.embeddings.create(["a", "b"], model=..., dimensions=...)``."""

    def __init__(self, wire: Callable[[], Wire], runner: LoopRunner) -> None:
        self._wire, self._runner = wire, runner

    def __repr__(self) -> str:
        return "VeniceEmbeddings()"

    async def create(
        self,
        texts: str | Sequence[str],
        *,
        model: str | None = None,
        dimensions: int | None = None,
    ) -> EmbeddingResult:
        """One vector per text, in order (``model``: default BGE-M3, private)."""
        from .media_catalog import load_media_bundle

        return await embed_with(
            self._wire(), texts, load_media_bundle("embedding"), model, dimensions
        )

    def create_sync(
        self,
        texts: str | Sequence[str],
        *,
        model: str | None = None,
        dimensions: int | None = None,
    ) -> EmbeddingResult:
        """:meth:`create` for scripts without an event loop; inside a running loop it refuses
        with ``UsageError`` (the one sync rule)."""
        return self._runner.run(
            lambda: self.create(texts, model=model, dimensions=dimensions),
            "embeddings.create_sync", "await provider.embeddings.create(...)",
        )  # fmt: skip


# -- the host's ``embeddings`` capability ------------------------------------------------------
def embedding_models(ctx: ProviderContext) -> MediaCatalog:
    from .identity import resolve_base_url
    from .media_catalog import media_catalog

    return media_catalog(ctx, "embedding", resolve_base_url(ctx.config, ctx.env))


async def embed_for_host(
    ctx: ProviderContext,
    api_key: SecretStr,
    texts: Sequence[str],
    model: str | None = None,
    dimensions: int | None = None,
) -> EmbeddingResult:
    from .media_catalog import media_catalog_async, unshown
    from .wire.config import wire_for

    async with wire_for(ctx, api_key) as wire:  # refuses a key bound off https first
        models = await media_catalog_async(unshown(ctx), "embedding", wire)
        return await embed_with(wire, texts, models, model, dimensions)
