"""The enclave's GPUs verified here (issue 21, item 4): the SPDM evidence of every GPU in
``nvidia_payload``, on Venice's real capture (tests/data/venice-api/tee/2026-04-24, 8 Hopper
GPUs, its own nonce) and on a fake NVIDIA's (tests/support/fake_nvidia.py) whose root is
passed as the pin. Each way of breaking it fails the ``gpus`` check, and through a chat turn
no chat request is sent."""

from __future__ import annotations

import base64
import copy
import json
import os
from collections.abc import Callable
from typing import Any

import pytest

from openclaw_venice.tee import verify_attestation
from openclaw_venice.tee.gpu import NVIDIA_DEVICE_ROOT_SHA256, GpuVerdict, verify_gpus
from tests.support.fake_enclave import FakeEnclave, e2ee_turn
from tests.support.fake_nvidia import FakeNvidia, evidence, shared_nvidia, sign_p384, spdm_unsigned
from tests.support.fake_tdx import TestPki
from tests.support.tee_capture import capture, collateral

Payload = dict[str, Any]


def real_payload() -> Payload:
    payload: Payload = json.loads(capture().document["nvidia_payload"])
    return payload


def real_verify(payload: Payload | str | None, nonce: bytes | None = None, **kw: Any) -> GpuVerdict:
    real = capture()
    text = json.dumps(payload) if isinstance(payload, dict) else payload
    return verify_gpus(text, nonce or real.nonce, at=real.captured_at.timestamp(), **kw)


def evidence_bytes(payload: Payload, gpu: int) -> bytes:
    return base64.b64decode(payload["evidence_list"][gpu]["evidence"])


def set_evidence(payload: Payload, gpu: int, data: bytes) -> None:
    payload["evidence_list"][gpu]["evidence"] = base64.b64encode(data).decode()


# -- the real capture -----------------------------------------------------------------------


def test_the_real_capture_verifies_with_its_own_nonce() -> None:
    verdict = real_verify(real_payload())
    assert verdict == GpuVerdict(
        True,
        "8 HOPPER GPUs: SPDM signatures, chains to NVIDIA's Device Identity root, our nonce",
        "HOPPER",
        8,
    )


def test_in_the_report_the_gpus_are_a_local_check() -> None:
    real = capture()
    report = verify_attestation(
        real.document, nonce=real.nonce, model=real.model, collateral=collateral(),
        at=real.captured_at,
    )  # fmt: skip
    check = report.check("gpus")
    assert (check.passed, check.source) == (True, "local")
    assert check.detail.startswith("8 HOPPER GPUs")


def test_the_pin_is_nvidias_device_identity_root_as_teep_pins_it() -> None:
    import hashlib

    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    chain = base64.b64decode(real_payload()["evidence_list"][0]["certificate"])
    root = x509.load_pem_x509_certificates(chain)[-1]
    assert root.subject.rfc4514_string() == "O=NVIDIA,CN=NVIDIA Device Identity CA"
    der = root.public_bytes(Encoding.DER)
    assert hashlib.sha256(der).hexdigest() == NVIDIA_DEVICE_ROOT_SHA256
    assert NVIDIA_DEVICE_ROOT_SHA256 == (
        "102bf659d5419614c9d8e6aecebc80454eb26b1df6a769ac720b9a690b167b48"
    )


def flip_signature(gpu: int) -> Callable[[Payload], None]:
    def change(payload: Payload) -> None:
        data = bytearray(evidence_bytes(payload, gpu))
        data[-1] ^= 1
        set_evidence(payload, gpu, bytes(data))

    return change


def flip_measurement(payload: Payload) -> None:
    data = bytearray(evidence_bytes(payload, 5))
    data[37 + 8 + 20] ^= 0x80  # inside the first measurement block
    set_evidence(payload, 5, bytes(data))


def reuse_certificate(payload: Payload) -> None:
    first = payload["evidence_list"][0]["certificate"]
    for entry in payload["evidence_list"]:
        entry["certificate"] = first


def reuse_whole_entry(payload: Payload) -> None:
    payload["evidence_list"] = [copy.deepcopy(payload["evidence_list"][0]) for _ in range(8)]


def trailing_byte(payload: Payload) -> None:
    set_evidence(payload, 2, evidence_bytes(payload, 2) + b"\x00")


def drop_root(payload: Payload) -> None:
    for entry in payload["evidence_list"]:
        pem = base64.b64decode(entry["certificate"])
        cut = pem.rindex(b"-----BEGIN CERTIFICATE-----")
        entry["certificate"] = base64.b64encode(pem[:cut]).decode()


def drop_one_gpu(payload: Payload) -> None:
    del payload["evidence_list"][7]


