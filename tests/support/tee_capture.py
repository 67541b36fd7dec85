"""The real attestation capture in ``tests/data/venice-api/tee/`` (see its PROVENANCE.md):
Venice's ``/tee/attestation`` answer with its nonce, and Intel's collateral of that day."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from openclaw_venice.tee.collateral import Answer, Collateral, assemble

CAPTURE = Path(__file__).resolve().parents[1] / "data" / "venice-api" / "tee" / "2026-04-24"
PCS_FILES = {"tcb": "0002", "qe": "0003", "pckcrl": "0004", "rootcrl": "0005"}


@dataclass(frozen=True)
class Capture:
    document: dict[str, Any]
    body: bytes
    nonce: bytes
    model: str
    captured_at: datetime


def _file(prefix: str, suffix: str) -> Path:
    return next(CAPTURE.glob(f"{prefix}_*{suffix}"))


def pcs_answer(name: str) -> Answer:
    """Intel's answer as captured: headers (lower-case names) and body bytes."""
    meta = json.loads(_file(PCS_FILES[name], ".json").read_text())
    headers = {k.lower(): v[0] for k, v in meta["headers"].items()}
    return Answer(headers, _file(PCS_FILES[name], ".body").read_bytes())


def pcs_url_path(name: str) -> str:
    """The path and query Intel was asked (``/tdx/certification/v4/tcb?fmspc=…``)."""
    url = json.loads(_file(PCS_FILES[name], ".json").read_text())["url"]
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@cache
def capture() -> Capture:
    manifest = json.loads((CAPTURE / "manifest.json").read_text())
    body = _file("0001", ".body").read_bytes()
    when = datetime.fromisoformat(manifest["captured_at"].replace("Z", "+00:00"))
    return Capture(
        json.loads(body), body, bytes.fromhex(manifest["nonce_hex"]), manifest["model"], when
    )


@cache
def collateral() -> Collateral:
    return assemble({name: pcs_answer(name) for name in PCS_FILES})
