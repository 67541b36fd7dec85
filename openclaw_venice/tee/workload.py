"""What the enclave runs: the images its attested compose pulls, and the workload attestation
(``compose_manager_attestation``) naming what the compose's loader deployed since.

Facts (e2ee.md, the two real captures): the attested ``app_compose`` (its sha256 is
MRCONFIGID and the ``compose-hash`` event) holds ``docker_compose_file``, whose services run a
loader (``compose-manager``) with ``datadog-agent`` and ``certbot``. The loader deploys the
inference containers at run time and records each step in an action log;
``compose_manager_attestation`` carries that log and a second quote from the same TD whose
REPORTDATA is sha256(the log) || our nonce. The log is hashed as compact JSON in the loader's
own field order (``timestamp, action, tag, commit, file, file_sha256, services, container,
image``): the later capture sends it in that order, the earlier one with its keys sorted, and
both hash to their ``actions_hash`` in the loader's order.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .policy import normal_repository
from .quote import TdxQuote
from .report import Check

_IMAGE_LINE = re.compile(r"""^[ \t]*-?[ \t]*["']?image["']?[ \t]*:[ \t]*(.*?)[ \t]*$""")
_IMAGE_KEY = re.compile(r"""["']?\bimage["']?[ \t]*:""")
#: keys that take a service from somewhere this check cannot see: a build in the enclave,
#: another file's service, another compose file; anywhere on a line (flow mappings too)
_ELSEWHERE_KEY = re.compile(r"""(?:^|[\s{,?])["']?(build|extends|include)["']?[ \t]*:""")
_EXPLICIT_KEY = re.compile(r"^[ \t]*(?:-[ \t]+)?\?(?:[ \t]|$)")  # YAML's "? key" form
_ESCAPED_KEY = re.compile(r'"[^"]*\\[^"]*"[ \t]*:')  # "imag\u0065": a key spelled by escapes
_DEFAULTED = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*):?-(.+)\}$")
_DIGEST = re.compile(r"^(?P<repo>[^@\s]+?)(?::[\w][\w.-]{0,127})?@sha256:(?P<digest>[0-9a-f]{64})$")
#: the loader's field order for an action (its JSON as the later capture sends it)
ACTION_FIELDS = ("timestamp", "action", "tag", "commit", "file", "file_sha256", "services",
                 "container", "image")  # fmt: skip


class WorkloadError(ValueError):
    """The compose or the action log cannot be read (one line)."""


@dataclass(frozen=True, slots=True)
class Image:
    reference: str  # as the compose writes it (the default of ``${VAR:-…}``)
    repository: str  # normalised (Docker Hub's ``library/`` and host dropped)
    digest: str | None  # the sha256 hex it is pinned to, or None
    variable: str | None = None  # ``${VAR:-…}``: the variable that may replace it


def compose_file(app_compose: str) -> str:
    """The docker compose text inside dstack's ``app_compose`` JSON."""
    try:
        value = json.loads(app_compose)
    except (ValueError, RecursionError):
        raise WorkloadError("app_compose is not JSON") from None
    text = value.get("docker_compose_file") if isinstance(value, Mapping) else None
    if not isinstance(text, str):
        raise WorkloadError("app_compose has no docker_compose_file")
    runner = value.get("runner")
    if runner != "docker-compose":  # dstack's "bash" runner ignores the compose file
        raise WorkloadError(f"app_compose's runner is {runner!r}, not the compose")
    return text


def allowed_envs(app_compose: str) -> frozenset[str]:
    """The variables the deployment's encrypted env may set (dstack's ``allowed_envs``)."""
    try:
        value = json.loads(app_compose)
    except (ValueError, RecursionError):
        return frozenset()
    names = value.get("allowed_envs") if isinstance(value, Mapping) else None
    if not isinstance(names, list):
        return frozenset()
    return frozenset(n for n in names if isinstance(n, str))