def set_key(key: str, value: Any) -> Callable[[Payload], None]:
    return lambda payload: payload.update({key: value})


REAL_CASES: dict[str, tuple[Callable[[Payload], None], str]] = {
    "a flipped signature byte": (
        flip_signature(3),
        "GPU 3: the SPDM signature does not verify with the device certificate's key",
    ),
    "a flipped measurement byte": (
        flip_measurement,
        "GPU 5: the SPDM signature does not verify with the device certificate's key",
    ),
    "one GPU's certificate for all": (
        reuse_certificate,
        "GPU 1: the SPDM signature does not verify with the device certificate's key",
    ),
    "one GPU's evidence for all": (
        reuse_whole_entry,
        "GPU 1: the same device certificate as GPU 0 (one GPU's evidence reused)",
    ),
    "a byte after the signature": (
        trailing_byte,
        "GPU 2: the SPDM response does not end with its 96-byte signature "
        "(97 bytes after the opaque data)",
    ),
    "a chain without the root": (
        drop_root,
        "GPU 0: the chain does not end in NVIDIA's Device Identity root",
    ),
    "no evidence": (set_key("evidence_list", []), "nvidia_payload has no GPU evidence"),
    "no architecture": (set_key("arch", None), "nvidia_payload names no GPU architecture"),
    "another nonce stated": (set_key("nonce", "00" * 32), "nvidia_payload's nonce is not ours"),
}


@pytest.mark.parametrize("case", list(REAL_CASES))
def test_each_way_of_breaking_the_real_evidence_fails(case: str) -> None:
    change, detail = REAL_CASES[case]
    payload = real_payload()
    change(payload)
    verdict = real_verify(payload)
    assert (verdict.passed, verdict.detail) == (False, detail)


def test_the_real_evidence_for_another_nonce_fails_at_the_spdm_request() -> None:
    """A replay: the capture's evidence offered for a fresh nonce (the stated nonce edited to
    match; the GPUs signed the old one into every request)."""
    ours = os.urandom(32)
    payload = real_payload()
    payload["nonce"] = ours.hex()
    verdict = real_verify(payload, ours)
    assert verdict.detail == (
        "GPU 0: the SPDM requester nonce is not ours (evidence made for another)"
    )


def test_fewer_gpus_than_the_td_has_fail() -> None:
    payload = real_payload()
    drop_one_gpu(payload)
    assert real_verify(payload).passed  # alone, 7 good GPUs verify
    report_doc = copy.deepcopy(capture().document)
    report_doc["nvidia_payload"] = json.dumps(payload)
    real = capture()
    report = verify_attestation(
        report_doc, nonce=real.nonce, model=real.model, collateral=collateral(),
        at=real.captured_at,
    )  # fmt: skip
    assert report.check("gpus").detail == ("evidence for 7 GPUs, but the TD's vm_config has 8")


def test_no_payload_or_not_json_fails() -> None:
    assert real_verify(None).detail == "the document has no nvidia_payload (no GPU evidence)"
    assert real_verify("{not json").detail.startswith("nvidia_payload is not readable JSON")
    assert real_verify("[]").detail == "nvidia_payload is not a JSON object"


def test_the_real_evidence_fails_against_another_pin() -> None:
    verdict = real_verify(real_payload(), root_sha256=shared_nvidia().root_sha256)
    assert verdict.detail == "GPU 0: the chain does not end in NVIDIA's Device Identity root"


# -- a fake NVIDIA's evidence ---------------------------------------------------------------


def fake_verify(payload: str | Payload, nonce: bytes, nvidia: FakeNvidia | None = None) -> Any:
    nvidia = nvidia or shared_nvidia()
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return verify_gpus(text, nonce, at=1.8e9, root_sha256=nvidia.root_sha256)


def test_a_fake_nvidias_evidence_verifies_against_its_root_only() -> None:
    nonce = os.urandom(32)
    payload = shared_nvidia().payload(nonce)
    assert fake_verify(payload, nonce).passed
    assert fake_verify(payload, nonce).count == 8
    assert not verify_gpus(payload, nonce, at=1.8e9).passed  # NVIDIA's pin by default


def test_another_captures_evidence_swapped_in_fails() -> None:
    """Evidence from another attestation (another nonce), with the stated nonce edited."""
    ours, theirs = os.urandom(32), os.urandom(32)
    payload = json.loads(shared_nvidia().payload(theirs))
    payload["nonce"] = ours.hex()
    verdict = fake_verify(payload, ours)
    assert verdict.detail == (
        "GPU 0: the SPDM requester nonce is not ours (evidence made for another)"
    )


