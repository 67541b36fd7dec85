"""End-to-end encrypted turns for ``e2ee-*`` models.

Before the first turn with a model, and again after ``ATTESTATION_TTL`` seconds, the client
fetches the enclave's attestation with a fresh 32-byte nonce and verifies it here
(``openclaw_venice.tee``); any failed check ends the turn with :class:`AttestationError` and no
chat request is sent. Then every ``user`` and ``system`` message's content is sealed to the
attested key, the session's public key travels in ``X-Venice-TEE-Client-Pub-Key``, and each
streamed ``delta.content`` is opened with the session's private key. Assistant and tool
message content stays clear (TLS only), as in Venice's own client. Tools, web search, images
and ``response_format`` are not sent (Venice does not support them with E2EE); one warning
line says what was dropped. ``StreamOptions(e2ee=False)`` is TEE-only mode: attested, but
content in the clear over TLS.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import AttestationError, E2EEError, E2EERefusedError, OpenClawError, VeniceAPIError
from ..runtime.ai import StreamEvent
from ..runtime.catalog import ModelInfo
from .options import StreamOptions

if TYPE_CHECKING:
    from pathlib import Path

    from ..tee import AttestationReport, PcsEndpoints, TcbPolicy
    from ..tee.keys import ClientKey
    from ..tee.policy import EnclavePolicy
    from .endpoint import Endpoint

ATTESTATION_TTL = 300.0  # seconds an attestation is reused for the same model
ROOT_CA_ENV_VAR = "VENICE_TEE_ROOT_CA"  # a PEM/DER trust anchor instead of Intel's (tests)
PCS_URL_ENV_VAR = "VENICE_TEE_PCS_URL"  # Intel's PCS, or a PCCS mirror
ACCEPT_TCB_ENV_VAR = "VENICE_TEE_ACCEPT_TCB"  # more TCB statuses that pass (docs/tee-policy.md)
_WEB_KEYS = ("enable_web_search", "enable_web_citations", "enable_web_scraping",
             "enable_x_search", "include_search_results_in_stream",
             "return_search_results_as_documents")  # fmt: skip


@dataclass(frozen=True)
class TeeSettings:
    """How enclaves are verified: the trust anchor (Intel's SGX Root CA when None), where
    Intel's collateral comes from, which TCB statuses pass (the identity policy's when None),
    and what a Venice enclave is: ``identity``, else the packaged policy with the user's
    ``policy_file`` on top (read at each attestation) and ``accept_tcb``
    (``VENICE_TEE_ACCEPT_TCB``)."""

    root_ca_der: bytes | None = None
    pcs: PcsEndpoints | None = None
    policy: TcbPolicy | None = None
    identity: EnclavePolicy | None = None
    policy_file: Path | None = None
    accept_tcb: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str], state_dir: Path | None = None) -> TeeSettings:
        """From ``VENICE_TEE_*`` variables; the user's policy file is in ``state_dir``."""
        root = env.get(ROOT_CA_ENV_VAR)
        pcs_url = env.get(PCS_URL_ENV_VAR)
        endpoints = None
        if pcs_url:
            from ..tee import PcsEndpoints

            endpoints = PcsEndpoints(api=pcs_url, certificates=pcs_url)
        policy_file = None
        if state_dir is not None:
            from ..tee.policy import POLICY_FILE_NAME

            policy_file = state_dir / POLICY_FILE_NAME
        return cls(
            root_ca_der=_load_root(root) if root else None,
            pcs=endpoints,
            policy_file=policy_file,
            accept_tcb=env.get(ACCEPT_TCB_ENV_VAR, ""),
        )

    def enclave_policy(self) -> EnclavePolicy:
        """What a Venice enclave is; :class:`E2EEError` (one line) for a bad user file."""
        if self.identity is not None:
            return self.identity
        from ..tee.policy import ACCEPT_TCB_ENV_VAR as name
        from ..tee.policy import PolicyError, load_policy

        try:
            return load_policy(self.policy_file, {name: self.accept_tcb})
        except PolicyError as exc:
            raise E2EEError(f"{exc}; nothing was sent") from None


def _load_root(path: str) -> bytes:
    from pathlib import Path

    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    try:
        data = Path(path).read_bytes()
        cert = (
            x509.load_pem_x509_certificate(data)
            if b"-----BEGIN" in data
            else x509.load_der_x509_certificate(data)
        )
    except (OSError, ValueError) as exc:
        raise E2EEError(
            f"{ROOT_CA_ENV_VAR}={path} is not a readable certificate ({exc}); fix or unset it"
        ) from None
    return cert.public_bytes(Encoding.DER)


