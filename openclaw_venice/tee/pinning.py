"""Holding the enclave to the policy: is this TD *Venice's* enclave, not just *an* enclave?

Each check is a pure function returning a ``Check``; a failed one names the field, its value
and what to do. Trust runs bottom up: Intel's signature covers the quote; MRSEAM (Intel's TDX
module), MRTD, RTMR1 and RTMR2 (the dstack OS) are held to the policy; a genuine dstack OS
extends RTMR3 honestly, so once the event log replays to the quote's RTMRs, the app id, key
provider and compose hash read from its RTMR3 events are the TD's own, and are held to the
policy in turn.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import eventlog
from .eventlog import Event, EventLogError
from .policy import EnclavePolicy
from .quote import TdxQuote
from .report import Check
from .workload import WorkloadError, allowed_envs, compose_file, compose_images

#: docker compose's own variables: another compose file, env file, profile or daemon
STEERING_ENVS = frozenset({"COMPOSE_FILE", "COMPOSE_ENV_FILES", "COMPOSE_PROFILES",
                           "DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG"})  # fmt: skip


def local(name: str, passed: bool, detail: str) -> Check:
    return Check(name, passed, "local", detail)


@dataclass
class Measured:
    """What the replayed event log says about the TD (empty when it did not replay)."""

    events: tuple[Event, ...] = ()
    runtime: dict[str, bytes] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.runtime)


def tcb_info(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    info = doc.get("info")
    tcb = info.get("tcb_info") if isinstance(info, Mapping) else None
    if isinstance(tcb, str):
        try:
            tcb = json.loads(tcb)
        except (ValueError, RecursionError):
            tcb = None
    return tcb if isinstance(tcb, Mapping) else {}


def check_event_log(doc: Mapping[str, Any], quote: TdxQuote) -> tuple[Check, Measured]:
    """The log replays to the quote's four RTMRs, every RTMR3 event is measured as dstack
    measures it, the two copies of the log and ``tcb_info``'s RTMRs agree with the quote, and
    what ``info`` claims about the app is what RTMR3 measured."""
    tcb = tcb_info(doc)
    try:
        events = eventlog.read_log(doc.get("event_log"))
        if "event_log" in tcb and eventlog.read_log(tcb["event_log"]) != events:
            raise EventLogError("event_log and tcb_info.event_log differ")
        replayed = eventlog.replay(events)
        for index, (mine, theirs) in enumerate(zip(replayed, quote.rtmrs, strict=True)):
            if mine != theirs:
                raise EventLogError(f"the event log does not replay to the quote's RTMR{index}")
            stated = tcb.get(f"rtmr{index}")
            if not isinstance(stated, str) or stated.lower() != theirs.hex():
                raise EventLogError(f"tcb_info.rtmr{index} is not the quote's RTMR{index}")
        wrong = eventlog.mismeasured(events)
        if wrong is not None:
            raise EventLogError(f"RTMR3 event '{wrong.name}' digest is not its hash")
        runtime = eventlog.runtime_events(events)
        _agrees_with_info(doc, runtime)
    except EventLogError as exc:
        return local("event_log", False, str(exc)), Measured()
    detail = f"{len(events)} events replay to RTMR0-3; RTMR3 events measured as dstack does"
    return local("event_log", True, detail), Measured(events, runtime)


def _agrees_with_info(doc: Mapping[str, Any], runtime: Mapping[str, bytes]) -> None:
    """``info``'s app fields are claims; each one given must be what RTMR3 measured."""
    info = doc.get("info")
    if not isinstance(info, Mapping):
        return
    claims = {"app_id": "app-id", "instance_id": "instance-id", "compose_hash": "compose-hash",
              "os_image_hash": "os-image-hash"}  # fmt: skip
    for where, block in (("info", info), ("tcb_info", tcb_info(doc))):
        for key, event in claims.items():
            value = block.get(key)
            if value is not None and str(value).lower() != runtime[event].hex():
                raise EventLogError(f"{where}.{key} is not RTMR3's {event}")
    provider = info.get("key_provider_info")
    if provider is not None and _key_provider(provider) != _key_provider(runtime["key-provider"]):
        raise EventLogError("info.key_provider_info is not RTMR3's key-provider")


