"""What verifying an attestation found: one ``Check`` per property, and the TCB policy."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

Source = Literal["local", "venice"]


@dataclass(frozen=True, slots=True)
class Check:
    """``source``: ``local`` when verified here, ``venice`` when taken from Venice's own
    ``server_verification`` (what this package cannot check itself)."""

    name: str
    passed: bool
    source: Source
    detail: str

    def line(self) -> str:
        mark = "ok  " if self.passed else "FAIL"
        return f"{mark} {self.name:<18} {self.source:<6} {self.detail}"


@dataclass(frozen=True, slots=True)
class TcbPolicy:
    """Which TCB statuses fail the attestation, and which pass without a warning.
    Default: fail on ``Revoked``, warn on anything but ``UpToDate``."""

    reject: frozenset[str] = frozenset({"Revoked"})
    quiet: frozenset[str] = frozenset({"UpToDate"})

    @classmethod
    def accept_only(cls, statuses: Iterable[str]) -> TcbPolicy:
        from .dcap import TCB_STATUSES

        allowed = frozenset(statuses)
        return cls(reject=frozenset(TCB_STATUSES) - allowed, quiet=allowed)


@dataclass(frozen=True, slots=True)
class AttestationReport:
    model: str
    nonce: str  # hex
    checks: tuple[Check, ...]
    tcb_status: str | None = None
    advisory_ids: tuple[str, ...] = ()
    verified_at: str = ""  # ISO time the certificates and collateral were judged at
    warnings: tuple[str, ...] = field(default=())
    signing_key: str = ""  # the attested key (hex), the one E2EE encrypts to

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)

    def failures(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]

    def check(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)

    def summary(self) -> str:
        """One line: verified, or the first failed check and why."""
        failed = self.failures()
        if not failed:
            return f"attestation of {self.model} verified (TCB {self.tcb_status})"
        first = failed[0]
        more = f" (+{len(failed) - 1} more)" if len(failed) > 1 else ""
        return f"attestation check '{first.name}' failed: {first.detail}{more}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "nonce": self.nonce,
            "passed": self.passed,
            "tcbStatus": self.tcb_status,
            "advisoryIds": list(self.advisory_ids),
            "verifiedAt": self.verified_at,
            "signingKey": self.signing_key,
            "warnings": list(self.warnings),
            "checks": [
                {"name": c.name, "passed": c.passed, "source": c.source, "detail": c.detail}
                for c in self.checks
            ],
        }

    def lines(self) -> list[str]:
        head = "verified" if self.passed else "NOT verified"
        out = [f"attestation of {self.model}: {head}"]
        out += [check.line() for check in self.checks]
        out += [f"warning: {w}" for w in self.warnings]
        return out
