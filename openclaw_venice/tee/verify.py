"""``verify_attestation``: every check on one attestation document, as a report.

Nothing here raises for a failed check: the report says which failed. A quote that cannot be
read fails its own check and the checks that need it. The checks, in order: the document's
binding to our model, nonce and key (``checks``); the quote's shape and Venice's identity under
the policy (``pinning``: TD attributes, MRSEAM, event log, OS image, app, compose); the GPU
nonce; Intel's signature and the TCB status (``dcap``); the workload attestation
(``workload``); Venice's own verdicts.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from ..errors import OpenClawError
from ..wire.limits import loads
from . import checks as c
from . import pinning
from .collateral import Collateral, CollateralCache, CollateralError, PcsEndpoints
from .dcap import platform_of, verify_quote
from .jsontext import JsonTooDeepError, check_document, parse_json
from .policy import EnclavePolicy, load_policy
from .quote import QuoteFormatError, TdxQuote, decode_quote_text, parse_quote
from .report import AttestationReport, Check, TcbPolicy
from .workload import check_workload

Document = Mapping[str, Any] | str | bytes
_NEEDS_QUOTE = (
    "debug_off", "reportdata_key", "reportdata_nonce", "mrtd", "quote_tail", "td_attributes",
    "xfam", "td_owner", "mrseam", "event_log", "os_image", "app_id", "key_provider",
    "compose_hash", "compose_images",
)  # fmt: skip


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
    identity: EnclavePolicy | None = None,
    nvidia_root_sha256: str | None = None,
) -> AttestationReport:
    """Check ``document`` (Venice's ``/tee/attestation`` answer) for ``model`` and ``nonce``.

    ``collateral``: Intel's, as :func:`fetch_collateral` gives it; when None it is fetched
    from Intel's PCS now (needs the network). ``at``: the time certificates and collateral are
    judged at, now by default. ``root_ca_der``: the trust anchor, Intel's SGX Root CA by
    default (tests pass their own). ``endpoints``/``cache``: where collateral is fetched
    from (Intel's PCS) and kept (the host's cache dir). ``identity``: what a Venice enclave
    is (:func:`~.policy.load_policy`), the packaged policy by default; ``policy``: the TCB
    statuses that pass, the identity policy's by default. ``nvidia_root_sha256``: the GPUs'
    pinned root, NVIDIA's Device Identity CA by default (tests pass their own)."""
    doc, raw_quote, quote, head = _read(document, _nonce_bytes(nonce), model)
    if collateral is None and raw_quote is not None:
        fetched: Collateral | CollateralError | None = _fetch_now(raw_quote, endpoints, cache)
    else:
        fetched = collateral
    return finish(
        doc, raw_quote, quote, head, model, _nonce_bytes(nonce), fetched, at, policy, root_ca_der,
        identity, nvidia_root_sha256=nvidia_root_sha256,
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
    identity: EnclavePolicy | None = None,
    *,
    nvidia_root_sha256: str | None = None,
) -> AttestationReport:
    from .gpu import check_gpus

    when = _unix(at)
    rules = identity if identity is not None else packaged_policy()
    found = list(head)
    point, why = c.signing_point(doc)
    found.append(c.check_signing_key(doc, point, why))
    enclave: dict[str, Any] = {"policyVersion": rules.version}
    if quote is None:
        found += [c.local(name, False, "no readable quote") for name in _NEEDS_QUOTE]
    else:
        found += [
            c.check_debug(quote),
            c.check_reportdata_key(quote, point),
            c.check_reportdata_nonce(quote, nonce),
            c.check_mrtd(doc, quote),
        ]
        pinned, enclave = _identity_checks(doc, quote, rules)
        found += pinned
    found.append(c.check_gpu_nonce(doc, nonce))
    found.append(check_gpus(doc, nonce, when, nvidia_root_sha256))
    signature, tcb, status, advisories, warnings = _quote_checks(
        raw_quote if quote is not None else None,
        collateral,
        when,
        policy or rules.tcb,
        root_ca_der,
    )
    found += [signature, tcb]
    if rules.user_file is not None and rules.version.endswith("+user"):
        # the user's file may have widened what passes: never in silence
        warnings.append(f"identity policy: the packaged one with {rules.user_file} on top")
    deployed = None
    if quote is None:
        found.append(c.local("workload", False, "no readable quote"))
    else:
        workload, deployed = check_workload(
            doc, quote, nonce, _signature_check(collateral, when, root_ca_der)
        )
        found.append(workload)
    found += [c.check_venice_verdict(doc), *c.venice_checks(doc)]
    return AttestationReport(
        model=model,
        nonce=nonce.hex(),
        checks=tuple(found),
        tcb_status=status,
        advisory_ids=advisories,
        verified_at=datetime.fromtimestamp(when, UTC).isoformat().replace("+00:00", "Z"),
        warnings=tuple(warnings),
        signing_key=point.hex() if point is not None else "",
        enclave=enclave,
        deployed=deployed,
    )


def _identity_checks(
    doc: Mapping[str, Any], quote: TdxQuote, rules: EnclavePolicy
) -> tuple[list[Check], dict[str, Any]]:
    """Is this TD Venice's enclave (``pinning``), and what the report lists about it."""
    log, measured = pinning.check_event_log(doc, quote)
    found = [
        c.check_quote_tail(quote),
        *pinning.check_td_attributes(quote, rules),
        pinning.check_mrseam(quote, rules),
        log,
        pinning.check_os_image(quote, measured, rules),
        *pinning.check_app(measured, rules),
        pinning.check_compose(doc, quote, measured),
        pinning.check_images(doc, rules),
    ]
    return found, pinning.enclave_facts(doc, quote, measured, rules)


def _signature_check(
    collateral: Collateral | CollateralError | None, when: float, root_ca_der: bytes | None
) -> Callable[[bytes], str | None]:
    """Why a second quote of the TD does not verify under the same collateral, or None."""

    def error(raw: bytes) -> str | None:
        if not isinstance(collateral, Collateral):
            return "not checked: no collateral"
        verdict = verify_quote(raw, collateral, when, root_ca_der)
        return None if verdict.valid else str(verdict.error)

    return error


@functools.cache
def packaged_policy() -> EnclavePolicy:
    return load_policy()


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

    from ..wire.client import Wire
    from ..wire.sync import refuse_in_loop
    from .collateral import PcsEndpoints, fetch_collateral
    from .store import default_cache

    refuse_in_loop(  # the one sync rule: a clear error, not a failed report
        "verify_attestation without collateral",
        "verify_attestation(..., collateral=await fetch_collateral(wire, fmspc, ca))",
    )

    async def run() -> Collateral:
        platform = platform_of(raw_quote)
        async with Wire((endpoints or PcsEndpoints()).api) as wire:
            return await fetch_collateral(
                wire, platform.fmspc, platform.ca, endpoints, cache or default_cache()
            )

    try:
        return asyncio.run(run())
    except (CollateralError, ValueError, OpenClawError) as exc:  # the report says it
        return CollateralError(str(exc))


def _as_mapping(document: Document) -> Mapping[str, Any]:
    if isinstance(document, Mapping):
        return document
    try:
        parse_json(document)  # too deep: a failed 'document' check (JsonTooDeepError)
        value = loads(document)
    except JsonTooDeepError:
        raise
    except ValueError:  # not JSON, or past wire.limits (a nested one: not RecursionError)
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
