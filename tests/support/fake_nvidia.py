"""A fake NVIDIA: a throwaway Device Identity root, a provisioning CA under it and one device
key per GPU, signing SPDM 1.1 GET_MEASUREMENTS / MEASUREMENTS evidence for a given nonce the
way a Hopper GPU does (layout: DMTF DSP0274 1.1, as the real capture has it). Its root's SHA-256
is passed as the pin where NVIDIA's is the default, so the fake enclave's GPUs verify end to
end and everything else about them can be broken on purpose."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

P384 = ec.SECP384R1()
FAR = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)  # NVIDIA's device certificates' notAfter


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "openclaw-venice tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def _cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: str,
    issuer_key: ec.EllipticCurvePrivateKey,
    ca: bool,
    not_after: datetime = FAR,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime(2021, 11, 5, tzinfo=UTC))
        .not_valid_after(not_after)
    )
    if ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
    return builder.sign(issuer_key, hashes.SHA384())


def _pem(*certs: x509.Certificate) -> str:
    return base64.b64encode(b"".join(c.public_bytes(Encoding.PEM) for c in certs)).decode()


@dataclass
class Gpu:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate


@dataclass
class FakeNvidia:
    root_key: ec.EllipticCurvePrivateKey
    root: x509.Certificate
    ca: x509.Certificate
    gpus: list[Gpu]

    @classmethod
    def create(cls, gpus: int = 8) -> FakeNvidia:
        root_key = ec.generate_private_key(P384)
        root = _cert("Fake NVIDIA Device Identity CA", root_key, "Fake NVIDIA Device Identity CA",
                     root_key, ca=True)  # fmt: skip
        ca_key = ec.generate_private_key(P384)
        ca = _cert("Fake GH100 Provisioner ICA", ca_key, "Fake NVIDIA Device Identity CA",
                   root_key, ca=True)  # fmt: skip
        devices = []
        for index in range(gpus):
            key = ec.generate_private_key(P384)
            cert = _cert(f"Fake GH100 GSP FMC LF {index}", key, "Fake GH100 Provisioner ICA",
                         ca_key, ca=False)  # fmt: skip
            devices.append(Gpu(key, cert))
        return cls(root_key, root, ca, devices)

    @property
    def root_sha256(self) -> str:
        return hashlib.sha256(self.root.public_bytes(Encoding.DER)).hexdigest()

    @property
    def root_der(self) -> bytes:
        return self.root.public_bytes(Encoding.DER)

    def chain(self, gpu: Gpu) -> str:
        return _pem(gpu.cert, self.ca, self.root)

    def payload(self, nonce: bytes, arch: str = "HOPPER") -> str:
        """``nvidia_payload`` as Venice sends it: JSON text, one entry per GPU."""
        entries = [
            {"arch": arch, "certificate": self.chain(gpu), "evidence": evidence(gpu.key, nonce)}
            for gpu in self.gpus
        ]
        return json.dumps({"arch": arch, "evidence_list": entries, "nonce": nonce.hex()})


def measurement_record(blocks: int = 4) -> bytes:
    """``blocks`` DMTF measurement blocks: index, specification 1, size, then a raw SHA-384
    digest (type 0x00, size 48)."""
    out = b""
    for index in range(1, blocks + 1):
        value = b"\x00" + (48).to_bytes(2, "little") + hashlib.sha384(bytes([index])).digest()
        out += bytes([index, 1]) + len(value).to_bytes(2, "little") + value
    return out


def spdm_unsigned(nonce: bytes, blocks: int = 4, opaque: bytes = b"\x01\x02fake-opaque") -> bytes:
    """GET_MEASUREMENTS (signature asked, all blocks) ‖ MEASUREMENTS up to the signature."""
    request = bytes([0x11, 0xE0, 0x01, 0xFF]) + nonce + b"\x00"
    record = measurement_record(blocks)
    response = bytes([0x11, 0x60, 0x00, 0x00, blocks]) + len(record).to_bytes(3, "little")
    response += record + os.urandom(32) + len(opaque).to_bytes(2, "little") + opaque
    return request + response


def sign_p384(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA384())))
    return r.to_bytes(48, "big") + s.to_bytes(48, "big")


def evidence(key: ec.EllipticCurvePrivateKey, nonce: bytes, **kw: bytes | int) -> str:
    signed = spdm_unsigned(nonce, **kw)  # type: ignore[arg-type]
    return base64.b64encode(signed + sign_p384(key, signed)).decode()


@cache
def shared_nvidia() -> FakeNvidia:
    """One fake NVIDIA per test process (key generation costs a few ms per GPU)."""
    return FakeNvidia.create()
