"""End-to-end encrypted turns for ``e2ee-*`` models.

Before the first turn with a model, and again after ``ATTESTATION_TTL`` seconds, the client
fetches the enclave's attestation with a fresh 32-byte nonce and verifies it here
(``openclaw_venice.tee``); any failed check ends the turn with :class:`AttestationError` and no
chat request is sent. Then every message's text (``content``, and replayed reasoning), whatever
its role, is sealed to the attested key, a key pair made for this one request sends its
public half in ``X-Venice-TEE-Client-Pub-Key``, and each streamed ``delta.content`` is opened
with its private half. A fresh key pair per request means chunks sealed for one request never
open in another: a server cannot replay one turn's answer as the next one's.

Every role is sealed because the enclave opens every role: the enclave proxy decrypts the
``content`` (and ``reasoning_content``, ``reasoning``) of each message whatever its role, and
answers a clear one with "Encrypted field is not valid hex" (nearai's proxy,
``decrypt_chat_message_fields``; an independent Venice client reports the same 400 for clear
assistant history). Venice's guide seals user and system only because its sample is one turn.
What still travels in the clear (TLS only) is said once per session, in one line and in the
turn's ``meta["notices"]`` (``--json``): roles, the model id, the request parameters, and tool
calls of earlier turns (names and arguments) when the history has them.

An E2EE answer is held to what the enclave sends: ``content`` must be a sealed string (list
content, tool calls, or content that does not open end the turn); reasoning is opened when
sealed, and reasoning in the clear is dropped with one line; every other delta field
(Gemini's reasoning state, citations, refusals) is dropped unread. Tools, web search, images
and ``response_format`` are not sent (Venice does not support them with E2EE); one warning
line says what was dropped. ``StreamOptions(e2ee=False)`` is TEE-only mode: attested, but
content in the clear over TLS.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import os
import time
from collections.abc import AsyncGenerator, Callable, Mapping
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
ATTESTATION_DEADLINE = 60.0  # seconds for attestation and Intel's collateral, at most
ROOT_CA_ENV_VAR = "VENICE_TEE_ROOT_CA"  # a PEM/DER trust anchor instead of Intel's (tests)
NVIDIA_ROOT_ENV_VAR = "VENICE_TEE_NVIDIA_ROOT"  # a PEM/DER root instead of NVIDIA's (tests)
PCS_URL_ENV_VAR = "VENICE_TEE_PCS_URL"  # Intel's PCS, or a PCCS mirror
ACCEPT_TCB_ENV_VAR = "VENICE_TEE_ACCEPT_TCB"  # more TCB statuses that pass (docs/tee-policy.md)
_WEB_KEYS = ("enable_web_search", "enable_web_citations", "enable_web_scraping",
             "enable_x_search", "include_search_results_in_stream",
             "return_search_results_as_documents")  # fmt: skip


@dataclass(frozen=True)
class TeeSettings:
    """How enclaves are verified: the trust anchor (Intel's SGX Root CA when None), where
    Intel's collateral comes from, which TCB statuses pass (the identity policy's when None),
    what a Venice enclave is: ``identity``, else the packaged policy with the user's
    ``policy_file`` on top (read at each attestation) and ``accept_tcb``
    (``VENICE_TEE_ACCEPT_TCB``), and the GPUs' root (the SHA-256 of its DER; NVIDIA's Device
    Identity CA when None)."""

    root_ca_der: bytes | None = None
    pcs: PcsEndpoints | None = None
    policy: TcbPolicy | None = None
    identity: EnclavePolicy | None = None
    policy_file: Path | None = None
    accept_tcb: str = ""
    nvidia_root_sha256: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str], state_dir: Path | None = None) -> TeeSettings:
        """From ``VENICE_TEE_*`` variables; the user's policy file is in ``state_dir``."""
        import hashlib

        root = env.get(ROOT_CA_ENV_VAR)
        nvidia = env.get(NVIDIA_ROOT_ENV_VAR)
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
            root_ca_der=_load_root(root, ROOT_CA_ENV_VAR) if root else None,
            pcs=endpoints,
            policy_file=policy_file,
            accept_tcb=env.get(ACCEPT_TCB_ENV_VAR, ""),
            nvidia_root_sha256=(
                hashlib.sha256(_load_root(nvidia, NVIDIA_ROOT_ENV_VAR)).hexdigest()
                if nvidia
                else None
            ),
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


