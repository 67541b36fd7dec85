"""Every field of Venice's real attestation capture (tests/data/venice-api/tee/2026-04-24) that
the identity checks pin, changed one at a time: each change is refused by the check that pins
it, not only by Intel's signature (a field outside the signed quote, or a TD that really
measures another value, has no signature to break). Judged with that day's collateral at the
capture's time. Before issue 21, 29 such changes of the capture were accepted."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest

from openclaw_venice.tee import AttestationReport, verify_attestation
from openclaw_venice.tee.quote import HEADER_SIZE
from tests.support.attestation_edits import quote_with, set_path
from tests.support.tee_capture import capture, collateral

SIGNED = {"quote_signature", "tcb_status"}
NEEDS_LOG = {"event_log", "os_image", "app_id", "key_provider", "compose_hash"}
Edit = Callable[[dict[str, Any]], None]


def verify(doc: dict[str, Any]) -> AttestationReport:
    real = capture()
    return verify_attestation(doc, nonce=real.nonce, model=real.model,
                              collateral=collateral(), at=real.captured_at)  # fmt: skip


def body(offset: int) -> Edit:
    return quote_with(HEADER_SIZE + offset, xor=0x01)


def quote_tail(doc: dict[str, Any]) -> None:
    raw = bytearray(bytes.fromhex(doc["intel_quote"]))
    raw[-1] = 0x5A  # the padding after the signature data: not covered by any signature
    doc["intel_quote"] = raw.hex()


def both_logs(change: Callable[[list[dict[str, Any]]], None]) -> Edit:
    """The same change to ``event_log`` and ``tcb_info.event_log`` (they must agree)."""

    def edit(doc: dict[str, Any]) -> None:
        change(doc["event_log"])
        change(doc["info"]["tcb_info"]["event_log"])

    return edit


def event(name: str) -> Callable[[list[dict[str, Any]]], dict[str, Any]]:
    return lambda log: next(e for e in log if e["event"] == name)


def payload_only(log: list[dict[str, Any]]) -> None:
    event("app-id")(log)["event_payload"] = "00" * 20  # digest left as measured


def remeasured(log: list[dict[str, Any]]) -> None:
    entry = event("app-id")(log)
    entry["event_payload"] = "00" * 20
    head = entry["event_type"].to_bytes(4, "little") + b":app-id:"
    entry["digest"] = hashlib.sha384(head + bytes(20)).hexdigest()  # replays to another RTMR3


def boot_digest(log: list[dict[str, Any]]) -> None:
    log[0]["digest"] = "00" * 48


def tcb_log_differs(doc: dict[str, Any]) -> None:
    doc["info"]["tcb_info"]["event_log"] = doc["info"]["tcb_info"]["event_log"][:-1]


def actions_tampered(doc: dict[str, Any]) -> None:
    doc["compose_manager_attestation"]["actions"][-1]["tag"] = "v9.9.9"


PINNED: dict[str, tuple[Edit, set[str]]] = {
    # the TD report (signed: Intel's signature fails too, and the pinning check on its own)
    "MRSEAM": (body(16), {"mrseam", "workload", *SIGNED}),
    "TD_ATTRIBUTES": (body(125), {"td_attributes", "workload", *SIGNED}),
    "XFAM": (body(131), {"xfam", "workload", *SIGNED}),
    "MRTD": (body(136), {"mrtd", "os_image", "workload", *SIGNED}),
    "MRCONFIGID": (body(190), {"compose_hash", "workload", *SIGNED}),
    "MRCONFIGID padding": (body(230), {"compose_hash", "workload", *SIGNED}),
    "MROWNER": (body(232), {"td_owner", "workload", *SIGNED}),
    "MROWNERCONFIG": (body(280), {"td_owner", "workload", *SIGNED}),
    "RTMR0": (body(328), {*NEEDS_LOG, "workload", *SIGNED}),
    "RTMR1": (body(376), {*NEEDS_LOG, "workload", *SIGNED}),
    "RTMR2": (body(424), {*NEEDS_LOG, "workload", *SIGNED}),
    "RTMR3": (body(472), {*NEEDS_LOG, "workload", *SIGNED}),
    # outside Intel's signature: only the checks stand between them and acceptance
    "bytes after the signature data": (quote_tail, {"quote_tail"}),
    "no event log": (set_path("event_log", value=[]), NEEDS_LOG),
    "event log as text": (set_path("event_log", value="[]"), NEEDS_LOG),
    "tcb_info.event_log differs": (tcb_log_differs, NEEDS_LOG),
    "a boot event's digest": (both_logs(boot_digest), NEEDS_LOG),
    "an RTMR3 payload, digest kept": (both_logs(payload_only), NEEDS_LOG),
    "an RTMR3 event re-measured": (both_logs(remeasured), NEEDS_LOG),
    **{
        f"tcb_info.rtmr{i}": (set_path("info", "tcb_info", f"rtmr{i}", value="00" * 48), NEEDS_LOG)
        for i in range(4)
    },
    **{
        f"info.{key}": (set_path("info", key, value=value), NEEDS_LOG)
        for key, value in (
            ("app_id", "00" * 20),
            ("instance_id", "00" * 20),
            ("compose_hash", "00" * 32),
            ("os_image_hash", "00" * 32),
            ("key_provider_info", json.dumps({"name": "kms", "id": "00"})),
        )
    },
    **{
        f"tcb_info.{key}": (set_path("info", "tcb_info", key, value="00" * 32), NEEDS_LOG)
        for key in ("compose_hash", "os_image_hash")
    },
    "workload actions": (actions_tampered, {"workload"}),
    "workload actions_hash": (
        set_path("compose_manager_attestation", "actions_hash", value="00" * 32),
        {"workload"},
    ),
    "workload nonce": (
        set_path("compose_manager_attestation", "nonce", value="00" * 32),
        {"workload"},
    ),
    "workload quote REPORTDATA": (lambda d: _workload_quote(d, HEADER_SIZE + 560), {"workload"}),
    "workload quote from another TD": (
        lambda d: _workload_quote(d, HEADER_SIZE + 140),
        {"workload"},
    ),
    "Venice's verified": (set_path("verified", value=False), {"venice_verdict"}),
    "Venice's tdx.valid": (
        set_path("server_verification", "tdx", "valid", value=False),
        {"venice_verdict"},
    ),
}


def _workload_quote(doc: dict[str, Any], offset: int) -> None:
    workload = doc["compose_manager_attestation"]
    raw = bytearray(bytes.fromhex(workload["quote"]))
    raw[offset] ^= 1
    workload["quote"] = raw.hex()


def test_the_real_capture_passes_every_pinned_check() -> None:
    report = verify(copy.deepcopy(capture().document))
    assert report.passed, report.summary()
    pinned = {name for _, names in PINNED.values() for name in names} - SIGNED
    assert {c.name for c in report.checks} >= pinned


@pytest.mark.parametrize("field", list(PINNED))
def test_each_pinned_field_changed_is_refused_by_its_check(field: str) -> None:
    change, expected = PINNED[field]
    doc = copy.deepcopy(capture().document)
    change(doc)
    report = verify(doc)
    assert not report.passed
    assert {c.name for c in report.failures()} == expected
    first = report.failures()[0]
    assert "\n" not in first.detail and report.summary().startswith("attestation check '")
