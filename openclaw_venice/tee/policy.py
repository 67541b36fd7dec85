"""What a Venice enclave is: the identity policy an attestation is held to.

The packaged policy (``openclaw_venice/data/tee_policy.json``, versioned, each value citing its
public source; docs/tee-policy.md) names the dstack OS images (MRTD, RTMR1, RTMR2, OS image
hash, as sets: one image's values together), the Intel TDX modules (MRSEAM), the dstack apps
with their key provider (KMS) read from RTMR3, the image repositories a compose may pull
(digest-pinned), TD_ATTRIBUTES, XFAM and the TCB statuses that pass. RTMR0 (the VM's
hardware configuration) and the compose hash change with every deployment: they are shown,
not pinned; the compose's images are held to the repositories instead.

A user file of the same shape (the host's state dir, ``providers/venice/tee_policy.json``)
adds to the lists, or with ``"replace": true`` replaces them; its ``tdAttributes``, ``xfam``
and ``tcb`` replace the packaged ones. ``VENICE_TEE_ACCEPT_TCB`` (comma-separated statuses)
accepts more TCB statuses for one run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path
from typing import Any

from .report import TcbPolicy

POLICY_FILE_NAME = "tee_policy.json"
ACCEPT_TCB_ENV_VAR = "VENICE_TEE_ACCEPT_TCB"
FORMAT = 1
_HEX = re.compile(r"[0-9a-f]*")
_LISTS = ("osImages", "mrseam", "apps", "images")


class PolicyError(ValueError):
    """The user's policy file cannot be used (one line: which file, why, what to do)."""


@dataclass(frozen=True, slots=True)
class OsImage:
    name: str
    mrtd: bytes
    rtmr1: bytes
    rtmr2: bytes
    os_image_hash: bytes


@dataclass(frozen=True, slots=True)
class App:
    name: str
    app_id: bytes
    key_provider_name: str
    key_provider_id: bytes


@dataclass(frozen=True, slots=True)
class EnclavePolicy:
    version: str  # "1" for the packaged policy; "1+user" with the user's file on top
    os_images: tuple[OsImage, ...]
    mrseam: Mapping[bytes, str]  # value -> name
    apps: tuple[App, ...]
    repositories: frozenset[str]
    require_digest: bool
    td_attributes: bytes
    xfam: bytes
    tcb: TcbPolicy
    user_file: Path | None = None  # where the user's own file is (or would be)
    notes: tuple[str, ...] = field(default=())

    def fix(self) -> str:
        """What to do when a value is outside the policy: the end of a failure line."""
        where = str(self.user_file) if self.user_file else "a user policy file"
        return (
            "if Venice deployed a new enclave, update openclaw-venice, or add the value to "
            f"{where} (see docs/tee-policy.md)"
        )


def packaged_text() -> str:
    return files("openclaw_venice").joinpath("data", "tee_policy.json").read_text("utf-8")


def load_policy(
    user_file: Path | None = None, env: Mapping[str, str] | None = None
) -> EnclavePolicy:
    """The packaged policy, with ``user_file`` on top when it exists and ``env``'s
    ``VENICE_TEE_ACCEPT_TCB`` last. Raises :class:`PolicyError` for a bad user file."""
    data: dict[str, Any] = json.loads(packaged_text())
    version = str(data["version"])
    if user_file is not None and user_file.exists():
        try:
            data = merged(data, _read_user(user_file))
        except (TypeError, ValueError, AttributeError) as exc:
            if isinstance(exc, PolicyError):
                raise
            raise PolicyError(
                f"{user_file} is not a TEE policy this version reads ({exc}); fix it "
                "(docs/tee-policy.md) or remove it"
            ) from None
        version += "+user"
    policy = _build(data, "the packaged policy", user_file, version)
    accept = (env or {}).get(ACCEPT_TCB_ENV_VAR, "")
    if accept.strip():
        policy = replace(policy, tcb=_accept_more(policy.tcb, accept))
    return policy


MAX_USER_BYTES = 16 * 2**20  # far above any policy; /dev/zero would never end


def _read_user(path: Path) -> dict[str, Any]:
    from ..runtime.plugins import read_regular_file

    try:
        value = json.loads(read_regular_file(path, MAX_USER_BYTES))
    except OSError as exc:
        if exc.strerror is None:  # refused unread: a FIFO, a device, a directory, too large
            raise PolicyError(f"{exc}; fix or remove it") from None
        raise PolicyError(f"cannot read {path} ({exc.strerror}); fix or remove it") from None
    except (ValueError, RecursionError) as exc:
        raise PolicyError(f"{path} is not valid JSON ({exc}); fix or remove it") from None
    if not isinstance(value, dict):
        raise PolicyError(f"{path} is not a JSON object; fix or remove it")
    if value.get("format", FORMAT) != FORMAT:
        raise PolicyError(f"{path} has format {value.get('format')!r}, this version reads 1")
    return value