def _load_root(path: str, variable: str = ROOT_CA_ENV_VAR) -> bytes:
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
            f"{variable}={path} is not a readable certificate ({exc}); fix or unset it"
        ) from None
    return cert.public_bytes(Encoding.DER)


@dataclass(frozen=True)
class Enclave:
    report: AttestationReport
    signing_point: bytes
    attested_at: float


@dataclass
class E2EEState:
    """One chat session's E2EE state: the enclaves attested for it, by model. (Client key
    pairs are not kept here: each request makes its own, see :func:`request_key`.)"""

    settings: TeeSettings
    enclaves: dict[str, Enclave] = field(default_factory=dict)
    told_clear: bool = False  # the session was told what an E2EE turn sends in the clear

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
                  settings.policy, settings.root_ca_der, identity,
                  nvidia_root_sha256=settings.nvidia_root_sha256)  # fmt: skip


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


def request_key() -> ClientKey:
    """A key pair for one chat request (never written or shown; gone with the request)."""
    from ..tee.keys import ClientKey

    return ClientKey()


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


SEALED_FIELDS = ("content", "reasoning_content", "reasoning")


def seal_messages(body: Mapping[str, Any], enclave_point: bytes) -> dict[str, Any]:
    """Every message's non-empty text fields (``SEALED_FIELDS``) sealed to the enclave,
    whatever the message's role."""
    from ..tee.keys import seal

    sealed = []
    for message in body["messages"]:
        out = dict(message)
        for name in SEALED_FIELDS:
            value = out.get(name)
            if isinstance(value, str) and value:
                out[name] = seal(enclave_point, value.encode())
        sealed.append(out)
    return {**body, "messages": sealed}


def in_the_clear(body: Mapping[str, Any]) -> str:
    """What a sealed request still sends readable (TLS only), in words."""
    calls = sum(
        len(message.get("tool_calls") or ())
        for message in body.get("messages", ())
        if isinstance(message, Mapping)
    )
    clear = "message roles, the model id and the request parameters"
    if calls:
        noun = "call" if calls == 1 else "calls"
        clear = f"{calls} earlier tool {noun} (names and arguments), " + clear
    return clear


def opener(key: ClientKey, note: Callable[[str], None]) -> Callable[[Any], Any]:
    """A chunk hook that holds an E2EE answer to what the enclave sends: each delta's
    ``content`` opened (it must be a sealed string), reasoning opened when sealed and dropped
    with ``note`` when clear, tool calls refused, every other field dropped."""

    def open_chunk(chunk: Any) -> Any:
        if not isinstance(chunk, dict):
            return chunk
        for name in _CLEAR_CHUNK_FIELDS:  # citations of a web search E2EE never asked for
            chunk.pop(name, None)
        choices = chunk.get("choices")
        for choice in choices if isinstance(choices, list) else ():
            if isinstance(choice, dict) and isinstance(choice.get("delta"), dict):
                choice["delta"] = _open_delta(choice["delta"], key, note)
        return chunk

    return open_chunk


_CLEAR_CHUNK_FIELDS = ("venice_search_results", "venice_parameters")


def _open_delta(
    delta: Mapping[str, Any], key: ClientKey, note: Callable[[str], None]
) -> dict[str, Any]:
    from .chunk_fields import kind_of

    out: dict[str, Any] = {}
    if "role" in delta:
        out["role"] = delta["role"]
    calls = delta.get("tool_calls")
    if calls:
        raise E2EEError(
            "the enclave's answer carried tool calls, which an end-to-end encrypted turn never "
            "asks for; nothing more is shown. Try again"
        )
    content = delta.get("content")
    if content is not None and content != "":
        if not isinstance(content, str):
            raise E2EEError(
                f"the enclave's answer carried content that is {kind_of(content)}, not sealed "
                "text; nothing more is shown. Try again"
            )
        out["content"] = _open(key, content)
    reasoning = [delta.get(name) for name in ("reasoning_content", "reasoning")]
    for value in reasoning:
        if value is None or value == "":
            continue
        if isinstance(value, str) and _looks_sealed(value):
            out["reasoning_content"] = out.get("reasoning_content", "") + _open(key, value)
        else:
            note("reasoning sent in the clear, not sealed to this request's key: not shown")
    return out


