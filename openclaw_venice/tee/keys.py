"""secp256k1 keys and the E2EE packet (Venice's ECIES), with ``cryptography``.

Packet (hex on the wire): ephemeral public key (65 bytes, ``04‖X‖Y``) ‖ AES-GCM nonce
(12) ‖ ciphertext ‖ tag (16). Shared secret: the 32-byte x coordinate of ECDH(ephemeral,
recipient); key: HKDF-SHA256(secret, no salt, info ``b"ecdsa_encryption"``, 32 bytes);
AES-256-GCM without associated data. A fresh ephemeral key per packet.
"""

from __future__ import annotations

import os

from Crypto.Hash import keccak
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

HKDF_INFO = b"ecdsa_encryption"
POINT_SIZE = 65
NONCE_SIZE = 12
TAG_SIZE = 16
_CURVE = ec.SECP256K1()


class PacketError(ValueError):
    """A packet that is not hex, too short, or does not open with our key."""


def keccak256(data: bytes) -> bytes:
    """Ethereum's keccak-256 (not ``hashlib.sha3_256``: the padding differs)."""
    return keccak.new(digest_bits=256, data=data).digest()


def address_of(public_point: bytes) -> bytes:
    """The 20-byte Ethereum-style address of an uncompressed public key."""
    return keccak256(public_point[1:])[12:]


def load_public_key(point: bytes) -> ec.EllipticCurvePublicKey:
    """An uncompressed secp256k1 point (65 bytes, ``04‖X‖Y``); ValueError if not on the curve."""
    if len(point) != POINT_SIZE or point[0] != 4:
        raise ValueError("not an uncompressed secp256k1 point (65 bytes starting 04)")
    return ec.EllipticCurvePublicKey.from_encoded_point(_CURVE, point)


def point_of(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


class ClientKey:
    """A session's key pair. The private half never leaves this object: no repr, no pickling."""

    __slots__ = ("_private", "public_point")

    def __init__(self, private: ec.EllipticCurvePrivateKey | None = None) -> None:
        self._private = private or ec.generate_private_key(_CURVE)
        self.public_point = point_of(self._private.public_key())

    @property
    def public_hex(self) -> str:
        return self.public_point.hex()

    def decrypt(self, packet_hex: str) -> bytes:
        return open_packet(self._private, packet_hex)

    def __repr__(self) -> str:
        return f"ClientKey(public={self.public_hex[:18]}…)"

    def __reduce__(self) -> str:
        raise TypeError("a session key cannot be pickled")


def _aes_key(private: ec.EllipticCurvePrivateKey, peer: ec.EllipticCurvePublicKey) -> bytes:
    secret = private.exchange(ec.ECDH(), peer)  # the x coordinate, 32 bytes
    return HKDF(hashes.SHA256(), 32, salt=None, info=HKDF_INFO).derive(secret)


def seal(
    recipient_point: bytes,
    plaintext: bytes,
    *,
    _ephemeral: ec.EllipticCurvePrivateKey | None = None,
    _nonce: bytes | None = None,
) -> str:
    """A packet (hex) that only the holder of ``recipient_point``'s private key opens.
    (``_ephemeral``/``_nonce`` exist for the known-answer test only: never reuse them.)"""
    recipient = load_public_key(recipient_point)
    ephemeral = _ephemeral or ec.generate_private_key(_CURVE)
    nonce = _nonce or os.urandom(NONCE_SIZE)
    sealed = AESGCM(_aes_key(ephemeral, recipient)).encrypt(nonce, plaintext, None)
    return (point_of(ephemeral.public_key()) + nonce + sealed).hex()


def open_packet(private: ec.EllipticCurvePrivateKey, packet_hex: str) -> bytes:
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
        return AESGCM(_aes_key(private, ephemeral)).decrypt(
            nonce, packet[POINT_SIZE + NONCE_SIZE :], None
        )
    except InvalidTag:
        raise PacketError("the encrypted field does not open with this session's key") from None