@dataclass(frozen=True)
class Enclave:
    report: AttestationReport
    signing_point: bytes
    attested_at: float


@dataclass
class E2EEState:
    """One chat session's E2EE state: its key pair (made on first use, never written or
    shown) and the enclaves attested for it, by model."""

    settings: TeeSettings
    enclaves: dict[str, Enclave] = field(default_factory=dict)
    _key: ClientKey | None = field(default=None, repr=False)

    @property
    def key(self) -> ClientKey:
        if self._key is None:
            from ..tee.keys import ClientKey

            self._key = ClientKey()
        return self._key

    def __repr__(self) -> str:
        return f"E2EEState(models={sorted(self.enclaves)})"


async def attest(chat: Endpoint, model_id: str, state: E2EEState) -> AttestationReport:
    """Fetch a fresh attestation for ``model_id`` and verify it; the report, pass or fail."""
    from ..tee.collateral import CollateralError, fetch_collateral
    from ..tee.dcap import platform_of
    from ..tee.store import default_cache
    from ..tee.verify import finish, read_document

    identity = state.settings.enclave_policy()  # a bad user file fails before any request
    nonce = os.urandom(32)
    document = await _fetch_attestation(chat, model_id, nonce)
    doc, raw_quote, quote, head = read_document(document, nonce, model_id)
    collateral: Any = None
    if quote is not None and raw_quote is not None:
        try:
            platform = platform_of(raw_quote)
            collateral = await fetch_collateral(
                chat.wire, platform.fmspc, platform.ca, state.settings.pcs,
                default_cache(),
            )  # fmt: skip
        except (CollateralError, ValueError, OpenClawError) as exc:
            collateral = CollateralError(str(exc))
    settings = state.settings
    return finish(doc, raw_quote, quote, head, model_id, nonce, collateral, None,
                  settings.policy, settings.root_ca_der, identity)  # fmt: skip


MAX_ATTESTATION_BYTES = 4 * 1024 * 1024  # a document with GPU evidence is ~100 KB


async def _fetch_attestation(chat: Endpoint, model_id: str, nonce: bytes) -> bytes:
    from ..wire.client import AttestationFailures

    params = {"model": model_id, "nonce": nonce.hex()}
    failures = AttestationFailures(chat.wire.where(), "the enclave did not answer in time")
    answer = await chat.wire.fetch("/tee/attestation", params=params, timeout=30.0,
                                   max_bytes=MAX_ATTESTATION_BYTES, failures=failures)  # fmt: skip
    return bytes(answer.payload)


async def enclave_for(chat: Endpoint, model_id: str, state: E2EEState, fresh: bool) -> Enclave:
    """The attested enclave of ``model_id``: reused for ``ATTESTATION_TTL`` seconds unless
    ``fresh``; raises :class:`AttestationError` when any check fails."""
    known = state.enclaves.get(model_id)
    now = time.monotonic()
    if known is not None and not fresh and 0 <= now - known.attested_at < ATTESTATION_TTL:
        return known
    state.enclaves.pop(model_id, None)
    report = await attest(chat, model_id, state)
    if not report.passed:
        raise AttestationError(
            f"{report.summary()}; nothing was sent. The enclave could not be verified: "
            "try again later or pick another model",
            report,
        )
    for warning in report.warnings:
        chat.warn_once(f"{model_id} enclave: {warning}")
    enclave = Enclave(report, bytes.fromhex(report.signing_key), time.monotonic())
    state.enclaves[model_id] = enclave
    return enclave


