"""Intel's DCAP collateral for a TDX quote: TCB info, QE identity, CRLs and their issuer chains.

Fetched from Intel's Provisioning Certification Service (PCS, API v4) at run time and cached
on disk until the earliest ``nextUpdate`` it carries (at most a day). ``Collateral`` holds the
answers as Intel sent them; the signatures over them are checked by ``dcap.py``.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

if TYPE_CHECKING:
    from ..wire.client import Wire

INTEL_PCS_URL = "https://api.trustedservices.intel.com"
INTEL_CERTIFICATES_URL = "https://certificates.trustedservices.intel.com"
MAX_CACHE_AGE = 24 * 3600.0
MAX_ANSWER_BYTES = 1024 * 1024


class CollateralError(ValueError):
    """Intel's collateral could not be had or read; the quote cannot be checked without it."""


@dataclass(frozen=True, slots=True)
class Collateral:
    tcb_info: str  # the signed JSON text of ``tcbInfo``, byte for byte as Intel sent it
    tcb_info_signature: bytes
    tcb_info_issuer_chain: str  # PEM
    qe_identity: str  # the signed JSON text of ``enclaveIdentity``
    qe_identity_signature: bytes
    qe_identity_issuer_chain: str
    pck_crl: bytes  # DER
    pck_crl_issuer_chain: str
    root_ca_crl: bytes  # DER

    def next_update(self) -> float:
        """The earliest ``nextUpdate`` of the TCB info and QE identity (a Unix time);
        ValueError when one is missing or not a date."""
        from .jsontext import parse_json

        dates: list[str] = []
        for text in (self.tcb_info, self.qe_identity):
            value = parse_json(text)
            date = value.get("nextUpdate") if isinstance(value, dict) else None
            if not isinstance(date, str):
                raise ValueError("nextUpdate is not a date")
            dates.append(date)
        return min(_unix(date) for date in dates)

    def to_json(self) -> str:
        fields = asdict(self)
        return json.dumps({k: v.hex() if isinstance(v, bytes) else v for k, v in fields.items()})

    @classmethod
    def from_json(cls, text: str) -> Collateral:
        from .jsontext import parse_json

        raw = parse_json(text)
        return cls(
            tcb_info=str(raw["tcb_info"]),
            tcb_info_signature=bytes.fromhex(raw["tcb_info_signature"]),
            tcb_info_issuer_chain=str(raw["tcb_info_issuer_chain"]),
            qe_identity=str(raw["qe_identity"]),
            qe_identity_signature=bytes.fromhex(raw["qe_identity_signature"]),
            qe_identity_issuer_chain=str(raw["qe_identity_issuer_chain"]),
            pck_crl=bytes.fromhex(raw["pck_crl"]),
            pck_crl_issuer_chain=str(raw["pck_crl_issuer_chain"]),
            root_ca_crl=bytes.fromhex(raw["root_ca_crl"]),
        )


@dataclass(frozen=True, slots=True)
class PcsEndpoints:
    """Where collateral comes from: Intel's PCS by default."""

    api: str = INTEL_PCS_URL
    certificates: str = INTEL_CERTIFICATES_URL

    def urls(self, fmspc: str, ca: str) -> dict[str, str]:
        api, certs = self.api.rstrip("/"), self.certificates.rstrip("/")
        return {
            "tcb": f"{api}/tdx/certification/v4/tcb?fmspc={quote(fmspc.lower())}",
            "qe": f"{api}/tdx/certification/v4/qe/identity",
            "pckcrl": f"{api}/sgx/certification/v4/pckcrl?ca={quote(ca.lower())}&encoding=der",
            "rootcrl": f"{certs}/IntelSGXRootCA.der",
        }


@dataclass(frozen=True, slots=True)
class Answer:
    headers: Mapping[str, str]  # lower-case names
    body: bytes


def assemble(answers: Mapping[str, Answer]) -> Collateral:
    """Collateral from the four PCS answers (keys as in :meth:`PcsEndpoints.urls`)."""
    tcb, qe = answers["tcb"], answers["qe"]
    tcb_text, tcb_signature = _signed_part(tcb.body, "tcbInfo")
    qe_text, qe_signature = _signed_part(qe.body, "enclaveIdentity")
    return Collateral(
        tcb_info=tcb_text,
        tcb_info_signature=tcb_signature,
        tcb_info_issuer_chain=_chain(tcb, "tcb-info-issuer-chain"),
        qe_identity=qe_text,
        qe_identity_signature=qe_signature,
        qe_identity_issuer_chain=_chain(qe, "sgx-enclave-identity-issuer-chain"),
        pck_crl=answers["pckcrl"].body,
        pck_crl_issuer_chain=_chain(answers["pckcrl"], "sgx-pck-crl-issuer-chain"),
        root_ca_crl=answers["rootcrl"].body,
    )


