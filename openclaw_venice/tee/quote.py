"""The fields of an Intel TDX quote (DCAP quote format v4) that the binding checks read.

Header (48 bytes): version u16 (4), attestation key type u16 (2 = ECDSA P-256), TEE type u32
(0x81 = TDX). TD report body (584 bytes) after it: ``td_attributes`` at 120 (bit 0 of byte 0:
debug), ``mrtd`` at 136, ``mrconfigid`` at 184, RTMRs at 328, ``reportdata`` at 520. The
signature data that follows is checked by the DCAP verifier (``dcap.py``), not here.
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
    )
