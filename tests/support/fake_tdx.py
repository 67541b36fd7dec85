"""A fake Intel: a test PKI (root CA, PCK platform CA, PCK and TCB-signing certificates, CRLs)
that signs TDX quotes and DCAP collateral the way Intel's do, so the suite can run a fake
enclave whose attestation verifies end to end against *this* root (passed as the trust
anchor; Intel's root stays the default everywhere else).

Built from the real capture's parts where they must be consistent (read from the vendored
capture at run time): the PCK certificate's SGX extension (FMSPC, CPU SVN, PCE SVN), the TD
report's TEE TCB SVN and the QE report fields, the TCB info and QE identity JSON. Everything
signed is signed here with fresh keys.
"""

from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import quote as url_quote

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.oid import NameOID

from openclaw_venice.tee.collateral import Answer, Collateral, assemble
from openclaw_venice.tee.keys import address_of
from openclaw_venice.tee.quote import BODY_SIZE, HEADER_SIZE
from tests.support.tee_capture import capture, collateral

SGX_EXTENSION = x509.ObjectIdentifier("1.2.840.113741.1.13.1")
P256 = ec.SECP256R1()


def raw_signature(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    """ECDSA-P256-SHA256 as Intel's formats carry it: r ‖ s, 32 bytes each."""
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "openclaw-venice tests"),
        ]
    )


@dataclass
class RealParts:
    """What the fake quote takes from the real one so that Intel's JSON still matches."""

    header: bytes
    body: bytes
    qe_report: bytes
    qe_auth_data: bytes
    sgx_extension: bytes


@cache
def real_parts() -> RealParts:
    raw = bytes.fromhex(capture().document["intel_quote"])
    at = HEADER_SIZE + BODY_SIZE + 4 + 64 + 64  # sig data length, signature, attestation key
    cert_type, _size = struct.unpack_from("<HI", raw, at)
    assert cert_type == 6, cert_type
    at += 6
    qe_report = raw[at : at + 384]
    at += 384 + 64
    (auth_size,) = struct.unpack_from("<H", raw, at)
    qe_auth_data = raw[at + 2 : at + 2 + auth_size]
    at += 2 + auth_size
    cert_type, size = struct.unpack_from("<HI", raw, at)
    assert cert_type == 5, cert_type
    pem = raw[at + 6 : at + 6 + size]
    leaf = x509.load_pem_x509_certificates(pem)[0]
    extension = leaf.extensions.get_extension_for_oid(SGX_EXTENSION).value
    assert isinstance(extension, x509.UnrecognizedExtension)
    return RealParts(
        raw[:HEADER_SIZE],
        raw[HEADER_SIZE : HEADER_SIZE + BODY_SIZE],
        qe_report,
        qe_auth_data,
        extension.value,
    )


