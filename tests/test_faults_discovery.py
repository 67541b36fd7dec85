"""Discovery under injected faults: each ends in its documented outcome, within its timeout."""

from __future__ import annotations

import json
import time
import tracemalloc
import zlib
from pathlib import Path
from typing import Any

import pytest

from openclaw_venice import discovery
from openclaw_venice.provider import VeniceProvider
from openclaw_venice.runtime.plugins import ProviderContext
from tests.support import faults
from tests.support.server import LocalServer, Responder, json_reply

TIMEOUT = 0.5
ROWS = [{"id": "llama-3.3-70b", "type": "text", "model_spec": {}}]
GOOD: Responder = lambda request: json_reply({"data": ROWS})  # noqa: E731


@pytest.fixture(autouse=True)
def short_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discovery, "TIMEOUT_SECONDS", TIMEOUT)


def discover(server: LocalServer, tmp_path: Path, warnings: list[str]) -> tuple[Any, float]:
    ctx = ProviderContext(
        config={"baseUrl": server.url}, env={}, cache_dir=tmp_path, warn=warnings.append
    )
    started = time.monotonic()
    catalog = VeniceProvider().catalog(ctx)
    return catalog, time.monotonic() - started


# fault -> (attempts made, outcome); every outcome is reached within its time budget
FALLBACKS: dict[str, tuple[Responder, int]] = {
    "reset before headers": (faults.reset_before_headers(), 3),
    "reset mid-body": (faults.reset_mid_stream(b'{"data": [', content_type="application/json"), 3),
    "headers never come": (faults.headers_never_come(), 3),
    "body stalls": (faults.body_stalls(b'{"data": ['), 3),
    "429 without Retry-After": (faults.status(429), 3),
    "429 with Retry-After": (faults.status(429, headers={"Retry-After": "1"}), 3),
    "500": (faults.status(500), 3),
    "502 html page": (faults.html_error(502), 3),
    "503": (faults.status(503), 3),
    "504": (faults.status(504), 3),
    "401": (faults.status(401), 1),
    "402": (faults.status(402), 1),
    "404": (faults.status(404), 1),
    "413": (faults.status(413), 1),
    "200 html page": (faults.status(200, b"<html>maintenance</html>"), 1),
    "invalid JSON": (faults.status(200, b'{"data": [', {"Content-Type": "application/json"}), 1),
    "50 MB answer": (faults.huge_body(50), 1),
}


@pytest.mark.parametrize("fault", FALLBACKS)
def test_fault_falls_back_to_the_bundle(server: LocalServer, tmp_path: Path, fault: str) -> None:
    responder, attempts = FALLBACKS[fault]
    server.respond(responder)
    warnings: list[str] = []
    catalog, elapsed = discover(server, tmp_path, warnings)
    assert catalog.source == "bundled" and len(catalog.models) > 100
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert len(server.requests) == attempts
    backoff = 0.36 + 0.72
    assert elapsed < attempts * (TIMEOUT + 1.0) + backoff


TRANSIENT = ["reset before headers", "reset mid-body", "headers never come", "body stalls",
             "429 without Retry-After", "429 with Retry-After", "500", "502 html page", "503",
             "504"]  # fmt: skip


@pytest.mark.parametrize("fault", TRANSIENT)
def test_transient_fault_then_success(server: LocalServer, tmp_path: Path, fault: str) -> None:
    server.respond(faults.sequence(FALLBACKS[fault][0], GOOD))
    catalog, _ = discover(server, tmp_path, [])
    assert catalog.source == "live" and [m.id for m in catalog.models] == ["llama-3.3-70b"]
    assert len(server.requests) == 2


def test_connection_refused_falls_back_quickly(tmp_path: Path) -> None:
    warnings: list[str] = []
    ctx = ProviderContext(
        config={"baseUrl": "http://127.0.0.1:9"}, env={}, cache_dir=tmp_path, warn=warnings.append
    )
    started = time.monotonic()
    assert VeniceProvider().catalog(ctx).source == "bundled"
    assert time.monotonic() - started < 3 * (TIMEOUT + 1.0)
    assert "connection refused" in warnings[0]


def test_gzip_answer_is_decoded(server: LocalServer, tmp_path: Path) -> None:
    server.respond(faults.gzip_json({"data": ROWS}))
    catalog, _ = discover(server, tmp_path, [])
    assert catalog.source == "live" and catalog.models[0].id == "llama-3.3-70b"


def test_gzip_bomb_is_capped(server: LocalServer, tmp_path: Path) -> None:
    import gzip

    bomb = gzip.compress(b'{"data": ["' + b"x" * (40 * 2**20))
    server.respond(faults.status(200, bomb, {"Content-Encoding": "gzip"}))
    warnings: list[str] = []
    catalog, _ = discover(server, tmp_path, warnings)
    assert catalog.source == "bundled" and "larger than" in warnings[0]
    assert json.dumps(warnings)  # one plain line, nothing binary


def test_corrupt_gzip_falls_back_with_one_warning(server: LocalServer, tmp_path: Path) -> None:
    body = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"not deflate" * 20
    server.respond(faults.status(200, body, {"Content-Encoding": "gzip"}))
    warnings: list[str] = []
    catalog, _ = discover(server, tmp_path, warnings)
    assert catalog.source == "bundled" and len(server.requests) == 1
    assert len(warnings) == 1 and "could not be decompressed" in warnings[0]


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib", "raw"])
def test_deflate_answer_is_decoded(server: LocalServer, tmp_path: Path, wbits: int) -> None:
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    body = packer.compress(json.dumps({"data": ROWS}).encode()) + packer.flush()
    server.respond(faults.status(200, body, {"Content-Encoding": "deflate"}))
    catalog, _ = discover(server, tmp_path, [])
    assert catalog.source == "live" and catalog.models[0].id == "llama-3.3-70b"


@pytest.mark.parametrize(
    "responder",
    [faults.huge_body(50), faults.gzip_bomb(64)],
    ids=["50 MB answer", "gzip bomb (64 MB)"],
)
def test_big_answers_stay_within_the_cap(
    server: LocalServer, tmp_path: Path, responder: Responder
) -> None:
    server.respond(responder)
    tracemalloc.start()
    try:
        catalog, _ = discover(server, tmp_path, [])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert catalog.source == "bundled"
    assert peak < discovery.MAX_BODY_BYTES + 8 * 2**20, f"peak {peak / 2**20:.0f} MB"
