"""The ``attestation`` capability the Venice plugin registers: light, so registering costs
nothing; ``chat/attest.py`` and the tee/ code load on the first ``openclaw models attest``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .runtime.plugins import Attestation, ProviderContext, SecretStr


class VeniceAttestation:
    def __repr__(self) -> str:
        return "VeniceAttestation()"

    async def attest(
        self, ctx: ProviderContext, api_key: SecretStr, model: str, receipt: str | None = None
    ) -> Attestation:
        """A fresh attestation of an ``e2ee-*`` model's enclave, verified here; with
        ``receipt``, the enclave's signed receipt of that answer (chat id) too."""
        from .chat.attest import attest_model

        return await attest_model(ctx, api_key, model, receipt)
