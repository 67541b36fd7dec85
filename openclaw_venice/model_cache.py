"""The on-disk cache of ``/models`` answers and the memory of a recent failure.

One JSON file per base URL under the host's cache dir: ``{"fetchedAt", "baseUrl", "rows"}``.
Raw rows are kept, not merged models, so a newer bundle re-merges them. A corrupt or
unreadable file is treated as absent and replaced on the next success.
"""

# no `from __future__ import annotations`: a named tuple's string annotations are each
# compiled when the class is made (typing.ForwardRef), several times the cost of real ones
import contextlib
import json
import os
import time
import zlib
from pathlib import Path
from typing import Any, NamedTuple

from .runtime.plugins import make_private_dir, read_regular_file

CACHE_TTL_SECONDS = 3600.0
FAILURE_TTL_SECONDS = 60.0
MAX_CACHE_BYTES = 16 * 2**20  # a /models answer is ~100 KB; a bigger file is not ours


class CachedAnswer(NamedTuple):
    rows: list[Any]
    fetched_at: float

    def age(self, now: float | None = None) -> float:
        return (time.time() if now is None else now) - self.fetched_at


class ModelCache:
    def __init__(self, cache_dir: Path, base_url: str) -> None:
        # a name per base URL; both files record their URL, so names that collide only cost
        # a refetch (zlib, not hashlib: hashlib loads OpenSSL, a tenth of `models list`)
        digest = f"{zlib.crc32(base_url.encode()):08x}"
        self.base_url = base_url
        self.path = cache_dir / f"models-{digest}.json"
        self.failure_path = cache_dir / f"models-{digest}.failed"

    def read(self) -> CachedAnswer | None:
        try:
            payload = json.loads(read_regular_file(self.path, MAX_CACHE_BYTES))
            rows, fetched_at = payload["rows"], float(payload["fetchedAt"])
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return None  # RecursionError: rows nested about as deep as the parser goes
        if not isinstance(rows, list) or payload.get("baseUrl") != self.base_url:
            return None
        return CachedAnswer(rows, fetched_at)

    def write(self, rows: list[Any]) -> None:
        payload = {"fetchedAt": time.time(), "baseUrl": self.base_url, "rows": rows}
        try:
            text = json.dumps(payload, separators=(",", ":"))
        except (ValueError, RecursionError):
            text = None  # rows nested about as deep as the encoder goes: not worth caching
        if text is not None:
            _write_private(self.path, text)
        self.failure_path.unlink(missing_ok=True)

    def failed_recently(self, now: float | None = None) -> bool:
        try:
            failed_at = self.failure_path.stat().st_mtime
            recorded = read_regular_file(self.failure_path, MAX_CACHE_BYTES).decode("utf-8")
            if recorded != self.base_url:
                return False  # another base URL's failure, of the same file name
        except (OSError, ValueError):
            return False
        return 0 <= (time.time() if now is None else now) - failed_at < FAILURE_TTL_SECONDS

    def remember_failure(self) -> None:
        # remembering is an optimisation; failing to is not an error
        with contextlib.suppress(OSError):
            _write_private(self.failure_path, self.base_url)


def _write_private(path: Path, text: str) -> None:
    make_private_dir(path.parent)
    import tempfile  # imported here: most commands never need it

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
