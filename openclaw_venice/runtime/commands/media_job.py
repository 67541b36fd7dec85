"""The one job machinery of ``openclaw video``, ``openclaw music`` and ``openclaw sound``.

In order: the output path is checked (an existing file is kept unless ``--force``; the
directory must take a file), the provider is picked, the price quoted and agreed to
(:mod:`.paid_job`), the job queued and its id shown at once (on stderr, with the command that
resumes it), then asked about until done. On a terminal a status line shows the wait
(``processing… 40 s of about 2 min``) and the download (``downloading… 3.1 MB``); on a pipe
nothing does. The file is streamed to a temporary file beside the output and renamed into
place whole, then the provider is told it may delete its copy.

Ctrl-C (or a wait past ``--wait``) leaves the job at the provider: the temporary file is
removed and the resume command is printed: ``openclaw video --resume ID -m PROVIDER/MODEL
-o out.mp4``, which downloads the same job without queueing another (on this machine ``-m``
may be left out: :mod:`.job_records` remembers the job until its file is saved).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import tempfile
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from ..errors import OpenClawError, ProviderError, UsageError
from ..terminal import is_terminal, safe_text
from .capability_use import call_context, pick_provider
from .image_output import check_writable
from .job_records import forget, remember
from .key_options import add_key_options
from .paid_job import Declined, before_paid_job

if TYPE_CHECKING:
    from ..capabilities import Kind, QueuedJobCapability
    from ..context import ProviderContext
    from ..host import Host
    from ..media_jobs import Job, JobProgress, MusicRequest, Quote, VideoRequest
    from ..plugins import Registry
    from ..secret import SecretStr

MAX_BYTES = 2 * 1024**3  # the host's cap on any job's file; a provider may hold a lower one
TICK = 0.25
ERASE = "\r\x1b[K"
EXTENSIONS = {
    "video/mp4": ".mp4", "video/webm": ".webm", "video/quicktime": ".mov",
    "audio/mpeg": ".mp3", "audio/wav": ".wav", "audio/x-wav": ".wav", "audio/flac": ".flac",
    "audio/ogg": ".ogg",
}  # fmt: skip


def add_job_options(p: argparse.ArgumentParser, registry: Registry | None, output: str) -> None:
    p.add_argument("--model", "-m", metavar="PROVIDER/MODEL", help="default: the provider's")
    p.add_argument("--output", "-o", metavar="PATH", default=output, help="file to write")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.add_argument("--yes", "-y", action="store_true", help="queue without asking (it is paid)")
    p.add_argument("--quote", action="store_true", help="show the price only; queue nothing")
    p.add_argument(
        "--resume", metavar="JOB_ID", help="download a job queued earlier (-m: its model)"
    )
    p.add_argument(
        "--wait", type=float, default=30.0, metavar="MINUTES",
        help="stop waiting after this long (the job goes on; default 30)",
    )  # fmt: skip
    p.add_argument("--json", action="store_true", help="print what was written as JSON")
    add_key_options(p, registry)


def run_job(
    host: Host,
    args: argparse.Namespace,
    kind: Kind,
    request: VideoRequest | MusicRequest | None,
    what: str,
) -> int:
    """``request`` None: only ``--resume`` (no prompt given)."""
    output = Path(args.output)
    if output.exists() and not args.force and not args.quote:
        raise UsageError(f"{output} already exists; pick another -o or add --force")
    if not args.quote:
        check_writable(output.parent)  # before anything is queued (and paid for)
    if args.wait <= 0:
        raise UsageError("--wait must be a positive number of minutes")
    provider_id, model_id = pick_provider(host, kind, args.model)
    jobs = cast("QueuedJobCapability", host.registry.capability(kind, provider_id))
    run = _Run(host, args, kind, what, output)
    if args.resume:
        from ..media_jobs import Job
        from .job_records import recall

        job_id = args.resume.strip()
        recorded = recall(host, provider_id, kind, job_id)  # queued here: model, link
        if not model_id and recorded is None:
            raise UsageError(
                "--resume needs the job's model too: -m PROVIDER/MODEL (both were shown when "
                "the job was queued; no record of this job here)"
            )
        if recorded is not None and (not model_id or recorded.model == model_id):
            run.job = recorded
        else:
            run.job = Job(provider_id, kind, model_id or "", job_id)
    elif request is None:
        raise UsageError(f"say what to make (a prompt), or --resume JOB_ID for {what}")
    ctx, key = call_context(host, provider_id)
    if run.job is None:
        assert request is not None
        request = request._replace(model=model_id)
        run.quote = asyncio.run(jobs.quote(ctx, key, request))
        if args.quote:
            return run.show_quote(run.quote)
        try:  # outside the event loop: Ctrl-C at the question is a plain interrupt
            before_paid_job(host, provider_id, run.quote, what, args.yes, key)
        except Declined:
            host.err("Nothing was queued; nothing was paid.")
            return 1
    elif args.quote:
        raise UsageError("--quote prices a new job; leave out --resume")
    try:
        return asyncio.run(run.main(jobs, ctx, key, request))
    except KeyboardInterrupt:
        run.status.stop()
        if run.job is None:
            raise  # nothing queued: the usual "Interrupted."
        host.err("")
        host.err(f"Interrupted. The job goes on at {run.job.provider}; get it later with:")
        host.err(f"  {run.resume_command()}")
        return 130
    finally:
        run.status.stop()


class _Run:
    def __init__(
        self, host: Host, args: argparse.Namespace, kind: Kind, what: str, output: Path
    ) -> None:
        self.host, self.args, self.kind, self.what, self.output = host, args, kind, what, output
        self.job: Job | None = None
        self.quote: Quote | None = None
        self.status = _StatusLine(host.stderr)

    def resume_command(self) -> str:
        assert self.job is not None
        command = self.args.command_name
        words = ["openclaw", command, "--resume", self.job.id, "-m", self.job.ref,
                 "-o", str(self.output)]  # fmt: skip
        return shlex.join(words)

    async def main(
        self,
        jobs: QueuedJobCapability,
        ctx: ProviderContext,
        key: SecretStr,
        request: VideoRequest | MusicRequest | None,
    ) -> int:
        if self.job is None:
            assert request is not None
            queued = asyncio.ensure_future(jobs.queue(ctx, key, request))
            try:
                self.job = await asyncio.shield(queued)
            except asyncio.CancelledError:  # Ctrl-C while the paid request is out: let it
                self.job = await queued  # answer, so its id is known (a 2nd Ctrl-C: at once)
                remember(self.host, self.job)
                raise KeyboardInterrupt from None
            remember(self.host, self.job)
            self.host.err(f"queued {self.job.ref} job {self.job.id}; Ctrl-C leaves it running "
                          f"(resume: {self.resume_command()})")  # fmt: skip
        progress = await self._follow(jobs, ctx, key, self.job)
        completed = await _complete(self.host, jobs, ctx, key, self.job)
        forget(self.host, self.job)  # saved: nothing left to resume
        self._report(progress, completed)
        return 0

    def show_quote(self, quote: Quote) -> int:
        if self.args.json:
            self.host.out(json.dumps({"model": quote.model, "price": quote.price,
                                      "currency": quote.currency}))  # fmt: skip
        else:
            self.host.out(quote.describe())
        return 0

    async def _follow(
        self, jobs: QueuedJobCapability, ctx: ProviderContext, key: SecretStr, job: Job
    ) -> JobProgress:
        """Poll until done, the file in a temporary file renamed to the output."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.args.wait * 60
        directory = self.output.parent if str(self.output.parent) else Path(".")
        fd, tmp = tempfile.mkstemp(prefix=f".{self.output.name}.", dir=directory)
        handle = os.fdopen(fd, "w+b")
        self.status.start(job.ref, handle)
        try:
            while True:
                progress = await jobs.retrieve(ctx, key, job, handle, MAX_BYTES)
                if progress.done:
                    break
                self.status.processing(progress)
                delay = poll_delay(progress)
                if loop.time() + delay > deadline:
                    raise ProviderError(
                        f"{job.ref} job {job.id} is not done after {self.args.wait:g} min; it "
                        f"goes on at {job.provider}: get it later with `{self.resume_command()}`"
                    )
                await asyncio.sleep(delay)
            handle.flush()
            os.chmod(tmp, 0o644 & ~_umask())
            os.replace(tmp, self.output)
        finally:
            self.status.stop()
            handle.close()
            Path(tmp).unlink(missing_ok=True)
        return progress

    def _report(self, progress: JobProgress, completed: bool) -> None:
        suffix = EXTENSIONS.get(progress.mime_type or "")
        if suffix and self.output.suffix.lower() != suffix and not (
            suffix == ".mp3" and self.output.suffix.lower() == ".mpeg"
        ):
            self.host.warn(f"{self.output} holds {progress.mime_type} (usually *{suffix})")
        if self.args.json:
            assert self.job is not None
            payload: dict[str, Any] = {
                "file": str(self.output),
                "provider": self.job.provider,
                "model": self.job.model,
                "jobId": self.job.id,
                "bytes": progress.size,
                "mimeType": progress.mime_type,
                "price": None if self.quote is None else self.quote.price,
                "currency": None if self.quote is None else self.quote.currency,
                "completed": completed,
            }
            self.host.out(json.dumps(payload, indent=2))
        else:
            self.host.out(str(self.output))


