"""The TCB-status policy and the debug check on quotes signed through a test PKI
(tests/support/fake_tdx.py) whose root is passed as the trust anchor: Intel's signed
collateral cannot be re-signed with another status, this PKI's can."""

from __future__ import annotations

import os

import pytest

from openclaw_venice.tee import AttestationReport, TcbPolicy, verify_attestation
from openclaw_venice.tee.policy import ACCEPT_TCB_ENV_VAR, EnclavePolicy, load_policy
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
    identity: EnclavePolicy | None = None,
) -> AttestationReport:
    nonce = os.urandom(32)
    enclave = enclave or FakeEnclave(pki)
    return verify_attestation(
        enclave.document(MODEL, nonce.hex()), nonce=nonce, model=MODEL,
        collateral=pki.collateral(status), root_ca_der=pki.root_der, policy=policy,
        identity=identity, nvidia_root_sha256=enclave.nvidia.root_sha256,
    )  # fmt: skip


def test_a_fake_enclave_quote_verifies_against_the_test_root(pki: TestPki) -> None:
    report = attest(pki)
    assert report.passed, report.summary()
    assert report.tcb_status == "UpToDate"


def test_the_same_quote_fails_against_intels_root(pki: TestPki) -> None:
    nonce = os.urandom(32)
    doc = FakeEnclave(pki).document(MODEL, nonce.hex())
    report = verify_attestation(doc, nonce=nonce, model=MODEL, collateral=pki.collateral())
    # the workload attestation's second quote is signed through the same test PKI, and the
    # GPUs fail against NVIDIA's root, the default pin
    assert {c.name for c in report.failures()} == {
        "quote_signature", "tcb_status", "workload", "gpus"
    }  # fmt: skip


@pytest.mark.parametrize(
    "status", ["OutOfDate", "OutOfDateConfigurationNeeded", "ConfigurationNeeded"]
)
def test_a_platform_intel_calls_out_of_date_fails_by_default(pki: TestPki, status: str) -> None:
    report = attest(pki, status)
    assert {c.name for c in report.failures()} == {"tcb_status"}
    assert report.tcb_status == status
    assert report.summary() == f"attestation check 'tcb_status' failed: {status} is not accepted"


@pytest.mark.parametrize(
    "status", ["OutOfDate", "OutOfDateConfigurationNeeded", "ConfigurationNeeded"]
)
def test_the_documented_option_accepts_them_with_a_warning(pki: TestPki, status: str) -> None:
    rules = load_policy(env={ACCEPT_TCB_ENV_VAR: f"{status}, SWHardeningNeeded"})
    report = attest(pki, status, identity=rules)
    assert report.passed, report.summary()
    assert report.warnings == (f"TCB status {status}",)


def test_revoked_fails_by_default(pki: TestPki) -> None:
    report = attest(pki, "Revoked")
    assert {c.name for c in report.failures()} == {"quote_signature", "tcb_status", "workload"}
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
        from tests.support.fake_tdx import reportdata_for

        td = enclave.td
        quote = pki.quote(reportdata_for(enclave.key.public_point, nonce), td.mrconfigid,
                          debug=True, fields=td.body_fields())  # fmt: skip
        doc["intel_quote"] = quote.hex()

    enclave.mutate = debug_quote
    report = attest(pki, enclave=enclave)
    failed = {c.name for c in report.failures()}
    assert "debug_off" in failed
    assert "Debug mode" in report.check("quote_signature").detail