def _open(key: ClientKey, value: str) -> str:
    from ..tee.keys import PacketError

    try:
        return key.decrypt(value).decode("utf-8")
    except (PacketError, UnicodeDecodeError) as exc:
        raise E2EEError(
            f"an encrypted answer did not open ({exc}); nothing more is shown. Try again"
        ) from None


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
    notices: list[str] = []  # the session's first E2EE turn says what travels in the clear
    loop = asyncio.get_running_loop()
    ends_at = None if options.total_timeout is None else loop.time() + options.total_timeout
    for attempt in range(2):  # one re-attestation and retry on "Failed to decrypt"
        try:
            enclave = await _attested(chat, record.id, state, attempt > 0, options, ends_at)
        except OpenClawError as exc:
            yield StreamEvent("error", error=exc, message=_failed(record, exc))
            return
        if ends_at is not None:  # the chat request gets what the attestation left of --timeout
            options = dataclasses.replace(options, total_timeout=max(ends_at - loop.time(), 0.0))
        if options.e2ee:
            key = request_key()
            headers = {
                "X-Venice-TEE-Client-Pub-Key": key.public_hex,
                "X-Venice-TEE-Model-Pub-Key": enclave.signing_point.hex(),
                "X-Venice-TEE-Signing-Algo": "ecdsa",
            }
            sent = seal_messages(gated, enclave.signing_point)
            hook = opener(key, lambda text: chat.warn_once(f"{record.ref}: {text}"))
            if not state.told_clear:
                state.told_clear = True
                notices.append(
                    f"{record.ref} (end-to-end encrypted): every message's text is sealed to "
                    f"the attested enclave; in the clear (TLS only): {in_the_clear(gated)}"
                )
                chat.warn_once(notices[-1])
        else:
            headers, sent, hook = {}, gated, None
        first, retry = True, False
        digest = hashlib.sha256() if options.receipt else None  # every byte of the answer
        turn: AsyncGenerator[StreamEvent, None] = run_turn(
            chat, record, sent, options, headers=headers, chunk_hook=hook,
            body_hook=digest.update if digest is not None else None,
        )  # fmt: skip
        async with aclosing(turn) as events:  # closing this turn closes its HTTP response now
            async for event in events:
                if first and event.type == "error" and attempt == 0 and _is_decrypt_failure(event):
                    retry = True  # nothing was shown: attest again and retry once
                    break
                first = False
                if event.type == "error" and isinstance(event.error, OpenClawError):
                    event = StreamEvent("error", error=typed(event.error), message=event.message)
                elif event.type == "done" and event.message is not None:
                    told = list(notices)
                    if digest is not None:
                        try:
                            told.append(await _check_receipt(
                                chat, record, enclave, sent, digest.hexdigest(), event.message,
                                ends_at,
                            ))  # fmt: skip
                        except OpenClawError as exc:
                            yield StreamEvent("error", error=exc, message=event.message)
                            return
                    if told:
                        meta = {**event.message.meta, "notices": told}
                        event = event._replace(message=event.message._replace(meta=meta))
                yield event
        if not retry:
            return


RECEIPT_TRIES = 3  # the proxy files the receipt as the answer ends: a 404 is asked again
RECEIPT_WAIT = 0.3
MAX_RECEIPT_BYTES = 64 * 1024


async def _check_receipt(
    chat: Endpoint, record: ModelInfo, enclave: Enclave, sent: Mapping[str, Any],
    response_sha256: str, message: Any, ends_at: float | None,
) -> str:  # fmt: skip
    """Fetch and verify the enclave's signed receipt of this exchange (``--receipt``); the
    line that says so, or :class:`E2EEError`."""
    import hashlib
    import json

    from ..tee.receipt import verify_receipt

    chat_id = message.meta.get("responseId")
    if not isinstance(chat_id, str) or not chat_id:
        raise E2EEError(
            "the answer carried no id to ask the enclave's receipt for; the answer above is "
            "not proven to come from the attested enclave"
        )
    body = json.dumps(sent, ensure_ascii=False).encode()  # the bytes run_turn sent
    answer = await fetch_receipt(chat, record.id, chat_id, ends_at)
    verdict = verify_receipt(
        answer, signing_key=enclave.signing_point, model=record.id,
        request_sha256=hashlib.sha256(body).hexdigest(), response_sha256=response_sha256,
    )  # fmt: skip
    if not verdict.passed:
        raise E2EEError(
            f"the enclave's receipt of this answer does not verify ({verdict.detail}); the "
            "answer above is not proven to come from the attested enclave"
        )
    line = f"{record.ref}: receipt of {chat_id} verified: {verdict.detail}"
    chat.warn_once(line)
    return line


