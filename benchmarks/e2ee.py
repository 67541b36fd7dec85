"""E2EE benchmark: the cost of opening one sealed ``delta.content`` (issue 21, item 9).

    python benchmarks/e2ee.py [--runs N]

Each streamed delta of an E2EE answer is its own packet: an ephemeral secp256k1 key, ECDH
with the client's key, HKDF-SHA256, AES-256-GCM. Side by side, each the median of N runs of
2,000 opens, taking turns so a busy moment of the machine hits them alike:

* the floor: libsecp256k1's own ECDH (``coincurve``'s ``PrivateKey.ecdh``), ``cryptography``'s
  HKDF and AES-GCM, on a packet sealed for that derivation (same sizes, same work);
* ours: ``ClientKey.decrypt`` (``openclaw_venice.tee.keys``);
* OpenSSL's secp256k1 ``exchange`` in place of libsecp256k1 (how it was done before).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

Row = tuple[str, str, str]
OPENS = 2_000
TEXT = b" the"  # a typical delta: one token


def _openers() -> dict[str, Callable[[], bytes]]:
    from coincurve import PrivateKey
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    from openclaw_venice.tee.keys import HKDF_INFO, ClientKey, seal

    def hkdf(secret: bytes) -> bytes:
        return HKDF(hashes.SHA256(), 32, salt=None, info=HKDF_INFO).derive(secret)

    ours = ClientKey()
    packet = seal(ours.public_point, TEXT)

    client = PrivateKey()
    ephemeral = PrivateKey()
    nonce = os.urandom(12)
    floor_key = hkdf(ephemeral.ecdh(client.public_key.format(compressed=False)))
    floor_packet = (
        ephemeral.public_key.format(compressed=False)
        + nonce
        + AESGCM(floor_key).encrypt(nonce, TEXT, None)
    ).hex()

    def floor() -> bytes:
        raw = bytes.fromhex(floor_packet)
        key = hkdf(client.ecdh(raw[:65]))
        return AESGCM(key).decrypt(raw[65:77], raw[77:], None)

    openssl_private = ec.derive_private_key(
        int.from_bytes(os.urandom(31), "big") + 1, ec.SECP256K1()
    )
    openssl_point = openssl_private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    openssl_packet = seal(openssl_point, TEXT)

    def openssl() -> bytes:
        raw = bytes.fromhex(openssl_packet)
        peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), raw[:65])
        key = hkdf(openssl_private.exchange(ec.ECDH(), peer))
        return AESGCM(key).decrypt(raw[65:77], raw[77:], None)

    def decrypt() -> bytes:
        return ours.decrypt(packet)

    return {"floor": floor, "ours": decrypt, "openssl": openssl}


def _time(fn: Callable[[], bytes]) -> float:
    start = time.perf_counter()
    for _ in range(OPENS):
        fn()
    return (time.perf_counter() - start) / OPENS


def rows(runs: int) -> list[Row]:
    openers = _openers()
    for fn in openers.values():
        assert fn() == TEXT
    times: dict[str, list[float]] = {name: [] for name in openers}
    for _ in range(runs):
        for name, fn in openers.items():
            times[name].append(_time(fn))
    floor, ours, openssl = (statistics.median(times[n]) * 1e6 for n in openers)
    label = "open one sealed delta"
    return [
        (f"{label}: libsecp256k1 ECDH+HKDF+AES-GCM", f"{floor:.1f} µs", "(the floor)"),
        (f"{label}: ClientKey.decrypt", f"{ours:.1f} µs", f"{ours / floor:.2f}x the floor"),
        (f"{label}: with OpenSSL's ECDH", f"{openssl:.1f} µs", f"{openssl / floor:.2f}x (before)"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement (median)")
    args = parser.parse_args()
    for label, value, note in rows(args.runs):
        print(f"{label:<55}  {value:>10}  {note}")


if __name__ == "__main__":
    main()
