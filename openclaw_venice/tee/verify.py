"""``verify_attestation``: every check on one attestation document, as a report.

Nothing here raises for a failed check: the report says which failed. A quote that cannot be
read fails its own check and the checks that need it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..errors import OpenClawError
from . import checks as c
from .collateral import Collateral, CollateralCache, CollateralError, PcsEndpoints
from .dcap import platform_of, verify_quote
from .jsontext import JsonTextError, JsonTooDeepError, check_document, parse_json
from .quote import QuoteFormatError, TdxQuote, decode_quote_text, parse_quote
from .report import AttestationReport, Check, TcbPolicy

Document = Mapping[str, Any] | str | bytes
_NEEDS_QUOTE = ("debug_off", "reportdata_key", "reportdata_nonce", "mrtd", "compose_hash")


def verify_attestation(
    document: Document,
    *,
    nonce: bytes | str,
    model: str,
    collateral: Collateral | None = None,
    at: datetime | float | None = None,
    policy: TcbPolicy | None = None,
    root_ca_der: bytes | None = None,
    endpoints: PcsEndpoints | None = None,
    cache: CollateralCache | None = None,
    nvidia_root_sha256: str | None = None,
) -> AttestationReport:
    """Check ``document`` (Venice's ``/tee/attestation`` answer) for ``model`` and ``nonce``.

    ``collateral``: Intel's, as :func:`fetch_collateral` gives it; when None it is fetched
    from Intel's PCS now (needs the network). ``at``: the time certificates and collateral are
    judged at, now by default. ``root_ca_der``: the trust anchor, Intel's SGX Root CA by
    default (tests pass their own); ``nvidia_root_sha256``: the GPUs' pinned root, NVIDIA's
    Device Identity CA by default. ``endpoints``/``cache``: where collateral is fetched
    from (Intel's PCS) and kept (the host's cache dir)."""
    doc, raw_quote, quote, head = _read(document, _nonce_bytes(nonce), model)
    if collateral is None and raw_quote is not None:
        fetched: Collateral | CollateralError | None = _fetch_now(raw_quote, endpoints, cache)
    else:
        fetched = collateral
    return finish(
        doc, raw_quote, quote, head, model, _nonce_bytes(nonce), fetched, at, policy, root_ca_der,
        nvidia_root_sha256=nvidia_root_sha256,
    )  # fmt: skip


def read_document(
    document: Document, nonce: bytes, model: str
) -> tuple[Mapping[str, Any], bytes | None, TdxQuote | None, list[Check]]:
    return _read(document, nonce, model)


def _read(
    document: Document, nonce: bytes, model: str
) -> tuple[Mapping[str, Any], bytes | None, TdxQuote | None, list[Check]]:
    refused: list[Check] = []
    try:
        doc = _as_mapping(document)
        check_document(doc)  # after this, no part of it nests too deep for json.loads
    except JsonTooDeepError as exc:
        doc, refused = {}, [c.local("document", False, f"refused: {exc}")]
    found: list[Check] = [*refused, c.check_model(doc, model), c.check_nonce(doc, nonce)]
    raw_quote: bytes | None = None
    quote: TdxQuote | None = None
    try:
        text = doc.get("intel_quote")
        if not isinstance(text, str):
            raise QuoteFormatError("the document has no intel_quote")
        raw_quote = decode_quote_text(text)
        quote = parse_quote(raw_quote)
        found.append(c.local("quote_format", True, "TDX quote v4"))
    except QuoteFormatError as exc:
        found.append(c.local("quote_format", False, str(exc)))
    return doc, raw_quote, quote, found


def finish(
    doc: Mapping[str, Any],
    raw_quote: bytes | None,
    quote: TdxQuote | None,
    head: list[Check],
    model: str,
    nonce: bytes,
    collateral: Collateral | CollateralError | None,
    at: datetime | float | None,
    policy: TcbPolicy | None,
    root_ca_der: bytes | None,
    *,
    nvidia_root_sha256: str | None = None,
) -> AttestationReport:
    from .gpu import check_gpus

    when = _unix(at)
    found = list(head)
    point, why = c.signing_point(doc)
    found.append(c.check_signing_key(doc, point, why))
    if quote is None:
        found += [c.local(name, False, "no readable quote") for name in _NEEDS_QUOTE]
    else:
        found += [
            c.check_debug(quote),
            c.check_reportdata_key(quote, point),
            c.check_reportdata_nonce(quote, nonce),
            c.check_mrtd(doc, quote),
            c.check_compose(doc, quote),
        ]
    found.append(c.check_gpu_nonce(doc, nonce))
    found.append(check_gpus(doc, nonce, when, nvidia_root_sha256))
    signature, tcb, status, advisories, warnings = _quote_checks(
        raw_quote if quote is not None else None,
        collateral,
        when,
        policy or TcbPolicy(),
        root_ca_der,
    )
    found += [signature, tcb, *c.venice_checks(doc)]
    return AttestationReport(
        model=model,
        nonce=nonce.hex(),
        checks=tuple(found),
        tcb_status=status,
        advisory_ids=advisories,
        verified_at=datetime.fromtimestamp(when, UTC).isoformat().replace("+00:00", "Z"),
        warnings=tuple(warnings),
        signing_key=point.hex() if point is not None else "",
    )


def _quote_checks(
    raw_quote: bytes | None,
    collateral: Collateral | CollateralError | None,
    when: float,
    policy: TcbPolicy,
    root_ca_der: bytes | None,
) -> tuple[Check, Check, str | None, tuple[str, ...], list[str]]:
    if raw_quote is None:
        reason = "no readable quote"
        return (
            c.local("quote_signature", False, reason),
            c.local("tcb_status", False, reason),
            None,
            (),
            [],
        )
    if not isinstance(collateral, Collateral):
        reason = str(collateral) if collateral is not None else "no collateral"
        return (
            c.local("quote_signature", False, f"not checked: {reason}"),
            c.local("tcb_status", False, "not checked"),
            None,
            (),
            [],
        )
    verdict = verify_quote(raw_quote, collateral, when, root_ca_der)
    status = verdict.tcb_status
    chain_ok = verdict.valid or (status is not None and status in policy.reject)
    signature = c.local(
        "quote_signature",
        verdict.valid,
        "ECDSA quote signature, QE report, PCK chain to the Intel SGX Root CA, QE identity"
        if verdict.valid
        else f"{verdict.error}",
    )
    if chain_ok and verdict.valid and status not in policy.reject:
        tcb = c.local("tcb_status", True, f"{status}")
    else:
        tcb = c.local("tcb_status", False, f"{status} is not accepted" if status else "unknown")
    warnings: list[str] = []
    if status is not None and status not in policy.quiet and status not in policy.reject:
        ids = ", ".join(verdict.advisory_ids)
        warnings.append(f"TCB status {status}" + (f" (advisories {ids})" if ids else ""))
    return signature, tcb, status, verdict.advisory_ids, warnings


def _fetch_now(
    raw_quote: bytes, endpoints: PcsEndpoints | None, cache: CollateralCache | None
) -> Collateral | CollateralError:
    import asyncio

    import httpx

    from .collateral import fetch_collateral
    from .store import default_cache

    async def run() -> Collateral:
        platform = platform_of(raw_quote)
        async with httpx.AsyncClient(trust_env=False) as client:
            return await fetch_collateral(
                client, platform.fmspc, platform.ca, endpoints, cache or default_cache()
            )

    try:
        return asyncio.run(run())
    except (CollateralError, ValueError, OpenClawError) as exc:  # the report says it
        return CollateralError(str(exc))


def _as_mapping(document: Document) -> Mapping[str, Any]:
    if isinstance(document, Mapping):
        return document
    try:
        value = parse_json(document)
    except JsonTooDeepError:
        raise
    except JsonTextError:
        return {}
    return value if isinstance(value, Mapping) else {}


def _nonce_bytes(nonce: bytes | str) -> bytes:
    return bytes.fromhex(nonce) if isinstance(nonce, str) else bytes(nonce)


def _unix(at: datetime | float | None) -> float:
    if at is None:
        return time.time()
    if isinstance(at, datetime):
        return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()
    return float(at)
