"""Venice's queued jobs through the wire: quote, queue, retrieve (the finished file streamed
to the caller's sink under a byte cap), complete. The host's ``video`` and ``music``
capabilities, and ``provider.video`` / ``provider.music`` for Python callers.

Retries: a quote, a retrieve and a complete are retried as chat is (timeouts too: asking
again changes nothing). A queue is what is paid for: it is retried only after 429 and 503
(Venice did not take it), never after a timeout or a 5xx that may have queued it. A
retrieve that is retried after part of the file arrived starts the sink again from zero.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, NamedTuple, TypeVar

from ..errors import NotFoundError, StreamFormatError, UsageError
from ..images.tools import read_image
from ..runtime.plugins import Job, JobProgress, MediaInput, MusicRequest, Quote, VideoRequest
from ..wire.client import Answer, body_pieces, malformed
from ..wire.limits import ANSWER, JsonRefused, loads
from ..wire.retry import CHAT
from . import answer, request

if TYPE_CHECKING:
    from ..runtime.plugins import ProviderContext, SecretStr
    from ..wire.client import Response, Wire
    from ..wire.sync import LoopRunner

T = TypeVar("T")
CALL_TIMEOUT = 60.0  # seconds without a byte, for every job call
STATUS_BYTES = 64 * 1024  # a quote, queue or status answer is a few fields
STATUS_JSON = ANSWER._replace(containers=64, values=512)
QUEUE_POLICY = replace(CHAT, statuses=frozenset({429, 503}))
POLL_POLICY = replace(CHAT, retry_timeouts=True)
MAX_VIDEO_BYTES = 2 * 1024**3  # 30 s of 4K is a few hundred MB
MAX_AUDIO_BYTES = 512 * 1024**2  # 5 minutes of WAV is ~50 MB
POLL_SECONDS = 5.0
JOB_DEADLINE = 30 * 60.0  # Python callers' default wait for a job, seconds


class Endpoints(NamedTuple):
    kind: Literal["video", "music"]  # the capability, and the kind of Venice's model list
    base: str  # "/video" or "/audio"
    media: str  # what the file is, for messages
    max_bytes: int


VIDEO = Endpoints("video", "/video", "video", MAX_VIDEO_BYTES)
MUSIC = Endpoints("music", "/audio", "audio", MAX_AUDIO_BYTES)


# -- the four calls -----------------------------------------------------------------------------
async def post_json(wire: Wire, path: str, body: Mapping[str, Any], policy: Any = CHAT) -> Answer:
    """``POST path`` with a JSON body; its small JSON answer (a 2xx)."""
    from ..wire.body import read_capped

    failures = wire.failures(CALL_TIMEOUT)

    async def read(response: Response) -> Answer:
        request_id = response.headers.get("cf-ray") or None
        raw = await read_capped(
            response, STATUS_BYTES, timed_out=failures.timeout_text,
            undecodable="Venice's answer could not be decompressed; try again",
            request_id=request_id,
        )  # fmt: skip
        return Answer(_json(raw, request_id), response.headers, request_id)

    return await wire.request(  # type: ignore[no-any-return]
        "POST", path, read,
        content=json.dumps(body, ensure_ascii=False).encode(), headers=wire.headers(body=True),
        timeout=CALL_TIMEOUT, policy=policy, failures=failures,
    )  # fmt: skip


def _json(raw: bytes, request_id: str | None) -> Any:
    try:
        return loads(raw, STATUS_JSON)
    except JsonRefused as exc:
        says = f"Venice's answer {exc}; try again"
        raise StreamFormatError(says, request_id=request_id) from None
    except ValueError:
        raise StreamFormatError(
            "Venice's answer is not JSON; try again", request_id=request_id
        ) from None


async def quote_job(wire: Wire, ends: Endpoints, body: Mapping[str, Any]) -> Quote:
    got = await post_json(wire, f"{ends.base}/quote", body)
    return answer.parse_quote(got.payload, str(body["model"]), got.request_id)


async def queue_job(wire: Wire, ends: Endpoints, body: Mapping[str, Any]) -> Job:
    got = await post_json(wire, f"{ends.base}/queue", body, QUEUE_POLICY)
    return answer.parse_queued(got.payload, ends.kind, str(body["model"]), got.request_id)


async def complete_job(wire: Wire, ends: Endpoints, job: Job) -> bool:
    got = await post_json(
        wire, f"{ends.base}/complete", {"model": job.model, "queue_id": job.id}, POLL_POLICY
    )
    success = got.payload.get("success") if isinstance(got.payload, Mapping) else None
    if not isinstance(success, bool):
        raise malformed(f"{ends.kind} complete", got.request_id)
    return success


async def retrieve_job(
    wire: Wire, ends: Endpoints, job: Job, sink: IO[bytes], max_bytes: int
) -> JobProgress:
    """One look at ``job``: its progress, or (``done``) its file written into ``sink``."""
    from ..wire.body import read_capped

    failures = wire.failures(CALL_TIMEOUT)
    body = {"model": job.model, "queue_id": job.id, "delete_media_on_completion": False}

    async def read(response: Response) -> tuple[str, JobProgress]:
        request_id = response.headers.get("cf-ray") or None
        kind = _content_type(response.headers)
        if kind == "application/json" or kind.startswith("text/"):
            raw = await read_capped(
                response, STATUS_BYTES, timed_out=failures.timeout_text,
                undecodable="Venice's answer could not be decompressed; try again",
                request_id=request_id,
            )  # fmt: skip
            return answer.parse_status(_json(raw, request_id), ends.kind, request_id)
        size = await _to_sink(response, sink, max_bytes, ends, request_id)
        return "FILE", JobProgress(True, size=size, mime_type=kind, request_id=request_id)

    try:
        status, progress = await wire.request(
            "POST", f"{ends.base}/retrieve", read,
            content=json.dumps(body).encode(), headers=wire.headers("*/*", body=True),
            timeout=CALL_TIMEOUT, policy=POLL_POLICY, failures=failures,
        )  # fmt: skip
    except NotFoundError as exc:  # the job, not the base URL: say so
        raise NotFoundError(
            exc.detail,
            request_id=exc.request_id,
            advice=f"Venice has no {ends.media} job {job.id} of model {job.model} (expired, "
            "deleted, or queued with another model); check the id and the model",
        ) from None
    if status != "COMPLETED":
        return progress  # type: ignore[no-any-return]
    url = job.meta.get("downloadUrl")
    if not isinstance(url, str):
        raise StreamFormatError(
            f"Venice says the {ends.media} is done but sent no file and no link to it; "
            "try again later",
            request_id=progress.request_id,
        )
    return await _download(wire, ends, url, sink, max_bytes)


async def _download(
    wire: Wire, ends: Endpoints, url: str, sink: IO[bytes], max_bytes: int
) -> JobProgress:
    """The file at Venice's pre-signed ``url``: fetched without the key (it is not Venice's
    API; the link itself is the permission)."""

    async def read(response: Response) -> JobProgress:
        request_id = response.headers.get("cf-ray") or None
        size = await _to_sink(response, sink, max_bytes, ends, request_id)
        return JobProgress(True, size=size, mime_type=_content_type(response.headers))

    return await wire.request(  # type: ignore[no-any-return]
        "GET", url, read, headers=wire.headers("*/*", auth=False), timeout=CALL_TIMEOUT,
        policy=POLL_POLICY, failures=wire.failures(CALL_TIMEOUT),
    )  # fmt: skip


def _content_type(headers: Mapping[str, str]) -> str:
    return (headers.get("content-type") or "").partition(";")[0].strip().lower()


async def _to_sink(
    response: Response, sink: IO[bytes], limit: int, ends: Endpoints,
    request_id: str | None,
) -> int:  # fmt: skip
    """The body into ``sink`` from its start (a retried attempt begins again), at most
    ``limit`` bytes, its first bytes a known video or audio container."""
    sink.seek(0)
    sink.truncate()
    size = 0
    async for piece in body_pieces(response, "Venice's answer could not be decompressed"):
        if not size and piece and sniff_media(piece) is None:
            raise StreamFormatError(
                f"Venice's {ends.media} answer is not a {ends.media} file we know; try again",
                request_id=request_id,
            )
        size += len(piece)
        if size > limit:
            raise StreamFormatError(
                f"Venice's {ends.media} is larger than {limit / 2**20:g} MB; refusing to save it",
                request_id=request_id,
            )
        sink.write(piece)
    if not size:
        raise StreamFormatError(f"Venice's {ends.media} answer was empty; try again",
                                request_id=request_id)  # fmt: skip
    return size


def sniff_media(head: bytes) -> str | None:
    """The container of a video or audio file by its first bytes; None when unknown."""
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    return None


# -- Python callers -----------------------------------------------------------------------------
class SavedMedia(NamedTuple):
    """A finished job saved to ``path``: ``size`` bytes of ``mime_type``."""

    path: Path
    job: Job
    size: int
    mime_type: str | None
    completed: bool  # Venice confirmed it may delete its copy


class _Jobs:
    """What ``provider.video`` and ``provider.music`` share."""

    ends: Endpoints

    def __init__(self, wire: Callable[[], Wire], runner: LoopRunner) -> None:
        self._wire, self._runner = wire, runner

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def _bodies(self, request: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        raise NotImplementedError

    async def quote_request(self, job_request: Any) -> Quote:
        return await quote_job(self._wire(), self.ends, self._bodies(job_request)[0])

    async def queue_request(self, job_request: Any) -> Job:
        return await queue_job(self._wire(), self.ends, self._bodies(job_request)[1])

    async def retrieve(
        self, job: Job, sink: IO[bytes], max_bytes: int | None = None
    ) -> JobProgress:
        """One look at ``job``; when done its file is written to ``sink``."""
        cap = max_bytes or self.ends.max_bytes
        return await retrieve_job(self._wire(), self.ends, job, sink, cap)

    async def complete(self, job: Job) -> bool:
        return await complete_job(self._wire(), self.ends, job)

    def job(self, job_id: str, model: str) -> Job:
        """The job ``job_id`` queued earlier (by this process or another) for ``model``."""
        if not job_id.strip() or not model.strip():
            raise UsageError("a job is known by its id and its model; give both")
        return Job(answer.PROVIDER, self.ends.kind, model.strip(), job_id.strip())

    async def save(
        self,
        job: Job,
        output: str | os.PathLike[str],
        *,
        force: bool = False,
        poll_interval: float = POLL_SECONDS,
        timeout: float = JOB_DEADLINE,
        on_progress: Callable[[JobProgress], None] | None = None,
    ) -> SavedMedia:
        """Wait for ``job``, save its file at ``output`` (whole or not at all; an existing
        file only with ``force``) and tell Venice it may delete its copy."""
        import asyncio

        path = Path(output)
        if path.exists() and not force:
            raise UsageError(f"{path} already exists; pick another path or pass force=True")
        deadline = asyncio.get_running_loop().time() + timeout
        with _partial(path) as (handle, tmp):
            while True:
                progress = await self.retrieve(job, handle)
                if on_progress is not None:
                    on_progress(progress)
                if progress.done:
                    break
                if asyncio.get_running_loop().time() + poll_interval > deadline:
                    raise UsageError(
                        f"the {self.ends.media} job {job.id} is not done after {timeout:g} s; "
                        "it goes on at Venice: save it later with the same job id"
                    )
                await asyncio.sleep(poll_interval)
            handle.flush()
            os.replace(tmp, path)
        completed = await self.complete(job)
        return SavedMedia(path, job, progress.size, progress.mime_type, completed)

    def request(self, prompt: str, **options: Any) -> Any:
        raise NotImplementedError

    async def quote(self, prompt: str, **options: Any) -> Quote:
        """The price in USD (nothing is queued); a value the model does not take is refused."""
        return await self.quote_request(self.request(prompt, **options))

    async def queue(self, prompt: str, **options: Any) -> Job:
        """Queue the job (this is what is paid for); :meth:`save` waits for it."""
        return await self.queue_request(self.request(prompt, **options))

    async def generate(
        self,
        prompt: str,
        output: str | os.PathLike[str],
        *,
        force: bool = False,
        poll_interval: float = POLL_SECONDS,
        timeout: float = JOB_DEADLINE,
        on_progress: Callable[[JobProgress], None] | None = None,
        **options: Any,
    ) -> SavedMedia:
        """Queue the job, wait for it and save its file at ``output`` (see :meth:`save`);
        ``options`` are the request's."""
        if Path(output).exists() and not force:
            raise UsageError(f"{output} already exists; pick another path or pass force=True")
        job = await self.queue(prompt, **options)
        return await self.save(
            job, output, force=force, poll_interval=poll_interval, timeout=timeout,
            on_progress=on_progress,
        )  # fmt: skip

    def quote_sync(self, prompt: str, **options: Any) -> Quote:
        """:meth:`quote` without an event loop (refused inside one)."""
        return self._sync(lambda: self.quote(prompt, **options), "quote")

    def queue_sync(self, prompt: str, **options: Any) -> Job:
        """:meth:`queue` without an event loop (refused inside one); :meth:`save_sync`
        fetches the job later."""
        return self._sync(lambda: self.queue(prompt, **options), "queue")

    def generate_sync(
        self, prompt: str, output: str | os.PathLike[str], **options: Any
    ) -> SavedMedia:
        """:meth:`generate` without an event loop (refused inside one)."""
        return self._sync(lambda: self.generate(prompt, output, **options), "generate")

    def save_sync(self, job: Job, output: str | os.PathLike[str], **options: Any) -> SavedMedia:
        """:meth:`save` without an event loop (refused inside one)."""
        return self._sync(lambda: self.save(job, output, **options), "save")

    def _sync(self, call: Callable[[], Awaitable[T]], method: str) -> T:
        kind = self.ends.kind
        instead = f"await provider.{kind}.{method}(...)"
        return self._runner.run(call, f"{kind}.{method}_sync", instead)