def gate(body: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The body without what Venice does not take under E2EE, and what was dropped."""
    out = dict(body)
    dropped: list[str] = []
    if out.pop("tools", None) is not None:
        out.pop("tool_choice", None)
        dropped.append("tools")
    params = dict(out.get("venice_parameters") or {})
    if any(params.get(k) not in (None, False, "off") for k in _WEB_KEYS):
        dropped.append("web search")
    for key in _WEB_KEYS:
        params.pop(key, None)
    params["include_venice_system_prompt"] = False
    out["venice_parameters"] = params
    messages = []
    images = False
    for message in out.get("messages", []):
        content = message.get("content")
        if isinstance(content, list):
            texts = [p.get("text", "") for p in content if p.get("type") == "text"]
            images = images or len(texts) != len(content)
            message = {**message, "content": "".join(texts)}
        messages.append(message)
    out["messages"] = messages
    if images:
        dropped.append("images")
    if out.pop("response_format", None) is not None:
        dropped.append("response_format")
    out["stream"] = True
    return out, dropped


def seal_messages(body: Mapping[str, Any], enclave_point: bytes) -> dict[str, Any]:
    """Each ``user`` and ``system`` content sealed to the enclave (assistant and tool content
    stay as they are: Venice's sample leaves them clear)."""
    from ..tee.keys import seal

    sealed = []
    for message in body["messages"]:
        if message.get("role") in ("user", "system") and isinstance(message.get("content"), str):
            message = {**message, "content": seal(enclave_point, message["content"].encode())}
        sealed.append(message)
    return {**body, "messages": sealed}


def opener(key: ClientKey) -> Any:
    """A chunk hook opening each ``delta.content`` (and a sealed reasoning field) in place."""
    from ..tee.keys import PacketError

    def open_chunk(chunk: Any) -> Any:
        if not isinstance(chunk, dict):
            return chunk
        for choice in chunk.get("choices") or ():
            delta = choice.get("delta") if isinstance(choice, dict) else None
            if not isinstance(delta, dict):
                continue
            for name in ("content", "reasoning_content", "reasoning"):
                value = delta.get(name)
                if not isinstance(value, str) or not value:
                    continue
                if name != "content" and not _looks_sealed(value):
                    continue  # whether Venice seals reasoning is unverified: clear passes
                try:
                    delta[name] = key.decrypt(value).decode("utf-8")
                except (PacketError, UnicodeDecodeError) as exc:
                    raise E2EEError(
                        f"an encrypted answer did not open ({exc}); nothing more is shown. "
                        "Try again"
                    ) from None
        return chunk

    return open_chunk


def _looks_sealed(value: str) -> bool:
    return len(value) >= 2 * (65 + 12 + 16) and all(c in "0123456789abcdefABCDEF" for c in value)


def typed(error: OpenClawError) -> OpenClawError:
    """Venice's E2EE error answers as their own types, with the next step."""
    from ..errors import E2EE_REFUSALS

    if isinstance(error, VeniceAPIError) and not isinstance(error, E2EERefusedError):
        detail = error.detail.lower()
        for cls in E2EE_REFUSALS:
            if cls.marker in detail:
                return cls(error.detail, error.status, error.request_id)
    return error


def _is_decrypt_failure(event: StreamEvent) -> bool:
    error = event.error
    return isinstance(error, VeniceAPIError) and "failed to decrypt" in error.detail.lower()


async def run_e2ee_turn(
    chat: Endpoint, record: ModelInfo, body: Mapping[str, Any], options: StreamOptions,
    state: E2EEState,
) -> AsyncGenerator[StreamEvent, None]:  # fmt: skip
    """The events of one E2EE (or TEE-only) turn; failures end it with an ``error`` event."""
    from .turn import run_turn

    gated, dropped = gate(body)
    if dropped:
        chat.warn_once(f"{record.ref} (end-to-end encrypted): not sent: {', '.join(dropped)}")
    if not options.e2ee:
        chat.warn_once(
            f"{record.ref}: TEE-only mode (--no-e2ee): the enclave is attested, but the "
            "conversation travels in the clear over TLS"
        )
        gated["venice_parameters"] = {**gated["venice_parameters"], "enable_e2ee": False}
    for attempt in range(2):  # one re-attestation and retry on "Failed to decrypt"
        try:
            enclave = await enclave_for(chat, record.id, state, fresh=attempt > 0)
        except OpenClawError as exc:
            yield StreamEvent("error", error=exc, message=_failed(record, exc))
            return
        if options.e2ee:
            headers = {
                "X-Venice-TEE-Client-Pub-Key": state.key.public_hex,
                "X-Venice-TEE-Model-Pub-Key": enclave.signing_point.hex(),
                "X-Venice-TEE-Signing-Algo": "ecdsa",
            }
            sent, hook = seal_messages(gated, enclave.signing_point), opener(state.key)
        else:
            headers, sent, hook = {}, gated, None
        first, retry = True, False
        turn: AsyncGenerator[StreamEvent, None] = run_turn(
            chat, record, sent, options, headers=headers, chunk_hook=hook
        )
        async with aclosing(turn) as events:  # closing this turn closes its HTTP response now
            async for event in events:
                if first and event.type == "error" and attempt == 0 and _is_decrypt_failure(event):
                    retry = True  # nothing was shown: attest again and retry once
                    break
                first = False
                if event.type == "error" and isinstance(event.error, OpenClawError):
                    event = StreamEvent("error", error=typed(event.error), message=event.message)
                yield event
        if not retry:
            return


def _failed(record: ModelInfo, error: Exception) -> Any:
    from ..identity import PROVIDER_ID
    from ..runtime.ai import AssistantMessage

    return AssistantMessage(
        (), "error", model=record.id, provider=PROVIDER_ID, meta={"error": str(error)}
    )