async def _complete(
    host: Host, jobs: QueuedJobCapability, ctx: ProviderContext, key: SecretStr, job: Job
) -> bool:
    """Tell the provider the file is saved; a failure here is a warning (the file is ours)."""
    try:
        done = await jobs.complete(ctx, key, job)
    except OpenClawError as exc:
        host.warn(f"saved, but {job.provider} was not told it may delete its copy: {exc}")
        return False
    if not done:
        host.warn(f"saved, but {job.provider} did not delete its copy yet")
    return done


def poll_delay(progress: JobProgress) -> float:
    """Seconds before asking again: a quarter of the expected time left, 1 to 10 s; 5 s
    once the job runs past what the provider expected (no knowing how much longer)."""
    if progress.expected is None or progress.elapsed is None:
        return 2.0
    left = progress.expected - progress.elapsed
    if left <= 0:
        return 5.0
    return min(max(left / 4, 1.0), 10.0)


class _StatusLine:
    """One line on stderr, rewritten in place, on a terminal only."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.enabled = is_terminal(stream)
        self._task: asyncio.Task[None] | None = None
        self._shown = False
        self._ref = ""
        self._handle: IO[bytes] | None = None
        self._progress: JobProgress | None = None
        self._at = 0.0
        self._elapsed = 0.0  # the most shown so far: the line never counts back

    def start(self, ref: str, handle: IO[bytes]) -> None:
        self._ref, self._handle = ref, handle
        if self.enabled:
            self._task = asyncio.get_running_loop().create_task(self._tick())

    def processing(self, progress: JobProgress) -> None:
        self._progress, self._at = progress, time.monotonic()

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self._shown:
            self.stream.write(ERASE)
            self.stream.flush()
            self._shown = False

    async def _tick(self) -> None:
        while True:
            self._draw()
            await asyncio.sleep(TICK)

    def _draw(self) -> None:
        text = self.text()
        self.stream.write(f"{ERASE}{safe_text(text)}")
        self.stream.flush()
        self._shown = True

    def text(self) -> str:
        written = self._handle.tell() if self._handle is not None else 0
        if written:
            return f"{self._ref}: downloading… {_size(written)}"
        progress = self._progress
        if progress is None or progress.elapsed is None:
            return f"{self._ref}: queued, waiting…"
        # between looks the time runs on here; a look saying less does not take it back
        elapsed = self._elapsed = max(self._elapsed, progress.elapsed + time.monotonic() - self._at)
        if progress.expected:
            share = min(elapsed / progress.expected, 0.99)
            bar = "#" * int(share * 20)
            return (f"{self._ref}: processing… {_duration(elapsed)} of about "
                    f"{_duration(progress.expected)} [{bar:<20}]")  # fmt: skip
        return f"{self._ref}: processing… {_duration(elapsed)}"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"


def _size(count: int) -> str:
    return f"{count / 2**20:.1f} MB" if count >= 2**20 else f"{count / 1024:.0f} KB"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