def _key_provider(value: Any) -> tuple[str, str] | None:
    try:
        parsed = json.loads(value) if isinstance(value, str | bytes) else value
    except (ValueError, RecursionError, UnicodeDecodeError):
        return None
    if not isinstance(parsed, Mapping):
        return None
    return str(parsed.get("name", "")), str(parsed.get("id", "")).lower()


def check_mrseam(quote: TdxQuote, policy: EnclavePolicy) -> Check:
    name = policy.mrseam.get(quote.mrseam)
    if name is not None:
        return local("mrseam", True, name or "an allowed TDX module")
    return local("mrseam", False, f"MRSEAM {quote.mrseam.hex()} is no Intel TDX module the "
                 f"policy allows; {policy.fix()}")  # fmt: skip


def check_td_attributes(quote: TdxQuote, policy: EnclavePolicy) -> list[Check]:
    found = []
    for name, label, got, want in (
        ("td_attributes", "TD_ATTRIBUTES", quote.td_attributes, policy.td_attributes),
        ("xfam", "XFAM", quote.xfam, policy.xfam),
    ):
        ok = got == want
        detail = label + " " + got.hex() if ok else (
            f"{label} {got.hex()} is not the policy's {want.hex()}; {policy.fix()}"
        )
        found.append(local(name, ok, detail))
    zero = quote.mrowner == bytes(48) and quote.mrownerconfig == bytes(48)
    owner = "MROWNER and MROWNERCONFIG zero" if zero else (
        f"MROWNER {quote.mrowner.hex()} / MROWNERCONFIG {quote.mrownerconfig.hex()} are not zero: "
        "a TD owner this package does not know set them; pick another model"
    )
    found.append(local("td_owner", zero, owner))
    return found


def check_os_image(quote: TdxQuote, measured: Measured, policy: EnclavePolicy) -> Check:
    """MRTD, RTMR1, RTMR2 and the ``os-image-hash`` event: one dstack OS image's values."""
    same_mrtd = [i for i in policy.os_images if i.mrtd == quote.mrtd]
    if not same_mrtd:
        return local("os_image", False, f"MRTD {quote.mrtd.hex()} is no dstack OS image the "
                     f"policy allows; {policy.fix()}")  # fmt: skip
    fields: Sequence[tuple[str, str, bytes]] = (
        ("RTMR1", "rtmr1", quote.rtmrs[1]),
        ("RTMR2", "rtmr2", quote.rtmrs[2]),
    )
    for label, attr, value in fields:
        if not any(getattr(i, attr) == value for i in same_mrtd):
            return local("os_image", False, f"{label} {value.hex()} is not the kernel and boot "
                         f"of {same_mrtd[0].name}; {policy.fix()}")  # fmt: skip
    image = next(
        (i for i in same_mrtd if (i.rtmr1, i.rtmr2) == (quote.rtmrs[1], quote.rtmrs[2])), None
    )
    if image is None:
        return local("os_image", False, "RTMR1 and RTMR2 belong to different OS images")
    if not measured.ok:
        return local("os_image", False, "no replayed event log to read the OS image hash from")
    os_hash = measured.runtime["os-image-hash"]
    if os_hash != image.os_image_hash:
        return local("os_image", False, f"OS image hash {os_hash.hex()} is not "
                     f"{image.name}'s; {policy.fix()}")  # fmt: skip
    return local("os_image", True, f"{image.name} (MRTD, RTMR1, RTMR2, OS image hash)")


def check_app(measured: Measured, policy: EnclavePolicy) -> list[Check]:
    """The app id and its key provider (KMS), both from RTMR3."""
    if not measured.ok:
        reason = "no replayed event log to read the app from"
        return [local("app_id", False, reason), local("key_provider", False, reason)]
    app_id = measured.runtime["app-id"]
    apps = [a for a in policy.apps if a.app_id == app_id]
    if not apps:
        detail = f"app id {app_id.hex()} is no Venice app the policy allows; {policy.fix()}"
        return [local("app_id", False, detail),
                local("key_provider", False, "the app is not one the policy names")]  # fmt: skip
    app_check = local("app_id", True, f"{app_id.hex()} ({apps[0].name})")
    provider = _key_provider(measured.runtime["key-provider"])
    allowed = {(a.key_provider_name, a.key_provider_id.hex()) for a in apps}
    if provider in allowed:
        assert provider is not None
        return [app_check, local("key_provider", True, f"{provider[0]} {provider[1][:32]}…")]
    shown = f"{provider[0]} {provider[1]}" if provider else "unreadable"
    return [app_check, local("key_provider", False, f"key provider {shown} is not the one the "
                             f"policy names for app {app_id.hex()}; {policy.fix()}")]  # fmt: skip


