"""Venice's TEE attestation, verified here, and the E2EE packet format.

Loaded only for ``e2ee-*`` turns and ``openclaw models attest``: it brings ``cryptography``,
``pycryptodome`` (keccak-256) and ``dcap-qvl`` (Intel DCAP quote verification).

    from openclaw_venice.tee import verify_attestation
    report = verify_attestation(document, nonce=nonce, model="e2ee-qwen3-5-122b-a10b")
    report.passed, [c.name for c in report.failures()], report.enclave, report.not_attested()

The enclave is held to an identity policy (``load_policy``; docs/tee-policy.md): that it is
Venice's, not only an Intel TDX enclave.
"""

from __future__ import annotations

from .collateral import Collateral, CollateralCache, CollateralError, PcsEndpoints, assemble
from .policy import EnclavePolicy, PolicyError, load_policy
from .report import AttestationReport, Check, TcbPolicy
from .verify import verify_attestation

__all__ = [
    "AttestationReport",
    "Check",
    "Collateral",
    "CollateralCache",
    "CollateralError",
    "EnclavePolicy",
    "PcsEndpoints",
    "PolicyError",
    "TcbPolicy",
    "assemble",
    "load_policy",
    "verify_attestation",
]
