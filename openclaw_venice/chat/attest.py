"""``openclaw models attest venice/e2ee-<id>``: one fresh attestation, verified, as a report."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from ..errors import RequestRefused
from ..runtime.catalog import ModelInfo
from ..runtime.plugins import Attestation, ProviderContext
from .quirks import is_e2ee

if TYPE_CHECKING:
    from ..runtime.plugins import SecretStr
    from ..tee import AttestationReport


def attest_model(
    base_url: str, api_key: SecretStr, model: ModelInfo, ctx: ProviderContext
) -> Attestation:
    if not is_e2ee(model):
        raise RequestRefused(
            f"{model.ref} does not run in an attested enclave; pick an e2ee- model "
            "(`openclaw models list`)"
        )
    report = asyncio.run(_attest(base_url, api_key, model, ctx))
    data = report.to_dict()
    lines = report.lines()
    lines.insert(1, f"verified at {report.verified_at}; TCB status {report.tcb_status or '?'}")
    return Attestation(report.passed, report.summary(), lines, data)


async def _attest(
    base_url: str, api_key: SecretStr, model: ModelInfo, ctx: ProviderContext
) -> AttestationReport:
    from .client import VeniceChat
    from .e2ee import attest

    chat = VeniceChat(api_key, base_url=base_url, env=ctx.env, warn=ctx.warn)
    try:
        return await attest(chat, model.id, chat.e2ee_state())
    finally:
        await chat.aclose()
