"""What the image commands share: the file names they take, the one-line report of what the
provider said about an image (privacy, blurred, content violation), and writing a result whole
(a temporary file renamed into place) into a directory checked for it beforehand."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageError

if TYPE_CHECKING:
    from ..host import Host
    from ..media import ImageResult

EXTENSIONS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".webp": "webp"}
PRIVACY = {
    "private": "private: nothing stored or logged",
    "anonymized": "anonymized: proxied without identifying you; the model's host may keep it",
}


def report(host: Host, provider_id: str, result: ImageResult) -> None:
    privacy = PRIVACY.get(result.privacy or "", "privacy not stated by the provider")
    host.err(f"{provider_id}/{result.model} ({privacy})")
    if result.blurred:
        host.warn("the provider blurred the image: safe mode judged it adult content")
    if result.content_violation:
        host.warn("the provider flagged the image as a content violation of its terms")


def check_writable(directory: Path) -> None:
    """A file can be made in ``directory`` (made and removed, as writing will): else a
    one-line :class:`UsageError` before the provider is asked for anything."""
    where = directory if str(directory) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".openclaw-image-check.", dir=where)
    except OSError as exc:
        raise UsageError(
            f"cannot write into {where}: {exc.strerror or exc}; create it or pick another -o "
            "(nothing was generated)"
        ) from None
    os.close(fd)
    Path(tmp).unlink(missing_ok=True)


def write_whole(path: Path, data: bytes) -> Path:
    """``data`` at ``path``, whole or not at all."""
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
