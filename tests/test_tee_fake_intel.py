"""The TCB-status policy and the debug check on quotes signed through a test PKI
(tests/support/fake_tdx.py) whose root is passed as the trust anchor: Intel's signed
collateral cannot be re-signed with another status, this PKI's can."""

from __future__ import annotations

import os

import pytest

from openclaw_venice.tee import AttestationReport, TcbPolicy, verify_attestation
from tests.support.fake_enclave import FakeEnclave
from tests.support.fake_tdx import TestPki

MODEL = "e2ee-qwen3-5-122b-a10b"


@pytest.fixture(scope="module")
def pki() -> TestPki:
    return TestPki.create()


def attest(
    pki: TestPki,
    status: str | None = None,
    policy: TcbPolicy | None = None,
    enclave: FakeEnclave | None = None,
) -> AttestationReport:
    nonce = os.urandom(32)
    enclave = enclave or FakeEnclave(pki)
    return verify_attestation(
        enclave.document(MODEL, nonce.hex()), nonce=nonce, model=MODEL,
        collateral=pki.collateral(status), root_ca_der=pki.root_der, policy=policy,
        nvidia_root_sha256=enclave.nvidia.root_sha256,
    )  # fmt: skip


def test_a_fake_enclave_quote_verifies_against_the_test_root(pki: TestPki) -> None:
    report = attest(pki)
    assert report.passed, report.summary()
    assert report.tcb_status == "UpToDate"


def test_the_same_quote_fails_against_intels_root(pki: TestPki) -> None:
    nonce = os.urandom(32)
    doc = FakeEnclave(pki).document(MODEL, nonce.hex())
    report = verify_attestation(doc, nonce=nonce, model=MODEL, collateral=pki.collateral())
    # and its GPUs fail against NVIDIA's root, the default pin
    assert {c.name for c in report.failures()} == {"quote_signature", "tcb_status", "gpus"}


def test_out_of_date_passes_with_a_warning_by_default(pki: TestPki) -> None:
    report = attest(pki, "OutOfDate")
    assert report.passed
    assert report.tcb_status == "OutOfDate"
    assert report.warnings == ("TCB status OutOfDate",)


def test_revoked_fails_by_default(pki: TestPki) -> None:
    report = attest(pki, "Revoked")
    assert {c.name for c in report.failures()} == {"quote_signature", "tcb_status"}
    assert report.tcb_status == "Revoked"
    assert report.check("tcb_status").detail == "Revoked is not accepted"


def test_a_strict_policy_fails_out_of_date(pki: TestPki) -> None:
    report = attest(pki, "OutOfDate", TcbPolicy.accept_only({"UpToDate"}))
    assert {c.name for c in report.failures()} == {"tcb_status"}
    assert report.warnings == ()


def test_a_debug_td_fails_even_when_intel_signed_it(pki: TestPki) -> None:
    enclave = FakeEnclave(pki)

    def debug_quote(doc: dict) -> None:
        nonce = bytes.fromhex(doc["nonce"])
        import hashlib

        from tests.support.fake_enclave import APP_COMPOSE
        from tests.support.fake_tdx import reportdata_for

        mrconfigid = b"\x01" + hashlib.sha256(APP_COMPOSE.encode()).digest()
        quote = pki.quote(reportdata_for(enclave.key.public_point, nonce), mrconfigid, debug=True)
        doc["intel_quote"] = quote.hex()

    enclave.mutate = debug_quote
    report = attest(pki, enclave=enclave)
    failed = {c.name for c in report.failures()}
    assert "debug_off" in failed
    assert "Debug mode" in report.check("quote_signature").detail
