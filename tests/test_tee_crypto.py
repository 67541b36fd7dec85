"""The E2EE packet, proven against an independent implementation: ours runs the key agreement
in libsecp256k1 (coincurve); OpenSSL's ECDH (``cryptography``) and pycryptodome's HKDF and
AES-GCM build and open the same packet from the same scalars, byte for byte; keccak-256
against known answers."""

from __future__ import annotations

import hashlib
import os
import pickle

import pytest
from Crypto.Cipher import AES
from Crypto.Hash import SHA256
from Crypto.Protocol.KDF import HKDF
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from openclaw_venice.tee import keys
from tests.support.tee_capture import capture


def scalar_key(scalar: bytes) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(int.from_bytes(scalar, "big"), ec.SECP256K1())


def openssl_point(scalar: bytes) -> bytes:
    return (
        scalar_key(scalar)
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )


def openssl_shared(scalar: bytes, peer: bytes) -> bytes:
    """OpenSSL's ECDH: the x coordinate of scalar * peer."""
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), peer)
    return scalar_key(scalar).exchange(ec.ECDH(), public)


def independent_seal(recipient: bytes, plaintext: bytes, scalar: bytes, nonce: bytes) -> str:
    key = HKDF(openssl_shared(scalar, recipient), 32, b"", SHA256, context=b"ecdsa_encryption")
    ciphertext, tag = AES.new(key, AES.MODE_GCM, nonce=nonce).encrypt_and_digest(plaintext)
    return (openssl_point(scalar) + nonce + ciphertext + tag).hex()


def independent_open(scalar: bytes, packet_hex: str) -> bytes:
    packet = bytes.fromhex(packet_hex)
    peer, nonce, body = packet[:65], packet[65:77], packet[77:]
    key = HKDF(openssl_shared(scalar, peer), 32, b"", SHA256, context=b"ecdsa_encryption")
    cipher = AES.new(key, AES.MODE_GCM, nonce=nonce)
    return cipher.decrypt_and_verify(body[:-16], body[-16:])


def test_the_same_scalars_make_the_same_packet_in_both_implementations() -> None:
    recipient_scalar, ephemeral_scalar, nonce = os.urandom(32), os.urandom(32), os.urandom(12)
    recipient = openssl_point(recipient_scalar)
    text = "Bonjour, enclave! ✓".encode()
    ours = keys.seal(recipient, text, _ephemeral=ephemeral_scalar, _nonce=nonce)
    assert ours == independent_seal(recipient, text, ephemeral_scalar, nonce)
    assert len(bytes.fromhex(ours)) == 65 + 12 + len(text) + 16


def test_each_implementation_opens_the_others_packets() -> None:
    client_scalar = os.urandom(32)
    client = keys.ClientKey(client_scalar)
    assert client.public_point == openssl_point(client_scalar)
    theirs = independent_seal(
        client.public_point, b"from the enclave", os.urandom(32), os.urandom(12)
    )
    assert client.decrypt(theirs) == b"from the enclave"
    ours = keys.seal(client.public_point, b"to the enclave")  # random ephemeral and nonce
    assert independent_open(client_scalar, ours) == b"to the enclave"


def test_a_packet_for_another_key_or_tampered_does_not_open() -> None:
    client, other = keys.ClientKey(), keys.ClientKey()
    packet = keys.seal(other.public_point, b"secret")
    with pytest.raises(keys.PacketError, match="does not open"):
        client.decrypt(packet)
    flipped = bytearray(bytes.fromhex(keys.seal(client.public_point, b"secret")))
    flipped[-1] ^= 1
    with pytest.raises(keys.PacketError, match="does not open"):
        client.decrypt(flipped.hex())
    with pytest.raises(keys.PacketError, match="not hex"):
        client.decrypt("zz" * 100)
    with pytest.raises(keys.PacketError, match="too short"):
        client.decrypt("04" * 10)


def test_two_packets_of_the_same_text_differ() -> None:
    recipient = keys.ClientKey().public_point
    assert keys.seal(recipient, b"same") != keys.seal(recipient, b"same")


def test_keccak256_is_ethereums_not_sha3() -> None:
    empty = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert keys.keccak256(b"").hex() == empty
    assert hashlib.sha3_256(b"").hexdigest() != empty
    real = capture().document  # Venice computed this address from the key itself
    point = bytes.fromhex(real["signing_key"])
    assert "0x" + keys.address_of(point).hex() == real["signing_address"]


def test_the_private_key_is_in_no_repr_and_cannot_be_pickled() -> None:
    scalar = os.urandom(32)
    client = keys.ClientKey(scalar)
    shown = repr(client) + str(client)
    assert scalar.hex() not in shown and str(int.from_bytes(scalar, "big")) not in shown
    assert client.public_hex[:18] in shown
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(client)
    assert not hasattr(client, "__dict__")


def test_a_point_off_the_curve_is_refused() -> None:
    point = bytearray(keys.ClientKey().public_point)
    point[-1] ^= 1
    with pytest.raises(ValueError):
        keys.load_public_key(bytes(point))
    with pytest.raises(ValueError, match="uncompressed"):
        keys.load_public_key(b"\x02" + bytes(32))


def test_the_tee_libraries_load_only_for_e2ee() -> None:
    """Startup figures must not move: the package, the plugin, the chat client and the CLI's
    entry module import none of cryptography, coincurve, pycryptodome, dcap-qvl or our tee
    package."""
    import subprocess
    import sys

    code = (
        "import sys, openclaw_venice, openclaw_venice.plugin, openclaw_venice.chat.client\n"
        "import openclaw_venice.runtime.cli\n"
        "heavy = {'cryptography', 'coincurve', 'Crypto', 'dcap_qvl', 'openclaw_venice.tee'}\n"
        "heavy &= set(sys.modules)\n"
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