def test_one_gpu_swapped_for_another_captures_fails() -> None:
    ours, theirs = os.urandom(32), os.urandom(32)
    payload = json.loads(shared_nvidia().payload(ours))
    payload["evidence_list"][6] = json.loads(shared_nvidia().payload(theirs))["evidence_list"][6]
    assert fake_verify(payload, ours).detail.startswith("GPU 6: the SPDM requester nonce")


def test_a_device_key_not_certified_by_the_chain_fails() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    nonce = os.urandom(32)
    payload = json.loads(shared_nvidia().payload(nonce))
    rogue = ec.generate_private_key(ec.SECP384R1())
    payload["evidence_list"][4]["evidence"] = evidence(rogue, nonce)
    assert fake_verify(payload, nonce).detail == (
        "GPU 4: the SPDM signature does not verify with the device certificate's key"
    )


def test_a_request_without_a_signature_asked_fails() -> None:
    nonce = os.urandom(32)
    nvidia = shared_nvidia()
    payload = json.loads(nvidia.payload(nonce))
    signed = bytearray(spdm_unsigned(nonce))
    signed[2] = 0x00  # param1: no signature requested
    signed_bytes = bytes(signed) + sign_p384(nvidia.gpus[0].key, bytes(signed))
    payload["evidence_list"][0]["evidence"] = base64.b64encode(signed_bytes).decode()
    assert fake_verify(payload, nonce).detail == (
        "GPU 0: the SPDM request did not ask for a signature"
    )


def test_measurement_blocks_that_do_not_fill_the_record_fail() -> None:
    nonce = os.urandom(32)
    nvidia = shared_nvidia()
    payload = json.loads(nvidia.payload(nonce))
    signed = bytearray(spdm_unsigned(nonce))
    signed[37 + 4] = 5  # says five blocks, carries four
    data = bytes(signed) + sign_p384(nvidia.gpus[0].key, bytes(signed))
    payload["evidence_list"][0]["evidence"] = base64.b64encode(data).decode()
    assert fake_verify(payload, nonce).detail == (
        "GPU 0: the SPDM measurement record has fewer blocks than it says"
    )


def test_an_expired_or_non_ca_chain_fails() -> None:
    from datetime import UTC, datetime

    from cryptography.hazmat.primitives.asymmetric import ec

    from tests.support import fake_nvidia

    nvidia = FakeNvidia.create(gpus=1)
    nonce = os.urandom(32)
    gpu = nvidia.gpus[0]
    expired = fake_nvidia._cert(
        "Fake GH100 GSP FMC LF 0", gpu.key, "Fake GH100 Provisioner ICA", ec.generate_private_key(
            ec.SECP384R1()), ca=False, not_after=datetime(2022, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    nvidia.gpus[0] = fake_nvidia.Gpu(gpu.key, expired)
    assert fake_verify(nvidia.payload(nonce), nonce, nvidia).detail.startswith(
        "GPU 0: certificate 0 (Fake GH100 GSP FMC LF 0) is not valid at 2027-"
    )
    # a device certificate "issued" by another device: the issuer is no CA
    other = FakeNvidia.create(gpus=2)
    a, b = other.gpus
    forged = fake_nvidia._cert("Forged", a.key, "Fake GH100 GSP FMC LF 1", b.key, ca=False)
    payload = {
        "arch": "HOPPER",
        "nonce": nonce.hex(),
        "evidence_list": [
            {
                "certificate": fake_nvidia._pem(forged, b.cert, other.ca, other.root),
                "evidence": evidence(a.key, nonce),
            }
        ],
    }
    assert fake_verify(payload, nonce, other).detail == (
        "GPU 0: Fake GH100 GSP FMC LF 1 is not a CA (no basic constraints)"
    )


# -- through a chat turn: no request is sent ------------------------------------------------

pytest_plugins = ("tests.support.enclave_fixtures",)  # pki, enclave


def test_a_fake_enclave_with_broken_gpu_evidence_sends_nothing(server: Any, pki: TestPki) -> None:
    from openclaw_venice import errors

    def break_gpu(doc: dict[str, Any]) -> None:
        payload = json.loads(doc["nvidia_payload"])
        flip_signature(7)(payload)
        doc["nvidia_payload"] = json.dumps(payload)

    enclave = FakeEnclave(pki, mutate=break_gpu)
    enclave.install(server)
    events, _ = e2ee_turn(server, pki, enclave)
    assert [e.type for e in events] == ["error"]
    assert isinstance(events[0].error, errors.AttestationError)
    assert str(events[0].error).startswith(
        "attestation check 'gpus' failed: GPU 7: the SPDM signature does not verify"
    )
    assert [r for r in server.requests if r.path.endswith("/chat/completions")] == []
