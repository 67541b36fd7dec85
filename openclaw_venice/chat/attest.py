"""``openclaw models attest venice/e2ee-<id>``: one fresh attestation, verified, as a report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import RequestRefused, UnknownModelError
from ..identity import PROVIDER_ID, resolve_base_url
from ..profiles import venice_profile
from ..runtime.plugins import Attestation, ProviderContext

if TYPE_CHECKING:
    from ..runtime.plugins import SecretStr
    from ..tee import AttestationReport
    from .client import VeniceChat


async def attest_model(
    ctx: ProviderContext, api_key: SecretStr, model_id: str, receipt: str | None = None
) -> Attestation:
    """Fetch and verify a fresh attestation of ``model_id``'s enclave (never raises for a
    failed check: the result says it); with ``receipt`` (a chat id), the enclave's signed
    receipt of that answer against the attested key as well."""
    from .client import VeniceChat
    from .e2ee import attest

    chat = VeniceChat(
        api_key, base_url=resolve_base_url(ctx.config, ctx.env), env=ctx.env, warn=ctx.warn,
        state_dir=ctx.state_dir,
    )  # fmt: skip
    try:
        try:
            record, _ = chat.resolve_model(model_id)
            enclave = record.profile.e2ee
        except UnknownModelError:
            enclave = venice_profile(model_id, reasoning=False).e2ee
        if not enclave:
            raise RequestRefused(
                f"{PROVIDER_ID}/{model_id} does not run in an attested enclave; pick an e2ee- "
                "model (`openclaw models list`)"
            )
        report = await attest(chat, model_id, chat.e2ee_state())
        signed = await _receipt(chat, model_id, report, receipt) if receipt else None
    finally:
        await chat.aclose()
    lines = report.lines()
    lines.insert(1, f"verified at {report.verified_at}; TCB status {report.tcb_status or '?'}")
    data = report.to_dict()
    if signed is None:
        return Attestation(report.passed, report.summary(), lines, data)
    passed, detail = signed
    lines.append(f"{'ok  ' if passed else 'FAIL'} {'receipt':<18} {'local':<6} {detail}")
    data = {**data, "receipt": {"id": receipt, "passed": passed, "detail": detail}}
    summary = report.summary() if not report.passed or passed else f"receipt {receipt}: {detail}"
    return Attestation(report.passed and passed, summary, lines, data)


async def _receipt(
    chat: VeniceChat, model_id: str, report: AttestationReport, chat_id: str
) -> tuple[bool, str]:
    """The enclave's receipt of ``chat_id``, checked against the key just attested (the
    bytes of that exchange are not known here: the signature is what is checked)."""
    from ..errors import OpenClawError
    from ..tee.receipt import verify_receipt
    from .e2ee import fetch_receipt

    if not report.signing_key:
        return False, "no attested key to check it against"
    try:
        answer = await fetch_receipt(chat, model_id, chat_id, None)
    except OpenClawError as exc:
        return False, str(exc)
    verdict = verify_receipt(answer, signing_key=bytes.fromhex(report.signing_key), model=model_id)
    return verdict.passed, verdict.detail