def check_compose(doc: Mapping[str, Any], quote: TdxQuote, measured: Measured) -> Check:
    """MRCONFIGID = 01 || sha256(app_compose) || 15 zero bytes = the compose-hash event."""
    compose = tcb_info(doc).get("app_compose")
    try:
        encoded = compose.encode() if isinstance(compose, str) else None
    except UnicodeEncodeError:  # a lone surrogate, sent as a JSON escape
        encoded = None
    if encoded is None:
        return local("compose_hash", False, "no UTF-8 app_compose to match MRCONFIGID")
    digest = hashlib.sha256(encoded).digest()
    if quote.mrconfigid != b"\x01" + digest + bytes(15):
        return local("compose_hash", False, "MRCONFIGID is not 01 || sha256(app_compose) || zeros")
    if not measured.ok or measured.runtime["compose-hash"] != digest:
        return local("compose_hash", False, "RTMR3's compose-hash event is not sha256(app_compose)")
    return local("compose_hash", True, f"MRCONFIGID = RTMR3 compose-hash = {digest.hex()[:16]}…")


def check_images(doc: Mapping[str, Any], policy: EnclavePolicy) -> Check:
    compose = tcb_info(doc).get("app_compose")
    text = compose if isinstance(compose, str) else ""
    try:
        images = compose_images(compose_file(text))
    except WorkloadError as exc:
        return local("compose_images", False, f"{exc}; pick another model")
    settable = allowed_envs(text)
    steering = sorted(settable & STEERING_ENVS)
    if steering:
        return local("compose_images", False, f"the operator's encrypted env may set "
                     f"${steering[0]}, which changes what docker compose runs; pick another "
                     "model")  # fmt: skip
    for image in images:
        if image.variable in settable:
            return local("compose_images", False, f"image {image.reference} can be replaced "
                         f"through ${image.variable}, which the operator's encrypted env may "
                         "set; pick another model")  # fmt: skip
        if image.repository not in policy.repositories:
            return local("compose_images", False, f"image {image.reference} is from "
                         f"{image.repository}, not a repository the policy allows; "
                         f"{policy.fix()}")  # fmt: skip
        if image.digest is None and policy.require_digest:
            return local("compose_images", False, f"image {image.reference} is not pinned to a "
                         "digest (@sha256:…); pick another model")  # fmt: skip
    distinct = sorted({i.repository for i in images})
    return local("compose_images", True, f"{len(images)} digest-pinned: {', '.join(distinct)}")


def enclave_facts(
    doc: Mapping[str, Any], quote: TdxQuote, measured: Measured, policy: EnclavePolicy
) -> dict[str, Any]:
    """What the report lists about the enclave: from measured values only."""
    facts: dict[str, Any] = {"policyVersion": policy.version, "rtmr0": quote.rtmrs[0].hex(),
                             "mrseam": quote.mrseam.hex(), "mrtd": quote.mrtd.hex()}  # fmt: skip
    if measured.ok:
        runtime = measured.runtime
        provider = _key_provider(runtime["key-provider"])
        facts.update(
            appId=runtime["app-id"].hex(),
            instanceId=runtime["instance-id"].hex(),
            keyProvider=f"{provider[0]} {provider[1]}" if provider else "unreadable",
            osImageHash=runtime["os-image-hash"].hex(),
            composeHash=runtime["compose-hash"].hex(),
        )
    compose = tcb_info(doc).get("app_compose")
    try:
        images = compose_images(compose_file(compose if isinstance(compose, str) else ""))
        facts["composeImages"] = sorted({i.reference for i in images})
        facts["replaceableImages"] = sorted(
            f"{i.repository} (${{{i.variable}}})" for i in images if i.variable
        )
    except WorkloadError:
        facts["composeImages"] = []
    return facts
