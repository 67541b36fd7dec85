"""``verify_attestation`` on Venice's real attestation capture (tests/data/venice-api/tee/),
judged with Intel's collateral of that day at the capture's time; then each check on its own
mutated copy of the document, quote or collateral: that check fails, the report says so, and
nothing raises."""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from openclaw_venice.tee import TcbPolicy, verify_attestation
from openclaw_venice.tee.keys import ClientKey
from openclaw_venice.tee.quote import HEADER_SIZE
from tests.support.attestation_edits import other_signing_key, quote_with, set_path
from tests.support.tee_capture import capture, collateral

EXPECTED_CHECKS = [
    "model", "nonce", "quote_format", "signing_key", "debug_off", "reportdata_key",
    "reportdata_nonce", "mrtd", "quote_tail", "td_attributes", "xfam", "td_owner", "mrseam",
    "event_log", "os_image", "app_id", "key_provider", "compose_hash", "compose_images",
    "gpu_nonce", "gpus", "quote_signature", "tcb_status", "workload", "venice_verdict",
    "gpu_evidence",
]  # fmt: skip
NEEDS_QUOTE = {*EXPECTED_CHECKS[4:19], "quote_signature", "tcb_status", "workload"}
SIGNED = {"quote_signature", "tcb_status"}  # what a changed signed byte fails


def verify(doc: Any = None, **kw: Any) -> Any:
    real = capture()
    args: dict[str, Any] = {
        "nonce": real.nonce, "model": real.model, "collateral": collateral(),
        "at": real.captured_at,
    }  # fmt: skip
    args.update(kw)
    return verify_attestation(real.document if doc is None else doc, **args)


def failed(report: Any) -> set[str]:
    return {check.name for check in report.failures()}


def test_the_real_capture_verifies_with_its_recorded_nonce() -> None:
    report = verify(capture().body)  # the body bytes as Venice sent them
    assert [c.name for c in report.checks] == EXPECTED_CHECKS
    assert report.passed, report.summary()
    assert report.tcb_status == "UpToDate" and report.warnings == ()
    assert report.check("quote_signature").source == "local"
    assert report.check("gpu_evidence").source == "venice"  # Venice's own verdict, and said
    assert report.check("gpus").source == "local"  # and the GPUs verified here
    assert report.signing_key == capture().document["signing_key"]
    assert report.verified_at.startswith("2026-04-24T01:58:41")
    as_json = json.loads(json.dumps(report.to_dict()))
    assert as_json["passed"] is True and len(as_json["checks"]) == len(EXPECTED_CHECKS)


def test_today_the_capture_fails_closed_because_intels_collateral_expired() -> None:
    report = verify(at=None)  # now: the TCB info's nextUpdate (2026-05-24) has passed
    assert failed(report) == {"quote_signature", "tcb_status", "workload"}
    assert "expired" in report.check("quote_signature").detail
    assert report.summary().startswith("attestation check 'quote_signature' failed:")
    assert "\n" not in report.summary()


def test_before_the_collateral_was_issued_it_fails_too() -> None:
    report = verify(at=capture().captured_at - timedelta(days=2))
    assert "quote_signature" in failed(report)


