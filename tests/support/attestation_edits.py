"""Changes to an attestation document (Venice's ``/tee/attestation`` answer, real or from the
fake enclave), each one a way it could be forged; the checks that must catch them are in
tests/test_tee_verify.py and tests/test_e2ee_chat.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openclaw_venice.tee.keys import ClientKey, address_of

Edit = Callable[[dict[str, Any]], None]


def quote_with(offset: int, value: int | None = None, xor: int = 0) -> Edit:
    """The TDX quote with the byte at ``offset`` set to ``value``, or XORed with ``xor``."""

    def change(doc: dict[str, Any]) -> None:
        raw = bytearray(bytes.fromhex(doc["intel_quote"]))
        raw[offset] = value if value is not None else raw[offset] ^ xor
        doc["intel_quote"] = raw.hex()

    return change


def other_signing_key(doc: dict[str, Any]) -> None:
    """The document claims a signing key (and address) the quote does not bind."""
    point = ClientKey().public_point
    doc["signing_key"] = doc["signing_public_key"] = point.hex()
    doc["signing_address"] = "0x" + address_of(point).hex()


def set_path(*path: str, value: Any) -> Edit:
    """The document with the field at ``path`` (keys, outermost first) set to ``value``."""

    def change(doc: dict[str, Any]) -> None:
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change