async def fetch_receipt(
    chat: Endpoint, model_id: str, chat_id: str, ends_at: float | None
) -> Any:
    """``GET /tee/signature`` for ``chat_id`` through the wire (read under a cap), asked again
    on a 404 (the proxy files it as the answer ends), within the turn's deadline (and
    ``ATTESTATION_DEADLINE`` at most)."""
    from ..errors import VeniceTimeoutError
    from ..tee.jsontext import JsonTextError, parse_json

    params = {"model": model_id, "request_id": chat_id}
    failures = _ReceiptFailures(chat_id)
    loop = asyncio.get_running_loop()
    limit = loop.time() + ATTESTATION_DEADLINE
    attempt = 0
    try:
        async with asyncio.timeout_at(limit if ends_at is None else min(limit, ends_at)):
            while True:
                attempt += 1
                try:
                    answer = await chat.wire.fetch(
                        "/tee/signature", params=params, timeout=30.0,
                        max_bytes=MAX_RECEIPT_BYTES, failures=failures,
                    )  # fmt: skip
                except _NoReceipt as exc:
                    if exc.status == 404 and attempt < RECEIPT_TRIES:
                        await asyncio.sleep(RECEIPT_WAIT)
                        continue
                    raise
                return parse_json(bytes(answer.payload))
    except TimeoutError:
        raise VeniceTimeoutError(
            "the enclave's receipt did not arrive in time, so the answer is not proven"
        ) from None
    except JsonTextError:
        raise E2EEError("the enclave's receipt is not JSON, so the answer is not proven") from None


class _NoReceipt(E2EEError):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class _ReceiptFailures:
    """``GET /tee/signature`` failing, in this module's words."""

    def __init__(self, chat_id: str) -> None:
        self.chat_id = chat_id

    def status(
        self, status: int, body: bytes, request_id: str | None, wait: float | None, attempts: int
    ) -> Exception:
        return _NoReceipt(
            f"Venice gave no receipt for {self.chat_id} (HTTP {status}), so the answer is not "
            "proven to come from the attested enclave",
            status,
        )

    def timeout(self, attempts: int) -> Exception:
        from ..errors import VeniceTimeoutError

        return VeniceTimeoutError(
            "the enclave's receipt did not arrive in time, so the answer is not proven"
        )

    def deadline(self) -> Exception:
        return self.timeout(attempts=1)

    def unreachable(self, exc: Exception, attempts: int, refused: bool) -> Exception:
        from ..errors import VeniceConnectionError

        return VeniceConnectionError(
            f"could not fetch the enclave's receipt ({type(exc).__name__}), so the answer is "
            "not proven"
        )


async def _attested(
    chat: Endpoint, model_id: str, state: E2EEState, fresh: bool, options: StreamOptions,
    ends_at: float | None,
) -> Enclave:  # fmt: skip
    """:func:`enclave_for` within the turn's deadline (``--timeout``) and at most
    ``ATTESTATION_DEADLINE`` seconds: a document or collateral dripped a byte at a time
    cannot hold the turn."""
    loop = asyncio.get_running_loop()
    limit = loop.time() + ATTESTATION_DEADLINE
    deadline = limit if ends_at is None else min(limit, ends_at)
    try:
        async with asyncio.timeout_at(deadline):
            return await enclave_for(chat, model_id, state, fresh)
    except TimeoutError:
        from ..errors import VeniceTimeoutError

        within = (
            f"--timeout {options.total_timeout:g} s"
            if deadline != limit and options.total_timeout is not None
            else f"{ATTESTATION_DEADLINE:g} s"
        )
        raise VeniceTimeoutError(
            f"the enclave's attestation was not verified within {within}; nothing was sent. "
            "Try again"
        ) from None


def _failed(record: ModelInfo, error: Exception) -> Any:
    from ..identity import PROVIDER_ID
    from ..runtime.ai import AssistantMessage

    return AssistantMessage(
        (), "error", model=record.id, provider=PROVIDER_ID, meta={"error": str(error)}
    )
