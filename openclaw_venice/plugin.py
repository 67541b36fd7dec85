"""The ``venice`` entry point of the ``openclaw.plugins`` group.

``register`` only builds the provider object: no network, no disk, no key needed.
"""

from __future__ import annotations

from typing import Any

from .attestation import VeniceAttestation  # light, too: the tee/ code loads on first use
from .capabilities import (  # light: what it offers loads on first use
    VeniceCapabilities,
    VeniceQueuedJobs,
)
from .identity import DEFAULT_BASE_URL, LABEL, PROVIDER_ID
from .runtime.plugins import Kind, PluginApi

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": True,
    "properties": {
        "baseUrl": {"type": "string", "default": DEFAULT_BASE_URL},
        "apiKey": {
            "anyOf": [
                {"type": "string"},
                {
                    "type": "object",
                    "properties": {
                        "source": {"type": "string"},
                        "provider": {"type": "string"},
                        "id": {"type": "string"},
                    },
                },
            ]
        },
        "api": {"type": "string", "const": "openai-completions"},
        "models": {"type": "array", "items": {"type": "object"}},
    },
}


class VenicePlugin:
    id = PROVIDER_ID
    name = f"{LABEL} AI"
    description = (
        "Venice AI: private inference on open models and anonymized access to Claude, GPT, "
        "Gemini and Grok"
    )
    config_schema = CONFIG_SCHEMA

    def register(self, api: PluginApi) -> None:
        from .provider import VeniceProvider

        api.register_provider(VeniceProvider())
        extras = VeniceCapabilities()  # its modules load on first use
        kinds: tuple[Kind, ...] = (
            "balance", "usage", "rate_limits", "characters", "images", "embeddings", "media_models",
            "speech", "transcription",
        )  # fmt: skip
        for kind in kinds:
            api.register_capability(PROVIDER_ID, kind, extras)
        for tool in ("image_edit", "image_upscale", "background_removal", "image_styles"):
            api.register_capability(PROVIDER_ID, tool, extras)
        api.register_capability(PROVIDER_ID, "attestation", VeniceAttestation())
        api.register_capability(PROVIDER_ID, "video", VeniceQueuedJobs("video"))
        api.register_capability(PROVIDER_ID, "music", VeniceQueuedJobs("music"))


plugin = VenicePlugin()
