"""The enclave's signed receipt of one chat exchange, verified against the attested key.

The enclave proxy Venice's TEE models run behind (nearai's vllm-proxy, ``sign_chat``) signs,
after each answer, the text ``sha256(request) ":" sha256(response)`` (lower-case hex of the
request body it received and of the answer it streamed, every byte) as an Ethereum personal
message (EIP-191: keccak-256 of ``"\\x19Ethereum Signed Message:\\n" + len + text``) with its
attested secp256k1 key; ``GET /tee/signature?model=ID&request_id=CHAT_ID`` returns ``text``,
``signature`` (``0x`` + r ‖ s ‖ v, 65 bytes, v 27 or 28), ``signing_address`` and
``signing_algo``. A third-party report says Venice's text may carry the model id first
(``model:request_hash:response_hash``); both forms are read, and a model named must be ours.

The signature is checked by recovering the signer (libsecp256k1) and comparing its address
with the attested key's; the hashes against the bytes this client sent and received.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .keys import address_of, keccak256

_HASH = re.compile(r"[0-9a-f]{64}")


class ReceiptError(ValueError):
    """A receipt that cannot be read."""


@dataclass(frozen=True, slots=True)
class Receipt:
    text: str
    signature: bytes  # r ‖ s ‖ v, 65 bytes
    request_sha256: str
    response_sha256: str
    model: str | None = None  # when the signed text names one
    signing_address: str | None = None  # as the answer states it (not trusted)


@dataclass(frozen=True, slots=True)
class ReceiptVerdict:
    passed: bool
    detail: str
    signer: str | None = None  # 0x address the signature recovers to


def eip191_digest(text: str) -> bytes:
    """keccak-256 of the Ethereum personal message ``text``."""
    data = text.encode("utf-8")
    return keccak256(b"\x19Ethereum Signed Message:\n" + str(len(data)).encode() + data)


def parse_receipt(answer: Any) -> Receipt:
    """Read ``GET /tee/signature``'s answer (parsed JSON); :class:`ReceiptError` if it is not
    a receipt."""
    if not isinstance(answer, Mapping):
        raise ReceiptError("the receipt is not a JSON object")
    text, signature = answer.get("text"), answer.get("signature")
    if not isinstance(text, str) or not isinstance(signature, str):
        raise ReceiptError("the receipt has no signed text and signature")
    algo = answer.get("signing_algo", "ecdsa")
    if algo != "ecdsa":
        raise ReceiptError(f"the receipt is signed with {algo!r}, not ecdsa")
    try:
        raw = bytes.fromhex(signature.removeprefix("0x"))
    except ValueError:
        raise ReceiptError("the receipt's signature is not hex") from None
    if len(raw) != 65:
        raise ReceiptError(f"the receipt's signature has {len(raw)} bytes, not 65")
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(_HASH.fullmatch(p) for p in parts[-2:]):
        raise ReceiptError("the receipt's text is not request-hash:response-hash")
    address = answer.get("signing_address")
    return Receipt(
        text=text,
        signature=raw,
        request_sha256=parts[-2],
        response_sha256=parts[-1],
        model=parts[0] if len(parts) == 3 else None,
        signing_address=address if isinstance(address, str) else None,
    )


def recover_signer(receipt: Receipt) -> bytes:
    """The 20-byte address whose key made ``receipt.signature`` over its text."""
    from coincurve import PublicKey

    v = receipt.signature[64]
    recovery = v - 27 if v >= 27 else v
    if recovery not in (0, 1):
        raise ReceiptError(f"the receipt's signature has recovery byte {v}, not 27 or 28")
    compact = receipt.signature[:64] + bytes([recovery])
    try:
        digest = eip191_digest(receipt.text)
        key = PublicKey.from_signature_and_message(compact, digest, hasher=None)
    except ValueError:
        raise ReceiptError("the receipt's signature recovers no key") from None
    return address_of(key.format(compressed=False))


def verify_receipt(
    answer: Any,
    *,
    signing_key: bytes,
    model: str,
    request_sha256: str | None = None,
    response_sha256: str | None = None,
) -> ReceiptVerdict:
    """Check a receipt against the attested ``signing_key`` (uncompressed point) and, when
    given, the SHA-256 (hex) of the request and response bytes of the exchange as this client
    sent and received them; never raises for a bad receipt."""
    try:
        receipt = parse_receipt(answer)
        signer = "0x" + recover_signer(receipt).hex()
    except ReceiptError as exc:
        return ReceiptVerdict(False, str(exc))
    attested = "0x" + address_of(signing_key).hex()
    if signer != attested:
        return ReceiptVerdict(False, f"signed by {signer}, not the attested key {attested}", signer)
    if receipt.model is not None and receipt.model != model:
        return ReceiptVerdict(False, f"a receipt for {receipt.model!r}, not {model!r}", signer)
    for name, ours, stated in (
        ("request", request_sha256, receipt.request_sha256),
        ("answer", response_sha256, receipt.response_sha256),
    ):
        if ours is not None and ours.lower() != stated:
            return ReceiptVerdict(
                False, f"signed by the attested key, but for another {name} than ours", signer
            )
    covered = " and ".join(
        name
        for name, ours in (("this request", request_sha256), ("this answer", response_sha256))
        if ours is not None
    )
    what = f"sha256 of {covered}" if covered else f"{receipt.text[:20]}…"
    return ReceiptVerdict(True, f"the attested key {attested} signed {what}", signer)
