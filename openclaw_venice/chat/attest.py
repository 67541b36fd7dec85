"""``openclaw models attest venice/e2ee-<id>``: one fresh attestation, verified, as a report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import RequestRefused, UnknownModelError
from ..identity import PROVIDER_ID, resolve_base_url
from ..runtime.plugins import Attestation, ProviderContext
from .quirks import is_e2ee

if TYPE_CHECKING:
    from ..runtime.plugins import SecretStr


async def attest_model(ctx: ProviderContext, api_key: SecretStr, model_id: str) -> Attestation:
    """Fetch and verify a fresh attestation of ``model_id``'s enclave (never raises for a
    failed check: the result says it)."""
    from .client import VeniceChat
    from .e2ee import attest

    chat = VeniceChat(
        api_key, base_url=resolve_base_url(ctx.config, ctx.env), env=ctx.env, warn=ctx.warn,
        state_dir=ctx.state_dir,
    )  # fmt: skip
    try:
        try:
            record, _ = chat.resolve_model(model_id)
            enclave = is_e2ee(record)
        except UnknownModelError:
            enclave = model_id.lower().startswith("e2ee-")
        if not enclave:
            raise RequestRefused(
                f"{PROVIDER_ID}/{model_id} does not run in an attested enclave; pick an e2ee- "
                "model (`openclaw models list`)"
            )
        report = await attest(chat, model_id, chat.e2ee_state())
    finally:
        await chat.aclose()
    lines = report.lines()
    lines.insert(1, f"verified at {report.verified_at}; TCB status {report.tcb_status or '?'}")
    return Attestation(report.passed, report.summary(), lines, report.to_dict())
