"""The fields of an Intel TDX quote (DCAP quote format v4) that the binding checks read.

Header (48 bytes): version u16 (4), attestation key type u16 (2 = ECDSA P-256), TEE type u32
(0x81 = TDX). TD report body (584 bytes) after it (Intel TDX DCAP quote format, TD quote body):
``tee_tcb_svn`` at 0, ``mrseam`` at 16, ``mrsignerseam`` at 64, ``seam_attributes`` at 112,
``td_attributes`` at 120 (bit 0 of byte 0: debug), ``xfam`` at 128, ``mrtd`` at 136,
``mrconfigid`` at 184, ``mrowner`` at 232, ``mrownerconfig`` at 280, RTMR0-3 at 328, ``reportdata``
at 520. Then the signature data's length (u32) and the signature data, checked by the DCAP
verifier (``dcap.py``); what follows it (``trailing``) is not signed: both real captures end in
70 zero bytes there (the quote buffer's padding).
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from dataclasses import dataclass

HEADER_SIZE = 48
BODY_SIZE = 584
QUOTE_VERSION = 4
TEE_TYPE_TDX = 0x81
SIGNED_SIZE = HEADER_SIZE + BODY_SIZE  # what the quote's ECDSA signature covers
_HEX = re.compile(r"[0-9a-fA-F]+")


class QuoteFormatError(ValueError):
    """The quote is not a TDX v4 quote we can read."""


@dataclass(frozen=True, slots=True)
class TdxQuote:
    raw: bytes
    version: int
    attestation_key_type: int
    tee_type: int
    td_attributes: bytes
    mrtd: bytes
    mrconfigid: bytes
    rtmrs: tuple[bytes, bytes, bytes, bytes]
    reportdata: bytes
    mrseam: bytes = b""
    xfam: bytes = b""
    mrowner: bytes = b""
    mrownerconfig: bytes = b""
    trailing: bytes | None = None  # after the signature data; None: the length overruns

    @property
    def measured(self) -> bytes:
        """The TD report body without REPORTDATA: what two quotes of one TD share."""
        return self.raw[HEADER_SIZE : HEADER_SIZE + 520]

    @property
    def debug(self) -> bool:
        return bool(self.td_attributes[0] & 1)


def decode_quote_text(text: str) -> bytes:
    """``intel_quote`` as sent: hex in every capture, base64 in Venice's docs; both accepted."""
    text = text.strip()
    if len(text) % 2 == 0 and _HEX.fullmatch(text):
        return bytes.fromhex(text)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise QuoteFormatError("intel_quote is neither hex nor base64") from None


def parse_quote(raw: bytes) -> TdxQuote:
    if len(raw) < HEADER_SIZE + BODY_SIZE:
        raise QuoteFormatError(f"the quote has {len(raw)} bytes, fewer than a TDX quote's 632")
    version, key_type, tee_type = struct.unpack_from("<HHI", raw, 0)
    if version != QUOTE_VERSION:
        raise QuoteFormatError(f"quote version {version}, expected {QUOTE_VERSION}")
    if tee_type != TEE_TYPE_TDX:
        raise QuoteFormatError(f"TEE type {tee_type:#x}, expected TDX ({TEE_TYPE_TDX:#x})")
    body = raw[HEADER_SIZE : HEADER_SIZE + BODY_SIZE]
    rtmrs = tuple(body[328 + 48 * i : 376 + 48 * i] for i in range(4))
    trailing: bytes | None = None
    if len(raw) >= SIGNED_SIZE + 4:
        (size,) = struct.unpack_from("<I", raw, SIGNED_SIZE)
        end = SIGNED_SIZE + 4 + size
        trailing = raw[end:] if end <= len(raw) else None
    return TdxQuote(
        raw=raw,
        version=version,
        attestation_key_type=key_type,
        tee_type=tee_type,
        td_attributes=body[120:128],
        mrtd=body[136:184],
        mrconfigid=body[184:232],
        rtmrs=(rtmrs[0], rtmrs[1], rtmrs[2], rtmrs[3]),
        reportdata=body[520:584],
        mrseam=body[16:64],
        xfam=body[128:136],
        mrowner=body[232:280],
        mrownerconfig=body[280:328],
        trailing=trailing,
    )
