"""The TD behind the fake enclave: Venice's, as the real capture measures it (its event log,
app compose, ``info`` and TD report fields), or another TD an attacker could run on any Intel
TDX machine: another firmware (MRTD), another TDX module (MRSEAM), another app id or key
provider in RTMR3, another compose. Every change is measured as a TD would measure it: RTMR3
events are re-hashed and the four RTMRs replayed from the log, so the attacker's document is
self-consistent and only the identity policy can tell it from Venice's.
"""

from __future__ import annotations

import copy
import hashlib
import json
import struct
from dataclasses import dataclass, field
from typing import Any

from tests.support.tee_capture import capture

#: TD report body offsets (Intel's TD quote body layout)
OFFSETS = {
    "mrseam": 16, "td_attributes": 120, "xfam": 128, "mrtd": 136, "mrowner": 232,
    "mrownerconfig": 280, "rtmr0": 328, "rtmr1": 376, "rtmr2": 424, "rtmr3": 472,
}  # fmt: skip


def runtime_digest(event_type: int, name: str, payload: bytes) -> str:
    head = struct.pack("<I", event_type) + b":" + name.encode() + b":"
    return hashlib.sha384(head + payload).hexdigest()


def replay(events: list[dict[str, Any]]) -> list[bytes]:
    rtmrs = [bytes(48)] * 4
    for event in events:
        imr = event["imr"]
        rtmrs[imr] = hashlib.sha384(rtmrs[imr] + bytes.fromhex(event["digest"])).digest()
    return rtmrs


@dataclass
class FakeTd:
    app_compose: str
    event_log: list[dict[str, Any]]
    info: dict[str, Any]  # without tcb_info, which is derived
    fields: dict[str, bytes] = field(default_factory=dict)  # TD report fields to replace
    __test__ = False

    @property
    def compose_hash(self) -> bytes:
        return hashlib.sha256(self.app_compose.encode()).digest()

    @property
    def mrconfigid(self) -> bytes:
        return b"\x01" + self.compose_hash + bytes(15)

    def body_fields(self) -> dict[int, bytes]:
        """What to write into the TD report body (by offset): the RTMRs replayed from the
        log, then any field this TD replaces."""
        out = {OFFSETS[f"rtmr{i}"]: value for i, value in enumerate(replay(self.event_log))}
        out.update({OFFSETS[name]: value for name, value in self.fields.items()})
        return out

    def tcb_info(self, quote: bytes) -> dict[str, Any]:
        body = quote[48 : 48 + 584]
        registers = {name: body[OFFSETS[name] : OFFSETS[name] + 48].hex()
                     for name in ("mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3")}  # fmt: skip
        return {
            **registers,
            "app_compose": self.app_compose,
            "compose_hash": self.compose_hash.hex(),
            "os_image_hash": self.info.get("os_image_hash", ""),
            "event_log": copy.deepcopy(self.event_log),
        }

    def set_event(self, name: str, payload: bytes) -> None:
        """Measure ``name`` with ``payload`` in RTMR3 as dstack would (digest re-hashed)."""
        for event in self.event_log:
            if event["imr"] == 3 and event["event"] == name:
                event["event_payload"] = payload.hex()
                event["digest"] = runtime_digest(event["event_type"], name, payload)
                return
        raise KeyError(name)


def venice_td() -> FakeTd:
    """The TD of the real capture, value for value."""
    doc = capture().document
    info = {k: v for k, v in doc["info"].items() if k != "tcb_info"}
    tcb = doc["info"]["tcb_info"]
    return FakeTd(tcb["app_compose"], copy.deepcopy(doc["event_log"]), copy.deepcopy(info))


def another_td(
    *,
    app_id: bytes | None = None,
    key_provider: dict[str, str] | None = None,
    compose: str | None = None,
    kernel: bytes | None = None,
    **fields: bytes,
) -> FakeTd:
    """A TD that is not Venice's: its RTMR3 names ``app_id`` / ``key_provider`` / runs
    ``compose``, its boot loaded another ``kernel`` (one more RTMR1 event with this digest),
    and its report carries ``fields`` (``mrtd=…``, ``mrseam=…``)."""
    td = venice_td()
    if kernel is not None:
        boot = {"imr": 1, "event_type": 0x80000003, "digest": kernel.hex(), "event": "",
                "event_payload": ""}  # fmt: skip
        first_runtime = next(i for i, e in enumerate(td.event_log) if e["imr"] == 3)
        td.event_log.insert(first_runtime, boot)
    if app_id is not None:
        td.set_event("app-id", app_id)
        td.info["app_id"] = app_id.hex()
    if key_provider is not None:
        text = json.dumps(key_provider, separators=(",", ":"))
        td.set_event("key-provider", text.encode())
        td.info["key_provider_info"] = text
    if compose is not None:
        td.app_compose = compose
        td.set_event("compose-hash", td.compose_hash)
        td.info["compose_hash"] = td.compose_hash.hex()
    td.fields.update(fields)
    return td


def compose_with_image(old: str, new: str) -> str:
    """The real app compose with image ``old`` (a prefix) swapped for ``new``."""
    value = json.loads(venice_td().app_compose)
    text = value["docker_compose_file"]
    start = text.index(old)
    end = text.index("\n", start)
    value["docker_compose_file"] = text[:start] + new + text[end:]
    return json.dumps(value, indent=4)
