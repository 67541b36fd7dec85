"""secp256k1 keys and the E2EE packet (Venice's ECIES).

Packet (hex on the wire): ephemeral public key (65 bytes, ``04‖X‖Y``) ‖ AES-GCM nonce
(12) ‖ ciphertext ‖ tag (16). Shared secret: the 32-byte x coordinate of ECDH(ephemeral,
recipient); key: HKDF-SHA256(secret, no salt, info ``b"ecdsa_encryption"``, 32 bytes);
AES-256-GCM without associated data. A fresh ephemeral key per packet.

The key agreement runs in libsecp256k1 (``coincurve``): a point multiplication there takes
a tenth of OpenSSL's secp256k1 ``exchange``, which was nearly all of the time spent opening a
streamed delta. HKDF is one HMAC-SHA256 extract and one expand block (stdlib ``hmac``);
AES-GCM is ``cryptography``'s. tests/test_tee_crypto.py proves the format against OpenSSL's
ECDH and pycryptodome's HKDF and AES-GCM.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from coincurve import PrivateKey, PublicKey
from Crypto.Hash import keccak
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

HKDF_INFO = b"ecdsa_encryption"
POINT_SIZE = 65
NONCE_SIZE = 12
TAG_SIZE = 16
_NO_SALT = bytes(32)  # RFC 5869: an absent salt is HashLen zero bytes


class PacketError(ValueError):
    """A packet that is not hex, too short, or does not open with our key."""


def keccak256(data: bytes) -> bytes:
    """Ethereum's keccak-256 (not ``hashlib.sha3_256``: the padding differs)."""
    return keccak.new(digest_bits=256, data=data).digest()


def address_of(public_point: bytes) -> bytes:
    """The 20-byte Ethereum-style address of an uncompressed public key."""
    return keccak256(public_point[1:])[12:]


def load_public_key(point: bytes) -> PublicKey:
    """An uncompressed secp256k1 point (65 bytes, ``04‖X‖Y``); ValueError if not on the curve."""
    if len(point) != POINT_SIZE or point[0] != 4:
        raise ValueError("not an uncompressed secp256k1 point (65 bytes starting 04)")
    return PublicKey(point)  # ValueError when the point is not on the curve


class ClientKey:
    """A request's key pair. The private half never leaves this object: no repr, no pickling."""

    __slots__ = ("_private", "public_point")

    def __init__(self, scalar: bytes | None = None) -> None:
        self._private = PrivateKey(scalar) if scalar is not None else PrivateKey()
        self.public_point: bytes = self._private.public_key.format(compressed=False)

    @property
    def public_hex(self) -> str:
        return self.public_point.hex()

    def decrypt(self, packet_hex: str) -> bytes:
        return open_packet(self._private, packet_hex)

    def __repr__(self) -> str:
        return f"ClientKey(public={self.public_hex[:18]}…)"

    def __reduce__(self) -> str:
        raise TypeError("a session key cannot be pickled")


def _aes_key(scalar: bytes, peer: PublicKey) -> bytes:
    shared = peer.multiply(scalar).format(compressed=False)[1:33]  # ECDH: the x coordinate
    prk = hmac.digest(_NO_SALT, shared, hashlib.sha256)
    return hmac.digest(prk, HKDF_INFO + b"\x01", hashlib.sha256)  # one 32-byte block


def seal(
    recipient_point: bytes,
    plaintext: bytes,
    *,
    _ephemeral: bytes | None = None,
    _nonce: bytes | None = None,
) -> str:
    """A packet (hex) that only the holder of ``recipient_point``'s private key opens.
    (``_ephemeral`` (a scalar) and ``_nonce`` exist for the known-answer test only: never
    reuse them.)"""
    recipient = load_public_key(recipient_point)
    ephemeral = PrivateKey(_ephemeral) if _ephemeral is not None else PrivateKey()
    nonce = _nonce or os.urandom(NONCE_SIZE)
    sealed = AESGCM(_aes_key(ephemeral.secret, recipient)).encrypt(nonce, plaintext, None)
    return (ephemeral.public_key.format(compressed=False) + nonce + sealed).hex()


def open_packet(private: PrivateKey, packet_hex: str) -> bytes:
    try:
        packet = bytes.fromhex(packet_hex)
    except ValueError:
        raise PacketError("the encrypted field is not hex") from None
    if len(packet) < POINT_SIZE + NONCE_SIZE + TAG_SIZE:
        raise PacketError("the encrypted field is too short")
    try:
        ephemeral = load_public_key(packet[:POINT_SIZE])
    except ValueError:
        raise PacketError("the encrypted field's ephemeral key is not a secp256k1 point") from None
    nonce = packet[POINT_SIZE : POINT_SIZE + NONCE_SIZE]
    try:
        return AESGCM(_aes_key(private.secret, ephemeral)).decrypt(
            nonce, packet[POINT_SIZE + NONCE_SIZE :], None
        )
    except InvalidTag:
        raise PacketError("the encrypted field does not open with this session's key") from None