def compose_images(text: str) -> tuple[Image, ...]:
    """Every ``image:`` of a compose file. Fails closed: an ``image`` key this reader cannot
    see as one plain line (flow style, a value on the next line, an explicit ``?`` key, a key
    spelled with escapes), a ``build:`` (an image built in the enclave from whatever source),
    ``extends:`` or ``include:`` (services from another file) is an error, not a skipped
    service."""
    found: list[Image] = []
    lines = [_uncommented(line) for line in text.splitlines()]
    for line in lines:
        elsewhere = _ELSEWHERE_KEY.search(line)
        if elsewhere:
            raise WorkloadError(f"the compose takes a service from elsewhere "
                                f"({elsewhere.group(1)}:)")  # fmt: skip
        if _EXPLICIT_KEY.match(line) or _ESCAPED_KEY.search(line):
            raise WorkloadError("the compose has a key in a form this check cannot read")
    keys = sum(len(_IMAGE_KEY.findall(line)) for line in lines)
    for line in lines:
        match = _IMAGE_LINE.match(line)
        if match is None:
            continue
        value = match.group(1).strip().strip("\"'")
        if not value or _IMAGE_KEY.search(value):
            raise WorkloadError("the compose has an image line this check cannot read")
        found.append(_image(value))
    if keys != len(found):
        raise WorkloadError("the compose names an image in a form this check cannot read")
    if not found:
        raise WorkloadError("the compose names no image")
    return tuple(found)


def _uncommented(line: str) -> str:
    if line.lstrip().startswith("#"):
        return ""
    kept = line.split(" #", 1)[0]
    if kept != line and (kept.count('"') % 2 or kept.count("'") % 2):
        # " #" inside a quoted string is no comment: what follows it is still YAML
        raise WorkloadError("the compose has a line this check cannot read (# in quotes)")
    return kept


def _image(value: str) -> Image:
    variable = None
    defaulted = _DEFAULTED.match(value)
    if defaulted:
        variable, value = defaulted.group(1), defaulted.group(2)
    match = _DIGEST.match(value)
    if match is None:
        name = value.split("@", 1)[0]
        last = name.rsplit("/", 1)
        if ":" in last[-1]:
            name = name[: len(name) - len(last[-1]) + last[-1].index(":")]
        return Image(value, _repository(name), None, variable)
    return Image(value, _repository(match.group("repo")), match.group("digest"), variable)


def _repository(name: str) -> str:
    first = name.split("/", 1)[0]
    if "/" in name and ("." in first or ":" in first) and not first.startswith("docker.io"):
        return name  # another registry: kept whole, so it matches only if listed whole
    return normal_repository(name)


# -- the workload attestation ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Workload:
    actions: tuple[Mapping[str, Any], ...]
    actions_hash: bytes
    raw_quote: bytes


def read_workload(value: Any) -> Workload:
    if not isinstance(value, Mapping):
        raise WorkloadError("compose_manager_attestation is not an object")
    actions = value.get("actions")
    if not isinstance(actions, list) or not all(isinstance(a, Mapping) for a in actions):
        raise WorkloadError("compose_manager_attestation has no action list")
    quote = value.get("quote")
    if not isinstance(quote, str):
        raise WorkloadError("compose_manager_attestation has no quote")
    from .quote import QuoteFormatError, decode_quote_text

    try:
        raw = decode_quote_text(quote)
    except QuoteFormatError as exc:
        raise WorkloadError(f"the workload quote: {exc}") from None
    try:
        digest = bytes.fromhex(str(value.get("actions_hash", "")))
    except ValueError:
        digest = b""
    return Workload(tuple(actions), digest, raw)


def actions_digest(actions: Sequence[Mapping[str, Any]]) -> tuple[bytes, bytes]:
    """sha256 of the log as compact JSON: as sent, and in the loader's field order."""

    def compact(items: Sequence[Mapping[str, Any]]) -> bytes:
        return json.dumps(list(items), separators=(",", ":"), ensure_ascii=False).encode()

    ordered = [
        {**{k: a[k] for k in ACTION_FIELDS if k in a}, **{k: v for k, v in a.items()
                                                          if k not in ACTION_FIELDS}}
        for a in actions
    ]  # fmt: skip
    return hashlib.sha256(compact(actions)).digest(), hashlib.sha256(compact(ordered)).digest()


