"""The jobs this machine queued and has not saved yet, one small JSON file each under
``<state dir>/jobs/`` (a directory only the user can read: a job may carry the provider's
pre-signed download link). ``openclaw video --resume ID`` finds the job's model (and that
link) here, so ``-m`` is needed only for a job queued elsewhere. A record is written when the
job is queued and removed once its file is saved; a record that cannot be written or read
is skipped with a warning (the printed resume command works without it)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..host import Host
    from ..media_jobs import Job

_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
MAX_RECORD = 64 * 1024


def _path(host: Host, provider: str, job_id: str) -> Path | None:
    if not _SAFE_ID.fullmatch(job_id) or not _SAFE_ID.fullmatch(provider):
        return None  # an id we would not put in a file name: no record
    return host.state_dir / "jobs" / f"{provider}--{job_id}.json"


def remember(host: Host, job: Job) -> None:
    from ..config_file import make_private_dir

    path = _path(host, job.provider, job.id)
    if path is None:
        return
    record = {"provider": job.provider, "kind": job.kind, "model": job.model, "id": job.id,
              "meta": dict(job.meta)}  # fmt: skip
    try:
        make_private_dir(path.parent)
        tmp = path.with_name(f".{path.name}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(record, handle)
        os.replace(tmp, path)
    except OSError as exc:
        host.warn(f"could not keep a record of job {job.id} ({exc.strerror or exc}); "
                  "resume it with the command shown")  # fmt: skip


def recall(host: Host, provider: str, kind: str, job_id: str) -> Job | None:
    """The record of ``job_id`` queued here for ``provider``'s ``kind``; None if none."""
    from ..config_file import read_regular
    from ..media_jobs import Job

    path = _path(host, provider, job_id)
    if path is None or not path.exists():
        return None
    try:
        record: Any = json.loads(read_regular(path, MAX_RECORD))
    except (OSError, ValueError) as exc:
        host.warn(f"skipping the record of job {job_id}: {exc}")
        return None
    fields = ("provider", "kind", "model", "id")
    if not isinstance(record, dict) or not all(isinstance(record.get(f), str) for f in fields):
        host.warn(f"skipping the record of job {job_id}: not one this command wrote")
        return None
    if record["id"] != job_id:
        return None
    if record["kind"] != kind:  # the command names the kind: video, music
        from ..errors import UsageError

        raise UsageError(
            f"job {job_id} was queued here as a {record['kind']} job ({record['model']}), not "
            f"a {kind} one; resume it with `openclaw {record['kind']} --resume {job_id}`"
        )
    meta = record.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    return Job(provider, kind, record["model"], job_id, None, meta)


def forget(host: Host, job: Job) -> None:
    path = _path(host, job.provider, job.id)
    if path is not None:
        path.unlink(missing_ok=True)
