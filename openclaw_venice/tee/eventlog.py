"""The TD's event log (dstack's ``event_log``): read, replayed into the four RTMRs, and the
runtime events of RTMR3 that name the app.

Facts (e2ee.md, dstack's verifier): each entry is ``{imr, event_type, digest, event,
event_payload}`` (digest and payload hex). Replay: every RTMR starts as 48 zero bytes and each
event extends its register, ``rtmr[imr] = SHA-384(rtmr[imr] || digest)``. RTMR3 holds dstack's
runtime events; each one's digest is ``SHA-384(event_type u32 LE || ":" || name || ":" ||
payload)``, so its payload is as measured as its digest. Both real captures replay exactly.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

RTMR_SIZE = 48
MAX_EVENTS = 4096  # a real log has 30; more is not a log this package reads
DSTACK_EVENT_TYPE = 0x08000001  # dstack's runtime events in RTMR3 (134217729)
#: the runtime events whose payload names the app; each must appear exactly once
IDENTITY_EVENTS = ("app-id", "compose-hash", "instance-id", "key-provider", "os-image-hash")


class EventLogError(ValueError):
    """The event log is missing or not one this package can read (one line, the reason)."""


@dataclass(frozen=True, slots=True)
class Event:
    imr: int
    event_type: int
    digest: bytes
    name: str
    payload: bytes


def read_log(value: Any) -> tuple[Event, ...]:
    """The events of ``value``: a list of entries, or that list as a JSON string (the
    workload attestation sends it so)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            raise EventLogError("the event log is not JSON") from None
    if not isinstance(value, list) or not value:
        raise EventLogError("there is no event log" if not value else "the event log is no list")
    if len(value) > MAX_EVENTS:
        raise EventLogError(f"the event log has {len(value)} events, more than {MAX_EVENTS}")
    return tuple(_event(i, entry) for i, entry in enumerate(value))


def _event(index: int, entry: Any) -> Event:
    if not isinstance(entry, Mapping):
        raise EventLogError(f"event {index} is not an object")
    imr, kind = entry.get("imr"), entry.get("event_type")
    name = entry.get("event", "")
    if type(imr) is not int or not 0 <= imr <= 3:
        raise EventLogError(f"event {index} names register {imr!r}, not 0-3")
    if type(kind) is not int or not 0 <= kind <= 0xFFFFFFFF:
        raise EventLogError(f"event {index} has event_type {kind!r}")
    if not isinstance(name, str) or not _utf8(name):
        raise EventLogError(f"event {index} has a name that is no UTF-8 string")
    digest = _hex(entry.get("digest"), f"event {index} digest")
    if len(digest) != RTMR_SIZE:
        raise EventLogError(f"event {index} digest has {len(digest)} bytes, not 48")
    payload = _hex(entry.get("event_payload", ""), f"event {index} payload")
    return Event(imr, kind, digest, name, payload)


def _utf8(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:  # a lone surrogate, sent as a JSON escape
        return False
    return True


def _hex(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise EventLogError(f"{what} is not hex")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise EventLogError(f"{what} is not hex") from None


def replay(events: Sequence[Event]) -> tuple[bytes, bytes, bytes, bytes]:
    """RTMR0-3 as the events extend them from zero."""
    rtmrs = [bytes(RTMR_SIZE)] * 4
    for event in events:
        rtmrs[event.imr] = hashlib.sha384(rtmrs[event.imr] + event.digest).digest()
    return rtmrs[0], rtmrs[1], rtmrs[2], rtmrs[3]


def runtime_digest(event_type: int, name: str, payload: bytes) -> bytes:
    """What a dstack runtime event's digest must be (dstack's ``emit_runtime_event``)."""
    return hashlib.sha384(
        struct.pack("<I", event_type) + b":" + name.encode() + b":" + payload
    ).digest()


def mismeasured(events: Sequence[Event]) -> Event | None:
    """The first RTMR3 event whose digest is not the hash of its type, name and payload."""
    for event in events:
        if event.imr == 3 and event.digest != runtime_digest(
            event.event_type, event.name, event.payload
        ):
            return event
    return None


def runtime_events(events: Sequence[Event]) -> dict[str, bytes]:
    """The payload of each identity event of RTMR3, by name. Raises when one is missing, is
    measured twice (a second ``app-id`` would let a log name two apps), or comes after
    ``system-ready`` (from then on the app itself may extend RTMR3)."""
    found: dict[str, bytes] = {}
    ready = False
    for event in events:
        if event.imr != 3:
            continue
        if event.event_type == DSTACK_EVENT_TYPE and event.name == "system-ready":
            ready = True
        if event.name not in IDENTITY_EVENTS:
            continue
        if event.name in found:
            raise EventLogError(f"RTMR3 measures '{event.name}' twice")
        if ready or event.event_type != DSTACK_EVENT_TYPE:
            raise EventLogError(f"RTMR3's '{event.name}' event is not dstack's own")
        found[event.name] = event.payload
    missing = [name for name in IDENTITY_EVENTS if name not in found]
    if missing:
        raise EventLogError(f"RTMR3 has no '{missing[0]}' event")
    if not ready:
        raise EventLogError("RTMR3 has no 'system-ready' event")
    return found


def same_log(a: Sequence[Event], b: Sequence[Event]) -> bool:
    return tuple(a) == tuple(b)
