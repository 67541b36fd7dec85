"""The quote's signature chain, checked here with dcap-qvl (Phala's DCAP quote verifier).

dcap-qvl checks, against the collateral and at a given time: the TCB info and QE identity
signatures and issuer chains up to the Intel SGX Root CA (pinned in the library, or the root
given), the CRLs, the PCK certificate chain carried in the quote, the QE report's signature by
the PCK key and its binding of the attestation key, the QE identity policy, the quote's ECDSA
signature, the platform's TCB level and the TD attributes (debug off).
"""

from __future__ import annotations

from dataclasses import dataclass

from .collateral import Collateral

TCB_STATUSES = (
    "UpToDate",
    "SWHardeningNeeded",
    "ConfigurationNeeded",
    "ConfigurationAndSWHardeningNeeded",
    "OutOfDate",
    "OutOfDateConfigurationNeeded",
    "Revoked",
)


@dataclass(frozen=True, slots=True)
class QuoteVerdict:
    valid: bool
    tcb_status: str | None  # when the chain held, or when it failed on the status alone
    advisory_ids: tuple[str, ...]
    error: str | None  # dcap-qvl's reason, one line


@dataclass(frozen=True, slots=True)
class Platform:
    fmspc: str  # hex, upper case
    ca: str  # "platform" or "processor"


def platform_of(raw_quote: bytes) -> Platform:
    """The FMSPC and PCK CA named by the quote's PCK certificate (which collateral to fetch)."""
    import dcap_qvl

    try:
        parsed = dcap_qvl.parse_quote(raw_quote)
        return Platform(parsed.fmspc(), parsed.ca())
    except ValueError as exc:
        raise ValueError(f"the quote names no platform: {_first_line(exc)}") from None


def verify_quote(
    raw_quote: bytes, collateral: Collateral, at: float, root_ca_der: bytes | None = None
) -> QuoteVerdict:
    """dcap-qvl's verdict on the quote at Unix time ``at``; never raises for a bad quote."""
    import dcap_qvl

    native = dcap_qvl.QuoteCollateralV3(
        pck_crl_issuer_chain=collateral.pck_crl_issuer_chain,
        root_ca_crl=collateral.root_ca_crl,
        pck_crl=collateral.pck_crl,
        tcb_info_issuer_chain=collateral.tcb_info_issuer_chain,
        tcb_info=collateral.tcb_info,
        tcb_info_signature=collateral.tcb_info_signature,
        qe_identity_issuer_chain=collateral.qe_identity_issuer_chain,
        qe_identity=collateral.qe_identity,
        qe_identity_signature=collateral.qe_identity_signature,
    )
    try:
        if root_ca_der is None:
            report = dcap_qvl.verify(raw_quote, native, int(at))
        else:
            report = dcap_qvl.verify_with_root_ca(raw_quote, native, root_ca_der, int(at))
    except (ValueError, RuntimeError) as exc:
        reason = _first_line(exc).removeprefix("Verification failed: ")
        status = next((s for s in TCB_STATUSES if reason.endswith(f": {s}")), None)
        return QuoteVerdict(False, status, (), reason)
    return QuoteVerdict(True, str(report.status), tuple(report.advisory_ids), None)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0].strip() if text else type(exc).__name__
