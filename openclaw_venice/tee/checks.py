"""The binding checks on an attestation document, each a pure function returning a ``Check``.

Facts (e2ee.md): ``reportdata[0:20]`` = keccak-256 address of ``signing_key``, ``[20:32]``
zero, ``[32:64]`` = our raw nonce; ``mrtd`` = ``tcb_info.mrtd``; ``mrconfigid`` = ``01`` +
sha256(``app_compose``); the NVIDIA payload's ``nonce`` = our nonce.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..wire.limits import loads  # a nested or huge JSON text fails the check, typed
from .keys import address_of, load_public_key
from .quote import TdxQuote
from .report import Check


def local(name: str, passed: bool, detail: str) -> Check:
    return Check(name, passed, "local", detail)


def check_model(doc: Mapping[str, Any], model: str) -> Check:
    got = doc.get("model")
    ok = isinstance(got, str) and got == model
    return local("model", ok, f"attests {got!r}" if ok else f"attests {got!r}, not {model!r}")


def check_nonce(doc: Mapping[str, Any], nonce: bytes) -> Check:
    echoed = [doc[k] for k in ("nonce", "request_nonce") if k in doc]
    ok = bool(echoed) and all(isinstance(v, str) and v.lower() == nonce.hex() for v in echoed)
    detail = "our nonce is echoed" if ok else "the document does not echo our nonce"
    return local("nonce", ok, detail)


def signing_point(doc: Mapping[str, Any]) -> tuple[bytes | None, str]:
    """The attested public key, or None and why not."""
    values = {doc[k] for k in ("signing_key", "signing_public_key") if isinstance(doc.get(k), str)}
    if len(values) != 1:
        return None, "no single signing_key" if not values else "signing keys disagree"
    try:
        point = bytes.fromhex(values.pop())
        load_public_key(point)
    except ValueError:
        return None, "signing_key is not a valid secp256k1 point"
    return point, "valid secp256k1 point"


def check_signing_key(doc: Mapping[str, Any], point: bytes | None, why: str) -> Check:
    if point is None:
        return local("signing_key", False, why)
    address = doc.get("signing_address")
    if address is not None and str(address).lower() != "0x" + address_of(point).hex():
        return local("signing_key", False, "signing_address is not the key's address")
    return local("signing_key", True, f"{why}, address 0x{address_of(point).hex()}")


def check_debug(quote: TdxQuote) -> Check:
    off = not quote.debug
    return local("debug_off", off, "TD debug bit clear" if off else "the TD runs in debug mode")


def check_reportdata_key(quote: TdxQuote, point: bytes | None) -> Check:
    if point is None:
        return local("reportdata_key", False, "no valid signing key to bind")
    ok = quote.reportdata[:20] == address_of(point) and quote.reportdata[20:32] == bytes(12)
    detail = "binds the signing key's address" if ok else "does not bind the signing key"
    return local("reportdata_key", ok, detail)


def check_reportdata_nonce(quote: TdxQuote, nonce: bytes) -> Check:
    ok = quote.reportdata[32:64] == nonce
    return local("reportdata_nonce", ok, "binds our nonce" if ok else "does not bind our nonce")


def check_gpu_nonce(doc: Mapping[str, Any], nonce: bytes) -> Check:
    payload = doc.get("nvidia_payload")
    try:
        evidence = loads(payload) if isinstance(payload, str) else payload
        got = evidence.get("nonce") if isinstance(evidence, Mapping) else None
    except ValueError:
        got = None
    ok = isinstance(got, str) and got.lower() == nonce.hex()
    detail = "GPU evidence carries our nonce" if ok else "GPU evidence lacks our nonce"
    return local("gpu_nonce", ok, detail)


def _tcb_info(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    info = doc.get("info")
    tcb = info.get("tcb_info") if isinstance(info, Mapping) else None
    if isinstance(tcb, str):
        try:
            tcb = loads(tcb)
        except ValueError:
            tcb = None
    return tcb if isinstance(tcb, Mapping) else {}


def check_mrtd(doc: Mapping[str, Any], quote: TdxQuote) -> Check:
    stated = _tcb_info(doc).get("mrtd")
    ok = isinstance(stated, str) and stated.lower() == quote.mrtd.hex()
    detail = "quote MRTD matches tcb_info" if ok else "quote MRTD does not match tcb_info.mrtd"
    return local("mrtd", ok, detail)


def check_quote_tail(quote: TdxQuote) -> Check:
    """Nothing but zero padding after the signature data (both captures carry 70 zero bytes
    there): other bytes are unsigned data riding along with a signed quote."""
    if quote.trailing is None:
        return local("quote_tail", False, "the quote's signature data runs past its end")
    if any(quote.trailing):
        return local("quote_tail", False, f"{len(quote.trailing)} bytes after the quote's "
                     "signature data are not zero padding")  # fmt: skip
    return local("quote_tail", True, f"nothing after the signature data but "
                 f"{len(quote.trailing)} zero bytes")  # fmt: skip


def check_venice_verdict(doc: Mapping[str, Any]) -> Check:
    """Venice's own verifier said no (``verified: false``, ``tdx.valid: false``): that is
    not overruled here, even when every local check passes."""
    verdicts = doc.get("server_verification")
    tdx = verdicts.get("tdx") if isinstance(verdicts, Mapping) else None
    said = [("verified", doc.get("verified"))]
    if isinstance(tdx, Mapping):
        said.append(("server_verification.tdx.valid", tdx.get("valid")))
    for label, value in said:
        if value is not None and value is not True:
            shown = json.dumps(value)[:40] if isinstance(value, bool | int | str) else "not true"
            return Check("venice_verdict", False, "venice", f"Venice's own verifier says "
                         f"{label} = {shown}; try again later or pick another model")
    return Check("venice_verdict", True, "venice", "Venice's verifier raises no objection")


def venice_checks(doc: Mapping[str, Any]) -> list[Check]:
    """What only Venice's verifier says: the NVIDIA GPU evidence and NRAS token."""
    verdicts = doc.get("server_verification")
    nvidia = verdicts.get("nvidia") if isinstance(verdicts, Mapping) else None
    ok = isinstance(nvidia, Mapping) and nvidia.get("valid") is True
    detail = "Venice verified the GPU evidence" if ok else "Venice did not verify the GPU evidence"
    return [Check("gpu_evidence", ok, "venice", detail)]