@dataclass
class TestPki:
    root_key: ec.EllipticCurvePrivateKey
    root_cert: x509.Certificate
    platform_ca_key: ec.EllipticCurvePrivateKey
    platform_ca_cert: x509.Certificate
    pck_key: ec.EllipticCurvePrivateKey
    pck_cert: x509.Certificate
    tcb_key: ec.EllipticCurvePrivateKey
    tcb_cert: x509.Certificate
    __test__ = False  # not a pytest class

    @classmethod
    def create(cls) -> TestPki:
        root_key = ec.generate_private_key(P256)
        root = _cert(
            name("Test SGX Root CA"), root_key, name("Test SGX Root CA"), root_key, ca=True
        )
        ca_key = ec.generate_private_key(P256)
        platform_ca = _cert(
            name("Test SGX PCK Platform CA"), ca_key, root.subject, root_key, ca=True
        )
        pck_key = ec.generate_private_key(P256)
        pck = _cert(
            name("Test SGX PCK Certificate"),
            pck_key,
            platform_ca.subject,
            ca_key,
            ca=False,
            sgx_extension=real_parts().sgx_extension,
        )
        tcb_key = ec.generate_private_key(P256)
        tcb = _cert(name("Test SGX TCB Signing"), tcb_key, root.subject, root_key, ca=False)
        return cls(root_key, root, ca_key, platform_ca, pck_key, pck, tcb_key, tcb)

    @property
    def root_der(self) -> bytes:
        return self.root_cert.public_bytes(Encoding.DER)

    def quote(
        self,
        reportdata: bytes,
        mrconfigid: bytes,
        debug: bool = False,
        fields: dict[int, bytes] | None = None,
        trailing: bytes = b"",
    ) -> bytes:
        """A TDX v4 quote over a TD report carrying ``reportdata``, signed through this PKI.
        ``fields``: TD report body bytes to replace, by offset (another TD's MRTD, RTMRs…);
        ``trailing``: bytes after the signature data (unsigned, as a quote buffer's padding)."""
        parts = real_parts()
        body = bytearray(parts.body)
        body[184:232] = mrconfigid.ljust(48, b"\0")
        for offset, value in (fields or {}).items():
            body[offset : offset + len(value)] = value
        body[520:584] = reportdata
        if debug:
            body[120] |= 1
        attestation_key = ec.generate_private_key(P256)
        attestation_point = attestation_key.public_key().public_bytes(
            Encoding.X962, PublicFormat.UncompressedPoint
        )[1:]
        qe_report = bytearray(parts.qe_report)
        qe_report[320:384] = hashlib.sha256(
            attestation_point + parts.qe_auth_data
        ).digest() + bytes(32)
        chain = b"".join(
            c.public_bytes(Encoding.PEM)
            for c in (self.pck_cert, self.platform_ca_cert, self.root_cert)
        )
        qe_data = (
            bytes(qe_report)
            + raw_signature(self.pck_key, bytes(qe_report))
            + struct.pack("<H", len(parts.qe_auth_data))
            + parts.qe_auth_data
            + struct.pack("<HI", 5, len(chain))
            + chain
        )
        signed = parts.header + bytes(body)
        sig_data = (
            raw_signature(attestation_key, signed)
            + attestation_point
            + struct.pack("<HI", 6, len(qe_data))
            + qe_data
        )
        return signed + struct.pack("<I", len(sig_data)) + sig_data + trailing

    def collateral_answers(self, tcb_status: str | None = None) -> dict[str, Answer]:
        """Intel's four PCS answers, re-dated to now and signed by this PKI."""
        now = datetime.now(UTC).replace(microsecond=0)
        issue, next_update = now - timedelta(days=1), now + timedelta(days=29)
        real = collateral()
        tcb_info = _redated(real.tcb_info, issue, next_update)
        if tcb_status is not None:
            for level in tcb_info["tcbLevels"]:
                level["tcbStatus"] = tcb_status
        qe_identity = _redated(real.qe_identity, issue, next_update)
        tcb_chain = url_quote(
            b"".join(c.public_bytes(Encoding.PEM) for c in (self.tcb_cert, self.root_cert)).decode()
        )
        ca_chain = url_quote(
            b"".join(
                c.public_bytes(Encoding.PEM) for c in (self.platform_ca_cert, self.root_cert)
            ).decode()
        )
        return {
            "tcb": Answer(
                {"tcb-info-issuer-chain": tcb_chain}, self._signed_json("tcbInfo", tcb_info)
            ),
            "qe": Answer(
                {"sgx-enclave-identity-issuer-chain": tcb_chain},
                self._signed_json("enclaveIdentity", qe_identity),
            ),
            "pckcrl": Answer(
                {"sgx-pck-crl-issuer-chain": ca_chain},
                _crl(self.platform_ca_cert, self.platform_ca_key, now),
            ),
            "rootcrl": Answer({}, _crl(self.root_cert, self.root_key, now)),
        }

    def collateral(self, tcb_status: str | None = None) -> Collateral:
        return assemble(self.collateral_answers(tcb_status))

    def _signed_json(self, key: str, value: dict[str, Any]) -> bytes:
        text = json.dumps(value, separators=(",", ":"))
        signature = raw_signature(self.tcb_key, text.encode()).hex()
        return f'{{"{key}":{text},"signature":"{signature}"}}'.encode()


def _redated(text: str, issue: datetime, next_update: datetime) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(text)
    value["issueDate"] = issue.strftime("%Y-%m-%dT%H:%M:%SZ")
    value["nextUpdate"] = next_update.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def _cert(
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
    sgx_extension: bytes | None = None,
) -> x509.Certificate:
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=400))
        .not_valid_after(now + timedelta(days=400))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    if sgx_extension is not None:
        builder = builder.add_extension(
            x509.UnrecognizedExtension(SGX_EXTENSION, sgx_extension), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _crl(issuer: x509.Certificate, key: ec.EllipticCurvePrivateKey, now: datetime) -> bytes:
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.subject)
        .last_update(now - timedelta(days=1))
        .next_update(now + timedelta(days=29))
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    return crl.public_bytes(Encoding.DER)


def reportdata_for(signing_point: bytes, nonce: bytes) -> bytes:
    return address_of(signing_point) + bytes(12) + nonce
