"""What verifying an attestation found: one ``Check`` per property, and the TCB policy."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Source = Literal["local", "venice"]
_GPU_CHECKS = frozenset({"gpus", "gpu_evidence"})  # a *local* one verifies the GPUs here


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
    Default: ``UpToDate`` passes, ``SWHardeningNeeded`` passes with a warning, anything else
    (a platform Intel says is out of date, or needs a configuration change, or revoked) fails;
    the policy file or ``VENICE_TEE_ACCEPT_TCB`` accept more (docs/tee-policy.md)."""

    reject: frozenset[str] = frozenset(
        {"OutOfDate", "OutOfDateConfigurationNeeded", "ConfigurationNeeded",
         "ConfigurationAndSWHardeningNeeded", "Revoked"}
    )  # fmt: skip
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
    # what was measured about the enclave: app id, instance id, key provider, OS image hash,
    # compose hash and images, RTMR0, MRSEAM, MRTD, the policy version (camelCase keys)
    enclave: Mapping[str, Any] = field(default_factory=dict)
    deployed: Mapping[str, Any] | None = None  # the workload attestation's last deployment

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
            "enclave": dict(self.enclave),
            "deployed": dict(self.deployed) if self.deployed is not None else None,
            "attested": self.attested(),
            "notAttested": self.not_attested(),
            "checks": [
                {"name": c.name, "passed": c.passed, "source": c.source, "detail": c.detail}
                for c in self.checks
            ],
        }

    def lines(self) -> list[str]:
        head = "verified" if self.passed else "NOT verified"
        out = [f"attestation of {self.model}: {head}"]
        out += [check.line() for check in self.checks]
        out += [f"{label:<14} {value}" for label, value in self._facts()]
        out += [f"attested:      {line}" for line in self.attested()]
        out += [f"not attested:  {line}" for line in self.not_attested()]
        out += [f"warning: {w}" for w in self.warnings]
        return out

    def _facts(self) -> list[tuple[str, str]]:
        e = self.enclave
        rows = [("app id", e.get("appId")), ("instance id", e.get("instanceId")),
                ("key provider", e.get("keyProvider")), ("OS image hash", e.get("osImageHash")),
                ("compose hash", e.get("composeHash")), ("RTMR0", e.get("rtmr0"))]  # fmt: skip
        rows += [("compose image", image) for image in e.get("composeImages", ())]
        if self.deployed:
            d = self.deployed
            what = f"{d.get('file')} {d.get('tag', '')} commit {str(d.get('commit', ''))[:12]} "
            what += f"sha256 {d.get('file_sha256', '?')}"
            if d.get("repository"):
                what += f" from {d['repository']}"
            rows.append(("deployed", what))
            if d.get("loaderImage"):
                rows.append(("loader image", str(d["loaderImage"])))
        if e.get("policyVersion"):
            rows.append(("policy", f"version {e['policyVersion']}"))
        return [(label, str(value)) for label, value in rows if value]

    def attested(self) -> list[str]:
        """What this package checked itself, when the attestation passed."""
        if not self.passed:
            return []
        local = {c.name for c in self.checks if c.source == "local"}
        out = [
            "Intel signed the quote (PCK chain to Intel's root, TCB, QE identity, CRLs)",
            "the enclave holds the signing key our messages are sealed to, bound to our nonce",
            "Venice's enclave: TDX module, dstack OS (MRTD, RTMR1-2), app id and key provider"
            " from the policy, event log replayed to RTMR0-3",
            "the compose (sha256 = MRCONFIGID) runs only digest-pinned images from allowed"
            " repositories",
        ]
        if self.deployed is not None:
            out.append("what the compose's loader deployed since (signed by the same TD)")
        if local & _GPU_CHECKS:
            out.append("the GPUs' evidence (signed measurements, NVIDIA's root, our nonce)")
        return out

    def not_attested(self) -> list[str]:
        """What nobody here checked: said, so that 'verified' is not read as more."""
        local = {c.name for c in self.checks if c.source == "local" and c.passed}
        out = []
        if not local & _GPU_CHECKS:
            out.append("the GPUs (taken on Venice's word: server_verification.nvidia)")
        else:
            out.append(
                "the GPUs' firmware measurements against NVIDIA's reference values (RIM) and"
                " revocation: they need NVIDIA's online service"
            )
        if self.deployed is None:
            out.append("the inference container: no workload attestation was sent")
        else:
            out.append(
                "the images inside the deployed file (its repository and commit are shown,"
                " not fetched)"
            )
        if self.enclave.get("replaceableImages"):
            out.append(
                "images the compose lets a variable replace: "
                + ", ".join(self.enclave["replaceableImages"])
            )
        out += [
            "RTMR0 (the VM's hardware configuration): shown, not pinned",
            "the model weights, and that answers come from the enclave (checked per answer"
            " only with `chat --receipt`)",
        ]
        return out