_LOADER_REPO = re.compile(r"^[ \t]*-[ \t]*GITHUB_REPO=(https://\S+)[ \t]*$", re.MULTILINE)


def loader_repository(doc: Mapping[str, Any]) -> str | None:
    """Where the loader takes the files it deploys: its ``GITHUB_REPO``, set in the attested
    compose (both captures: https://github.com/nearai/cvm-compose-files)."""
    info = doc.get("info")
    tcb = info.get("tcb_info") if isinstance(info, Mapping) else None
    compose = tcb.get("app_compose") if isinstance(tcb, Mapping) else None
    try:
        text = compose_file(compose) if isinstance(compose, str) else ""
    except WorkloadError:
        return None
    found = _LOADER_REPO.findall(text)
    return found[0] if len(found) == 1 else None


def deployed(actions: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The last ``compose_up``: the file (from the loader's compose repository), its tag,
    commit and sha256, and the services it started; the last loader image started."""
    up = next((a for a in reversed(actions) if a.get("action") == "compose_up"), None)
    if up is None:
        return None
    out = {k: up[k] for k in ("file", "tag", "commit", "file_sha256", "services", "timestamp")
           if k in up}  # fmt: skip
    loader = next(
        (a.get("image") for a in reversed(actions) if a.get("action") == "compose_manager_started"),
        None,
    )
    if isinstance(loader, str):
        out["loaderImage"] = loader
    return out


def check_workload(
    doc: Mapping[str, Any],
    quote: TdxQuote,
    nonce: bytes,
    signature_error: Callable[[bytes], str | None],
) -> tuple[Check, dict[str, Any] | None]:
    """``compose_manager_attestation``, when sent: a quote Intel signed (``signature_error``
    says why not, or None), from this very TD (every measured field of its report equal to
    the main quote's), binding sha256(the action log) and our nonce. Returns the check and
    what was deployed."""
    value = doc.get("compose_manager_attestation")
    if value is None:
        return Check("workload", True, "local", "not sent: the deployed workload is unknown"), None
    try:
        workload = read_workload(value)
        from .quote import QuoteFormatError, parse_quote

        try:
            theirs = parse_quote(workload.raw_quote)
        except QuoteFormatError as exc:
            raise WorkloadError(f"the workload quote: {exc}") from None
        if theirs.measured != quote.measured:
            raise WorkloadError("the workload quote is not from the attested TD")
        if theirs.reportdata[32:] != nonce or str(value.get("nonce", nonce.hex())) != nonce.hex():
            raise WorkloadError("the workload quote is stale: it binds another nonce")
        if theirs.reportdata[:32] != workload.actions_hash:
            raise WorkloadError("the workload quote does not bind actions_hash")
        try:
            digests = actions_digest(workload.actions)
        except (RecursionError, TypeError, ValueError):
            raise WorkloadError("the action log cannot be hashed (too deep, or not JSON)") from None
        if workload.actions_hash not in digests:
            raise WorkloadError("the action log sent is not the one the workload quote binds")
        if theirs.trailing is None or any(theirs.trailing):
            raise WorkloadError("the workload quote has bytes after its signature data")
        error = signature_error(workload.raw_quote)
        if error is not None:
            raise WorkloadError(f"the workload quote's signature: {error}")
    except WorkloadError as exc:
        return Check("workload", False, "local", f"{exc}; try again or pick another model"), None
    shown = deployed(workload.actions)
    source = loader_repository(doc)
    if shown is not None and source is not None:
        shown["repository"] = source  # the loader's, named by the attested compose
    detail = f"{len(workload.actions)} actions bound to this TD and our nonce"
    if shown is not None:
        detail += f"; deployed {shown.get('file')} {shown.get('tag', '')}".rstrip()
    return Check("workload", True, "local", detail), shown
