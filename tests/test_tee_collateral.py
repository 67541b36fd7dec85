"""Intel's collateral fetched at run time from a loopback stand-in for Intel's PCS that serves
the captured answers (tests/data/venice-api/tee/), cached on disk while fresh, and refused when
Intel's answers are missing or broken."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import pytest

from openclaw_venice.tee import CollateralCache, CollateralError, PcsEndpoints, verify_attestation
from openclaw_venice.tee.collateral import Collateral, fetch_collateral
from openclaw_venice.wire.client import Wire
from tests.support.server import LocalServer, Reply, Request
from tests.support.tee_capture import PCS_FILES, capture, collateral, pcs_answer, pcs_url_path


def intel_stand_in(server: LocalServer, drop_header: str | None = None) -> None:
    routes = {pcs_url_path(name).split("?")[0]: name for name in PCS_FILES}
    queries = {name: pcs_url_path(name).partition("?")[2] for name in PCS_FILES}

    def answer(request: Request) -> Reply:
        name = routes.get(request.path)
        got = "&".join(f"{k}={v[0]}" for k, v in request.query.items())
        if name is None or got != queries[name]:
            return Reply(404, b"not found")
        real = pcs_answer(name)
        headers = {k: v for k, v in real.headers.items() if k in _PCS_HEADERS}
        if drop_header:
            headers.pop(drop_header, None)
        return Reply(200, real.body, headers)

    server.respond(answer)


_PCS_HEADERS = {
    "tcb-info-issuer-chain",
    "sgx-enclave-identity-issuer-chain",
    "sgx-pck-crl-issuer-chain",
    "content-type",
}


def fetch(server: LocalServer, cache: CollateralCache | None) -> Collateral:
    endpoints = PcsEndpoints(api=server.url, certificates=server.url)

    async def run() -> Collateral:
        async with Wire(server.url) as wire:
            return await fetch_collateral(wire, "90C06F000000", "platform", endpoints, cache)

    return asyncio.run(run())


def test_collateral_is_fetched_from_the_pcs_and_matches_the_capture(server: LocalServer) -> None:
    intel_stand_in(server)
    fetched = fetch(server, None)
    assert fetched == collateral()
    assert sorted(r.path for r in server.requests) == sorted(
        pcs_url_path(n).split("?")[0] for n in PCS_FILES
    )


def test_collateral_is_cached_while_fresh(server: LocalServer, tmp_path: Path) -> None:
    intel_stand_in(server)
    captured = capture().captured_at.timestamp()
    clock = [captured]
    cache = CollateralCache(tmp_path / "tee", clock=lambda: clock[0])
    first = fetch(server, cache)
    assert len(server.requests) == 4
    path = cache.path("90C06F000000", "platform", PcsEndpoints(server.url, server.url))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    clock[0] = captured + 3600
    assert fetch(server, cache) == first
    assert len(server.requests) == 4  # from the cache: nothing asked
    clock[0] = captured + 25 * 3600  # older than a day: asked again
    fetch(server, cache)
    assert len(server.requests) == 8


def test_a_stale_cache_past_next_update_is_not_used(server: LocalServer, tmp_path: Path) -> None:
    intel_stand_in(server)
    cache = CollateralCache(tmp_path / "tee")  # real clock: months past the nextUpdate
    fetch(server, cache)
    fetch(server, cache)
    assert len(server.requests) == 8


def _cached(next_update: object = None, **change: object) -> str:
    """A cache file as ``CollateralCache.write`` makes it, with one part broken."""
    import json

    inner = json.loads(collateral().to_json())
    if next_update is not None:
        tcb = json.loads(inner["tcb_info"])
        tcb["nextUpdate"] = next_update
        inner["tcb_info"] = json.dumps(tcb)
    payload: dict[str, object] = {"fetchedAt": capture().captured_at.timestamp()}
    payload["collateral"] = json.dumps(inner)
    payload.update(change)
    return json.dumps(payload)


CORRUPT_CACHE = {
    "not JSON": "{not json",
    "deeply nested": "[" * 100_000 + "]" * 100_000,
    "nested in the collateral": _cached(collateral="[" * 50_000 + "]" * 50_000),
    "a list": "[]",
    "no collateral": _cached(collateral=None),
    "collateral an object": _cached(collateral={"tcb_info": 1}),
    "nextUpdate a number": _cached(next_update=1_800_000_000),
    "fetchedAt a word": _cached(fetchedAt="yesterday"),
    "fetchedAt huge": _cached(fetchedAt=10**400),
    "not UTF-8": "\udcff",
}


@pytest.mark.parametrize("case", list(CORRUPT_CACHE))
def test_a_cache_file_that_does_not_parse_is_ignored_and_refetched(
    case: str, server: LocalServer, tmp_path: Path
) -> None:
    intel_stand_in(server)
    cache = CollateralCache(tmp_path / "tee", clock=lambda: capture().captured_at.timestamp())
    path = cache.path("90C06F000000", "platform", PcsEndpoints(server.url, server.url))
    path.parent.mkdir(parents=True)
    text = CORRUPT_CACHE[case]
    path.write_bytes(b"\xff\xfe{" if case == "not UTF-8" else text.encode())
    assert fetch(server, cache) == collateral()
    assert len(server.requests) == 4  # fetched from Intel again
    assert fetch(server, cache) == collateral()  # and the good answer replaced the bad file
    assert len(server.requests) == 4


def test_the_well_formed_cache_file_is_used() -> None:
    """The helper above, unbroken, makes a file the cache reads (so each case breaks one
    thing only)."""
    import tempfile

    with tempfile.TemporaryDirectory() as home:
        cache = CollateralCache(Path(home), clock=lambda: capture().captured_at.timestamp())
        path = cache.path("90C06F000000", "platform")
        path.write_text(_cached())
        assert cache.read("90C06F000000", "platform") == collateral()


def test_verify_attestation_fetches_collateral_itself(server: LocalServer, tmp_path: Path) -> None:
    intel_stand_in(server)
    real = capture()
    report = verify_attestation(
        real.document, nonce=real.nonce, model=real.model, at=real.captured_at,
        endpoints=PcsEndpoints(api=server.url, certificates=server.url),
        cache=CollateralCache(tmp_path / "tee"),
    )  # fmt: skip
    assert report.passed, report.summary()
    assert len(server.requests) == 4


def test_a_missing_issuer_chain_is_a_collateral_error(server: LocalServer) -> None:
    intel_stand_in(server, drop_header="tcb-info-issuer-chain")
    with pytest.raises(CollateralError, match="tcb-info-issuer-chain"):
        fetch(server, None)


def test_pcs_unreachable_fails_the_signature_check_without_raising(tmp_path: Path) -> None:
    real = capture()
    report = verify_attestation(
        real.document, nonce=real.nonce, model=real.model, at=real.captured_at,
        endpoints=PcsEndpoints(api="http://127.0.0.1:9", certificates="http://127.0.0.1:9"),
        cache=CollateralCache(tmp_path / "tee"),
    )  # fmt: skip
    # the workload attestation's second quote cannot be checked without collateral either
    assert {c.name for c in report.failures()} == {"quote_signature", "tcb_status", "workload"}
    assert "could not fetch Intel's collateral" in report.check("quote_signature").detail


def test_collateral_goes_only_to_https_or_loopback() -> None:
    from openclaw_venice.errors import RequestRefused

    async def run() -> None:
        async with Wire("http://intel.example") as wire:
            await fetch_collateral(
                wire, "90C06F000000", "platform", PcsEndpoints(api="http://intel.example")
            )

    with pytest.raises(RequestRefused):
        asyncio.run(run())


def test_the_cache_is_kept_per_source(server: LocalServer, tmp_path: Path) -> None:
    """Collateral from a PCCS mirror is not reused for Intel's PCS, nor the other way."""
    cache = CollateralCache(tmp_path / "tee")
    mirror = PcsEndpoints(server.url, server.url)
    assert cache.path("90C06F000000", "platform", mirror) != cache.path("90C06F000000", "platform")
