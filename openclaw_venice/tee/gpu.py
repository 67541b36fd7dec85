"""The enclave's GPUs, verified here: each GPU's SPDM evidence in ``nvidia_payload``.

``nvidia_payload`` (JSON): ``arch``, ``nonce`` and ``evidence_list``, one entry per GPU:
``certificate`` (base64 of a PEM chain, the GPU's own key first, NVIDIA's Device Identity CA
last) and ``evidence`` (base64 of an SPDM 1.1 ``GET_MEASUREMENTS`` request followed by the
GPU's ``MEASUREMENTS`` response). For every GPU this module checks, offline:

* the chain: each certificate signed by the next, every issuer a CA, all valid at the time
  judged, ending in NVIDIA's Device Identity root, pinned by the SHA-256 of its DER (the value
  teep pins; the root is self-signed and its fingerprint names it exactly);
* the request: SPDM 1.1 ``GET_MEASUREMENTS`` with a signature asked for, and the requester
  nonce (bytes 4..36) equal to ours, so the evidence was made for this attestation;
* the response: SPDM 1.1 ``MEASUREMENTS``, the measurement blocks adding up to the record
  length, responder nonce, opaque data, then a 96-byte ECDSA P-384 signature (r ‖ s, SHA-384)
  over the request and the response up to the signature, by the chain's first key, and
  nothing after it;
* across GPUs: no certificate of a GPU's own key appears twice (one GPU's evidence copied for
  the others), and the count matches ``vm_config.num_gpus`` where the document states it.

NVIDIA's RIM comparison (are these the expected firmware measurements) and certificate
revocation (OCSP) need NVIDIA's online services and are not done here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding

from .jsontext import JsonTextError, parse_json
from .report import Check

# SHA-256 of the DER of "NVIDIA Device Identity CA" (O=NVIDIA), self-signed, valid to 9999;
# the value 13rac1/teep pins (internal/attestation/nvidia_eat.go), and the last certificate of
# every GPU chain in Venice's captures.
NVIDIA_DEVICE_ROOT_SHA256 = "102bf659d5419614c9d8e6aecebc80454eb26b1df6a769ac720b9a690b167b48"
SPDM_VERSION_11 = 0x11
GET_MEASUREMENTS = 0xE0
MEASUREMENTS = 0x60
REQUEST_SIZE = 37  # version, code, param1, param2, nonce (32), slot id
SIGNATURE_SIZE = 96  # ECDSA P-384: r ‖ s, 48 bytes each
MAX_GPUS = 64
MAX_EVIDENCE_BYTES = 64 * 1024
MAX_CHAIN_BYTES = 64 * 1024


class GpuEvidenceError(ValueError):
    """One GPU's evidence (or the payload) does not verify; the message says which and why."""


@dataclass(frozen=True, slots=True)
class GpuVerdict:
    passed: bool
    detail: str
    arch: str | None = None
    count: int = 0


def verify_gpus(
    payload: Any,
    nonce: bytes,
    *,
    at: float,
    root_sha256: str = NVIDIA_DEVICE_ROOT_SHA256,
    expected_count: int | None = None,
) -> GpuVerdict:
    """Verify ``nvidia_payload`` (its JSON text, or the parsed mapping) for ``nonce``;
    never raises for bad evidence: the verdict says what failed."""
    try:
        arch, count = _verify(payload, nonce, at, root_sha256.lower(), expected_count)
    except GpuEvidenceError as exc:
        return GpuVerdict(False, str(exc))
    noun = "GPU" if count == 1 else "GPUs"
    detail = (
        f"{count} {arch} {noun}: SPDM signatures, chains to NVIDIA's Device Identity root, "
        "our nonce"
    )
    return GpuVerdict(True, detail, arch, count)