def mutated(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    doc = copy.deepcopy(capture().document)
    change(doc)
    return doc


def nvidia_nonce(doc: dict[str, Any]) -> None:
    payload = json.loads(doc["nvidia_payload"])
    payload["nonce"] = "00" * 32
    doc["nvidia_payload"] = json.dumps(payload)


BODY = HEADER_SIZE
CASES: dict[str, tuple[Callable[[dict], None], set[str]]] = {
    # each: the mutation, and the checks that must fail (the signature too where signed bytes
    # changed: a forged quote cannot keep Intel's signature)
    "nonce field": (set_path("nonce", value="ab" * 32), {"nonce"}),
    "request_nonce field": (set_path("request_nonce", value="ab" * 32), {"nonce"}),
    "model field": (set_path("model", value="e2ee-other"), {"model"}),
    "quote version 3": (quote_with(0, 3), {"quote_format", *NEEDS_QUOTE}),
    "TEE type SGX": (quote_with(4, 0), {"quote_format", *NEEDS_QUOTE}),
    "debug bit": (
        quote_with(BODY + 120, xor=1),
        {"debug_off", "td_attributes", "workload", *SIGNED},
    ),
    "reportdata address": (
        quote_with(BODY + 520, xor=1),
        {"reportdata_key", "quote_signature", "tcb_status"},
    ),
    "reportdata padding": (
        quote_with(BODY + 540, xor=1),
        {"reportdata_key", "quote_signature", "tcb_status"},
    ),
    "reportdata nonce": (
        quote_with(BODY + 560, xor=1),
        {"reportdata_nonce", "quote_signature", "tcb_status"},
    ),
    "mrtd in quote": (
        quote_with(BODY + 140, xor=1),
        {"mrtd", "os_image", "workload", *SIGNED},
    ),
    "quote signature": (quote_with(640, xor=1), {"quote_signature", "tcb_status"}),
    "QE report": (quote_with(632 + 4 + 128 + 6 + 50, xor=1), {"quote_signature", "tcb_status"}),
    "another signing key": (other_signing_key, {"reportdata_key"}),
    "key off the curve": (
        set_path("signing_key", value="04" + "11" * 64),
        {"signing_key", "reportdata_key"},
    ),
    "keys disagree": (
        set_path("signing_public_key", value=ClientKey().public_hex),
        {"signing_key", "reportdata_key"},
    ),
    "wrong address": (set_path("signing_address", value="0x" + "00" * 20), {"signing_key"}),
    "GPU nonce": (nvidia_nonce, {"gpu_nonce", "gpus"}),
    "tcb_info mrtd": (set_path("info", "tcb_info", "mrtd", value="00" * 48), {"mrtd"}),
    "app_compose": (
        set_path("info", "tcb_info", "app_compose", value="{}"),
        {"compose_hash", "compose_images"},
    ),
    "Venice's GPU verdict": (
        set_path("server_verification", "nvidia", "valid", value=False),
        {"gpu_evidence"},
    ),
    "no quote": (set_path("intel_quote", value="not a quote!"), {"quote_format", *NEEDS_QUOTE}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_mutation_fails_its_check(case: str) -> None:
    change, expected = CASES[case]
    report = verify(mutated(change))
    assert not report.passed
    assert failed(report) == expected
    assert report.summary().startswith("attestation check '")


def test_our_nonce_must_be_the_one_attested() -> None:
    report = verify(nonce=bytes(32))
    assert failed(report) == {"nonce", "reportdata_nonce", "gpu_nonce", "gpus", "workload"}
    assert "stale" in report.check("workload").detail


def test_the_model_asked_for_must_be_the_one_attested() -> None:
    assert failed(verify(model="e2ee-glm-5-1")) == {"model"}


def signed_text_mutated(field: str) -> Any:
    col = collateral()
    text = getattr(col, field).replace(
        '"tcbEvaluationDataNumber":18', '"tcbEvaluationDataNumber":19'
    )
    assert text != getattr(col, field)
    return dataclasses.replace(col, **{field: text})


@pytest.mark.parametrize("field", ["tcb_info", "qe_identity"])
def test_collateral_not_signed_by_intel_fails(field: str) -> None:
    report = verify(collateral=signed_text_mutated(field))
    assert failed(report) == {"quote_signature", "tcb_status", "workload"}
    assert "Signature is invalid" in report.check("quote_signature").detail


def test_a_chain_to_another_root_fails() -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    from tests.support.fake_tdx import TestPki

    report = verify(root_ca_der=TestPki.create().root_cert.public_bytes(Encoding.DER))
    assert failed(report) == {"quote_signature", "tcb_status", "workload"}


def test_the_tcb_policy_decides_which_statuses_pass() -> None:
    strict = TcbPolicy.accept_only({"SWHardeningNeeded"})  # UpToDate not accepted: fails
    report = verify(policy=strict)
    assert failed(report) == {"tcb_status"}
    assert report.tcb_status == "UpToDate"
    assert verify(policy=TcbPolicy.accept_only({"UpToDate"})).passed


def test_garbage_documents_give_a_report_not_an_exception() -> None:
    for document in (b"not json", "[]", {}, {"intel_quote": 5}):
        report = verify(document)
        assert not report.passed
        assert "model" in failed(report) and "quote_format" in failed(report)


def test_verification_time_is_a_parameter() -> None:
    at = capture().captured_at.astimezone(UTC).replace(tzinfo=None)  # naive: taken as UTC
    assert verify(at=at).passed
    assert verify(at=datetime(2026, 4, 24, 3, tzinfo=UTC).timestamp()).passed


def test_a_base64_quote_is_read_too() -> None:
    """Venice's docs say base64, both captures carry hex: both are accepted."""
    import base64

    doc = mutated(lambda d: d.update(intel_quote=base64.b64encode(
        bytes.fromhex(d["intel_quote"])).decode()))  # fmt: skip
    assert verify(doc).passed