def merged(base: Mapping[str, Any], user: Mapping[str, Any]) -> dict[str, Any]:
    """``user`` on top of ``base``: lists extended (replaced with ``"replace": true``),
    ``tdAttributes``, ``xfam`` and ``tcb`` replaced, anything else ignored."""
    out = dict(base)
    swap = user.get("replace") is True
    for key in ("osImages", "mrseam", "apps"):
        if key in user:
            extra = user[key] if isinstance(user[key], list) else [user[key]]
            out[key] = list(extra) if swap else [*base.get(key, []), *extra]
    if isinstance(user.get("images"), Mapping):
        images = dict(base.get("images", {}))
        theirs = user["images"]
        if "repositories" in theirs:
            repos = list(theirs["repositories"])
            images["repositories"] = repos if swap else [*images.get("repositories", []), *repos]
        if "requireDigest" in theirs:
            images["requireDigest"] = theirs["requireDigest"]
        out["images"] = images
    for key in ("tdAttributes", "xfam", "tcb"):
        if key in user:
            out[key] = user[key]
    return out


def _build(
    data: Mapping[str, Any], origin: str, user_file: Path | None, version: str
) -> EnclavePolicy:
    where = str(user_file) if user_file is not None and user_file.is_file() else origin
    try:
        images = data["images"]
        return EnclavePolicy(
            version=version,
            os_images=tuple(_os_image(item) for item in data["osImages"]),
            mrseam={_reg(i["value"], 48): str(i.get("name", "")) for i in data["mrseam"]},
            apps=tuple(_app(item) for item in data["apps"]),
            repositories=frozenset(_repo(item) for item in images["repositories"]),
            require_digest=images.get("requireDigest", True) is not False,
            td_attributes=_reg(_value(data["tdAttributes"]), 8),
            xfam=_reg(_value(data["xfam"]), 8),
            tcb=_tcb(data["tcb"]),
            user_file=user_file,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        reason = f"no {exc}" if isinstance(exc, KeyError) else str(exc)
        raise PolicyError(
            f"{where} is not a TEE policy this version reads ({reason}); fix it "
            "(docs/tee-policy.md) or remove it"
        ) from None


def _value(item: Any) -> Any:
    return item["value"] if isinstance(item, Mapping) else item


def _reg(text: Any, size: int) -> bytes:
    if not isinstance(text, str) or len(text) != 2 * size or not _HEX.fullmatch(text.lower()):
        raise ValueError(f"{text!r} is not {size} bytes of hex")
    return bytes.fromhex(text)


def _os_image(item: Mapping[str, Any]) -> OsImage:
    return OsImage(
        name=str(item.get("name", "")),
        mrtd=_reg(item["mrtd"], 48),
        rtmr1=_reg(item["rtmr1"], 48),
        rtmr2=_reg(item["rtmr2"], 48),
        os_image_hash=_reg(item["osImageHash"], 32),
    )


def _app(item: Mapping[str, Any]) -> App:
    provider = item["keyProvider"]
    return App(
        name=str(item.get("name", "")),
        app_id=_reg(item["appId"], 20),
        key_provider_name=str(provider["name"]),
        key_provider_id=bytes.fromhex(str(provider["id"])),
    )


def _repo(item: Any) -> str:
    name = item["repository"] if isinstance(item, Mapping) else item
    if not isinstance(name, str) or not name or "@" in name or ":" in name.rsplit("/", 1)[-1]:
        raise ValueError(f"{name!r} is not an image repository (no tag, no digest)")
    return normal_repository(name)


def normal_repository(name: str) -> str:
    """Docker Hub's spellings of one repository as one: ``docker.io/library/x`` = ``x``."""
    for prefix in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    return name.removeprefix("library/")


def _tcb(item: Mapping[str, Any]) -> TcbPolicy:
    from .dcap import TCB_STATUSES

    accept = frozenset(str(s) for s in item["accept"])
    quiet = frozenset(str(s) for s in item.get("quiet", ["UpToDate"]))
    unknown = sorted((accept | quiet) - set(TCB_STATUSES))
    if unknown:
        raise ValueError(f"unknown TCB status {unknown[0]!r}")
    return TcbPolicy(reject=frozenset(TCB_STATUSES) - accept, quiet=quiet & accept)


def _accept_more(tcb: TcbPolicy, listed: str) -> TcbPolicy:
    from .dcap import TCB_STATUSES

    names = {part.strip() for part in listed.split(",") if part.strip()}
    unknown = sorted(names - set(TCB_STATUSES))
    if unknown:
        raise PolicyError(
            f"{ACCEPT_TCB_ENV_VAR} names {unknown[0]!r}, not a TCB status; use some of "
            f"{', '.join(TCB_STATUSES)}"
        )
    return TcbPolicy(reject=tcb.reject - names, quiet=tcb.quiet)