def _verify(
    payload: Any, nonce: bytes, at: float, root_sha256: str, expected_count: int | None
) -> tuple[str, int]:
    if payload is None:
        raise GpuEvidenceError("the document has no nvidia_payload (no GPU evidence)")
    if isinstance(payload, str | bytes):
        try:
            payload = parse_json(payload)
        except JsonTextError as exc:
            raise GpuEvidenceError(f"nvidia_payload is not readable JSON ({exc})") from None
    if not isinstance(payload, Mapping):
        raise GpuEvidenceError("nvidia_payload is not a JSON object")
    arch = payload.get("arch")
    if not isinstance(arch, str) or not arch:
        raise GpuEvidenceError("nvidia_payload names no GPU architecture")
    stated = payload.get("nonce")
    if not isinstance(stated, str) or stated.lower() != nonce.hex():
        raise GpuEvidenceError("nvidia_payload's nonce is not ours")
    evidence = payload.get("evidence_list")
    if not isinstance(evidence, list) or not evidence:
        raise GpuEvidenceError("nvidia_payload has no GPU evidence")
    if len(evidence) > MAX_GPUS:
        raise GpuEvidenceError(f"nvidia_payload lists {len(evidence)} GPUs, more than {MAX_GPUS}")
    if expected_count is not None and expected_count != len(evidence):
        raise GpuEvidenceError(
            f"evidence for {len(evidence)} GPUs, but the TD's vm_config has {expected_count}"
        )
    when = datetime.fromtimestamp(at, UTC)
    verified: set[tuple[bytes, bytes]] = set()  # (subject, issuer) DER pairs checked already
    devices: dict[bytes, int] = {}
    for index, entry in enumerate(evidence):
        try:
            device = _verify_one(entry, arch, nonce, when, root_sha256, verified)
        except GpuEvidenceError as exc:
            raise GpuEvidenceError(f"GPU {index}: {exc}") from None
        if device in devices:
            raise GpuEvidenceError(
                f"GPU {index}: the same device certificate as GPU {devices[device]} "
                "(one GPU's evidence reused)"
            )
        devices[device] = index
    return arch, len(evidence)


def _verify_one(
    entry: Any,
    arch: str,
    nonce: bytes,
    when: datetime,
    root_sha256: str,
    verified: set[tuple[bytes, bytes]],
) -> bytes:
    """Check one GPU's entry; its device certificate (DER) to spot reuse."""
    if not isinstance(entry, Mapping):
        raise GpuEvidenceError("the entry is not an object")
    if entry.get("arch", arch) != arch:
        raise GpuEvidenceError(f"architecture {entry.get('arch')!r}, the payload says {arch!r}")
    chain = _chain(_b64(entry.get("certificate"), "certificate", MAX_CHAIN_BYTES))
    _check_chain(chain, when, root_sha256, verified)
    key = chain[0].public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp384r1":
        raise GpuEvidenceError("the device certificate's key is not ECDSA P-384")
    _check_spdm(_b64(entry.get("evidence"), "evidence", MAX_EVIDENCE_BYTES), nonce, key)
    return chain[0].public_bytes(Encoding.DER)


def _b64(value: Any, name: str, limit: int) -> bytes:
    if not isinstance(value, str) or not value:
        raise GpuEvidenceError(f"no {name}")
    if len(value) > limit * 4 // 3 + 4:
        raise GpuEvidenceError(f"the {name} is larger than {limit} bytes")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise GpuEvidenceError(f"the {name} is not base64") from None


def _chain(pem: bytes) -> list[x509.Certificate]:
    try:
        chain = x509.load_pem_x509_certificates(pem)
    except ValueError:
        raise GpuEvidenceError("the certificate chain is not PEM certificates") from None
    if len(chain) < 2:
        raise GpuEvidenceError("the certificate chain has fewer than two certificates")
    return chain


def _check_chain(
    chain: Sequence[x509.Certificate],
    when: datetime,
    root_sha256: str,
    verified: set[tuple[bytes, bytes]],
) -> None:
    root = chain[-1]
    if hashlib.sha256(root.public_bytes(Encoding.DER)).hexdigest() != root_sha256:
        raise GpuEvidenceError("the chain does not end in NVIDIA's Device Identity root")
    for position, cert in enumerate(chain):
        if not cert.not_valid_before_utc <= when <= cert.not_valid_after_utc:
            raise GpuEvidenceError(
                f"certificate {position} ({_cn(cert)}) is not valid at {when:%Y-%m-%d}"
            )
        issuer = chain[min(position + 1, len(chain) - 1)]  # the root issues itself
        if cert is not root:
            _check_issuer(issuer, below=position)
        pair = (cert.tbs_certificate_bytes, issuer.public_bytes(Encoding.DER))
        if pair in verified:
            continue
        try:
            cert.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            raise GpuEvidenceError(
                f"certificate {position} ({_cn(cert)}) is not signed by {_cn(issuer)}"
            ) from None
        verified.add(pair)