def _signed_part(body: bytes, key: str) -> tuple[str, bytes]:
    """The exact text of ``body[key]`` (what Intel signed) and the signature beside it."""
    try:
        from ..wire.limits import loads

        text = body.decode("utf-8")
        whole = loads(text)
        signature = bytes.fromhex(whole["signature"])
        marker = text.index(f'"{key}"')
        start = text.index(":", marker) + 1
        while text[start] in " \t\r\n":
            start += 1
        _, end = json.JSONDecoder().raw_decode(text, start)
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise CollateralError(f"Intel's {key} answer is not the signed JSON expected") from exc
    return text[start:end], signature


def _chain(answer: Answer, header: str) -> str:
    value = answer.headers.get(header)
    if not value:
        raise CollateralError(f"Intel's answer lacks the {header} header")
    return unquote(value)


def _unix(date: str) -> float:
    return datetime.fromisoformat(date.replace("Z", "+00:00")).astimezone(UTC).timestamp()


# -- fetching ----------------------------------------------------------------------------------
async def fetch_collateral(
    wire: Wire,
    fmspc: str,
    ca: str,
    endpoints: PcsEndpoints | None = None,
    cache: CollateralCache | None = None,
    timeout: float = 30.0,
) -> Collateral:
    """The collateral for a platform (``fmspc``) and PCK CA, from the cache while fresh,
    else fetched through ``wire`` (no key is sent to Intel)."""
    if cache is not None:
        cached = cache.read(fmspc, ca, endpoints)
        if cached is not None:
            return cached
    from ..wire.http import check_key_destination

    answers: dict[str, Answer] = {}
    for name, url in (endpoints or PcsEndpoints()).urls(fmspc, ca).items():
        check_key_destination(url.partition("?")[0])  # https, or http on loopback only
        fetched = await wire.fetch(url, auth=False, accept="*/*", timeout=timeout,
                                   max_bytes=MAX_ANSWER_BYTES, failures=_Failures())  # fmt: skip
        headers = {k.lower(): v for k, v in fetched.headers.items()}
        answers[name] = Answer(headers, fetched.payload)
    collateral = assemble(answers)
    if cache is not None:
        cache.write(fmspc, ca, collateral, endpoints)
    return collateral


class _Failures:
    """Intel's collateral service failing, in this module's words."""

    def status(
        self, status: int, body: bytes, request_id: str | None, wait: float | None, attempts: int
    ) -> Exception:
        return CollateralError(f"Intel's collateral service answered HTTP {status}")

    def timeout(self, attempts: int) -> Exception:
        return CollateralError("could not fetch Intel's collateral (no answer in time); try again")

    def deadline(self) -> Exception:
        return self.timeout(attempts=1)

    def unreachable(self, exc: Exception, attempts: int, refused: bool) -> Exception:
        return CollateralError(
            f"could not fetch Intel's collateral ({type(exc).__name__}); check the network"
        )


class CollateralCache:
    """One JSON file per (FMSPC, CA) under the host's cache dir, reused while fresh."""

    def __init__(self, directory: Path, clock: Any = time.time) -> None:
        self.directory = directory
        self._clock = clock

    def path(self, fmspc: str, ca: str, endpoints: PcsEndpoints | None = None) -> Path:
        """One file per platform, CA and source (Intel's PCS, or a PCCS mirror)."""
        import hashlib

        source = endpoints or PcsEndpoints()
        tag = hashlib.sha256(f"{source.api} {source.certificates}".encode()).hexdigest()[:12]
        return self.directory / f"tdx-collateral-{fmspc.lower()}-{ca.lower()}-{tag}.json"

    def read(self, fmspc: str, ca: str, endpoints: PcsEndpoints | None = None) -> Collateral | None:
        """The cached collateral while fresh; None (fetch again) when absent, stale, or not
        readable in any way (not JSON, nested too deep, fields of the wrong type)."""
        from .jsontext import parse_json

        try:
            text = self.path(fmspc, ca, endpoints).read_text(encoding="utf-8")
            payload = parse_json(text)
            collateral = Collateral.from_json(payload["collateral"])
            fetched_at = float(payload["fetchedAt"])
            next_update = collateral.next_update()
        except (OSError, ValueError, KeyError, TypeError, AttributeError, OverflowError):
            return None
        now = self._clock()
        if not (0 <= now - fetched_at < MAX_CACHE_AGE and now < next_update):
            return None
        return collateral

    def write(
        self, fmspc: str, ca: str, collateral: Collateral, endpoints: PcsEndpoints | None = None
    ) -> None:
        from ..model_cache import _write_private

        payload = {"fetchedAt": self._clock(), "collateral": collateral.to_json()}
        with contextlib.suppress(OSError):  # caching is an optimisation
            _write_private(self.path(fmspc, ca, endpoints), json.dumps(payload))