class _partial:
    """A temporary file beside ``path`` (so the rename is atomic), removed unless renamed."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> tuple[IO[bytes], str]:
        directory = self.path.parent if str(self.path.parent) else Path(".")
        fd, self.tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=directory)
        self.handle = os.fdopen(fd, "w+b")
        return self.handle, self.tmp

    def __exit__(self, *exc: object) -> None:
        self.handle.close()
        Path(self.tmp).unlink(missing_ok=True)


class VeniceVideo(_Jobs):
    """Video generation. ``await provider.video.generate("a boat at dawn", "boat.mp4")``;
    or step by step: :meth:`quote`, :meth:`queue`, :meth:`save` (a :class:`Job` from
    :meth:`job` resumes one queued earlier). Options: ``model``, ``duration`` (seconds),
    ``aspect_ratio``, ``resolution``, ``audio``, ``negative_prompt``, ``image`` (a path or
    :class:`MediaInput`: the first frame, for image-to-video models)."""

    ends = VIDEO

    def _bodies(self, job_request: VideoRequest) -> tuple[dict[str, Any], dict[str, Any]]:
        return request.video_quote_body(job_request), request.video_queue_body(job_request)

    def request(self, prompt: str, **options: Any) -> VideoRequest:
        image = options.get("image")
        if image is not None and not isinstance(image, MediaInput):
            options["image"] = read_image(image)
        return VideoRequest(prompt, **options)


class VeniceMusic(_Jobs):
    """Music and sound effects. ``await provider.music.generate("rain on a tin roof",
    "rain.mp3", sound=True)``; the steps as for video. Options: ``model``, ``duration``
    (seconds), ``lyrics``, ``instrumental``, ``voice``, ``language``, ``loop``, ``sound``
    (a sound effect: Venice's default model for those unless ``model``)."""

    ends = MUSIC

    def _bodies(self, job_request: MusicRequest) -> tuple[dict[str, Any], dict[str, Any]]:
        return request.music_quote_body(job_request), request.music_queue_body(job_request)

    def request(self, prompt: str, **options: Any) -> MusicRequest:
        return MusicRequest(prompt, **options)


# -- the host's ``video`` and ``music`` capabilities -------------------------------------------
class HostJobs:
    """The ``video`` or ``music`` capability. A job's calls (queue, a look every few
    seconds, complete) share one wire, so its pool's connection is reused rather than a new
    one made (and a TLS handshake paid) per look: the wire of the last key and settings is
    kept, and its pool is closed with the event loop that used it."""

    def __init__(self, ends: Endpoints) -> None:
        self.ends = ends
        self._last: tuple[tuple[Any, ...], Wire] | None = None

    def __repr__(self) -> str:
        return f"HostJobs({self.ends.kind})"

    def _wire(self, ctx: ProviderContext, api_key: SecretStr) -> Wire:
        from ..identity import resolve_base_url
        from ..wire.client import Wire
        from ..wire.config import connection_limits

        base_url = resolve_base_url(ctx.config, ctx.env)
        limits = connection_limits(ctx.config)
        key = (base_url, api_key.get_secret_value(), limits, id(ctx.env))
        if self._last is None or self._last[0] != key:
            self._last = (key, Wire(base_url, api_key, env=ctx.env, limits=limits))
        return self._last[1]

    def _bodies(self, job_request: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        if isinstance(job_request, VideoRequest):
            return request.video_quote_body(job_request), request.video_queue_body(job_request)
        if isinstance(job_request, MusicRequest):
            return request.music_quote_body(job_request), request.music_queue_body(job_request)
        raise UsageError(f"not a {self.ends.kind} request: {type(job_request).__name__}")

    async def quote(self, ctx: ProviderContext, api_key: SecretStr, job_request: Any) -> Quote:
        """The price; first the model is looked up in Venice's list of the kind (an id it
        lacks is refused with the nearest ones, as for images)."""
        from ..media_catalog import find_model, media_catalog_async, unshown

        body = self._bodies(job_request)[0]
        wire = self._wire(ctx, api_key)
        models = await media_catalog_async(unshown(ctx), self.ends.kind, wire)
        find_model(models, str(body["model"]), self.ends.kind)
        return await quote_job(wire, self.ends, body)

    async def queue(self, ctx: ProviderContext, api_key: SecretStr, job_request: Any) -> Job:
        body = self._bodies(job_request)[1]
        return await queue_job(self._wire(ctx, api_key), self.ends, body)

    async def retrieve(
        self, ctx: ProviderContext, api_key: SecretStr, job: Job, sink: IO[bytes], max_bytes: int
    ) -> JobProgress:
        cap = min(max_bytes, self.ends.max_bytes)
        return await retrieve_job(self._wire(ctx, api_key), self.ends, job, sink, cap)

    async def complete(self, ctx: ProviderContext, api_key: SecretStr, job: Job) -> bool:
        return await complete_job(self._wire(ctx, api_key), self.ends, job)