def _check_issuer(issuer: x509.Certificate, below: int) -> None:
    """``issuer`` signs certificates: a CA whose path length allows ``below`` CAs under it."""
    try:
        constraints = issuer.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        raise GpuEvidenceError(f"{_cn(issuer)} is not a CA (no basic constraints)") from None
    if not constraints.ca:
        raise GpuEvidenceError(f"{_cn(issuer)} is not a CA")
    if constraints.path_length is not None and below > constraints.path_length:
        raise GpuEvidenceError(f"{_cn(issuer)} may not issue this deep a chain")
    try:
        usage = issuer.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not usage.key_cert_sign:
        raise GpuEvidenceError(f"{_cn(issuer)} may not sign certificates")


def _cn(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    value = names[0].value if names else "?"
    return value if isinstance(value, str) else value.decode(errors="replace")


def _check_spdm(evidence: bytes, nonce: bytes, key: ec.EllipticCurvePublicKey) -> None:
    """SPDM 1.1 GET_MEASUREMENTS ‖ MEASUREMENTS, signed by ``key`` (DMTF DSP0274 1.1)."""
    if len(evidence) < REQUEST_SIZE + 8:
        raise GpuEvidenceError(f"the SPDM evidence has only {len(evidence)} bytes")
    if evidence[0] != SPDM_VERSION_11 or evidence[1] != GET_MEASUREMENTS:
        raise GpuEvidenceError("the evidence does not start with an SPDM 1.1 GET_MEASUREMENTS")
    if not evidence[2] & 1:
        raise GpuEvidenceError("the SPDM request did not ask for a signature")
    if evidence[4:36] != nonce:
        raise GpuEvidenceError("the SPDM requester nonce is not ours (evidence made for another)")
    response = evidence[REQUEST_SIZE:]
    if response[0] != SPDM_VERSION_11 or response[1] != MEASUREMENTS:
        raise GpuEvidenceError("the SPDM answer is not an SPDM 1.1 MEASUREMENTS response")
    blocks = response[4]
    record_size = int.from_bytes(response[5:8], "little")
    offset = 8
    _check_record(response[offset : offset + record_size], blocks, record_size)
    offset += record_size + 32  # the measurement record, then the responder nonce
    if offset + 2 > len(response):
        raise GpuEvidenceError("the SPDM response ends inside its fixed fields")
    opaque_size = int.from_bytes(response[offset : offset + 2], "little")
    offset += 2 + opaque_size
    if offset + SIGNATURE_SIZE != len(response):
        raise GpuEvidenceError(
            "the SPDM response does not end with its 96-byte signature "
            f"({len(response) - offset} bytes after the opaque data)"
        )
    signature = response[offset:]
    r = int.from_bytes(signature[:48], "big")
    s = int.from_bytes(signature[48:], "big")
    signed = evidence[: REQUEST_SIZE + offset]
    try:
        key.verify(encode_dss_signature(r, s), signed, ec.ECDSA(hashes.SHA384()))
    except (InvalidSignature, ValueError):
        raise GpuEvidenceError(
            "the SPDM signature does not verify with the device certificate's key"
        ) from None


def _check_record(record: bytes, blocks: int, size: int) -> None:
    """The measurement record: ``blocks`` blocks (index, specification, size u16, value)
    filling exactly ``size`` bytes."""
    if len(record) != size:
        raise GpuEvidenceError("the SPDM measurement record runs past the evidence")
    at = 0
    for _ in range(blocks):
        if at + 4 > size:
            raise GpuEvidenceError("the SPDM measurement record has fewer blocks than it says")
        at += 4 + int.from_bytes(record[at + 2 : at + 4], "little")
    if at != size:
        raise GpuEvidenceError("the SPDM measurement blocks do not fill the record")


def expected_gpu_count(doc: Mapping[str, Any]) -> int | None:
    """``num_gpus`` from the document's ``info.vm_config`` (JSON text), when it states one."""
    info = doc.get("info")
    config = info.get("vm_config") if isinstance(info, Mapping) else None
    if isinstance(config, str):
        try:
            config = parse_json(config)
        except JsonTextError:
            return None
    count = config.get("num_gpus") if isinstance(config, Mapping) else None
    return count if isinstance(count, int) and not isinstance(count, bool) else None


def check_gpus(
    doc: Mapping[str, Any], nonce: bytes, at: float, root_sha256: str | None = None
) -> Check:
    """The ``gpus`` check of a report: every GPU's evidence verified here."""
    verdict = verify_gpus(
        doc.get("nvidia_payload"),
        nonce,
        at=at,
        root_sha256=root_sha256 or NVIDIA_DEVICE_ROOT_SHA256,
        expected_count=expected_gpu_count(doc),
    )
    return Check("gpus", verdict.passed, "local", verdict.detail)
