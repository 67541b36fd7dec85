"""A second, non-Venice provider plugin, installed for the tests through a real entry point."""

from __future__ import annotations

from typing import Any, ClassVar

from openclaw_venice.runtime.plugins import (
    AuthMethod,
    Catalog,
    ModelInfo,
    PluginApi,
    ProviderContext,
)

MODELS = (
    ModelInfo(id="demo-small", name="Demo Small", provider="demo", context_window=8000),
    ModelInfo(id="demo-vision", name="Demo Vision", provider="demo", input=("text", "image")),
)


class DemoProvider:
    id = "demo"
    label = "Demo"
    env_vars = ("DEMO_API_KEY",)
    default_base_url = "http://127.0.0.1:9"
    api = "openai-completions"
    auth_methods = (
        AuthMethod(
            "api-key", "demo-api-key", "Demo key", "--demo-api-key", "DEMO_API_KEY", "demo:default"
        ),
    )

    default_model = "demo-small"

    def base_url(self, ctx: ProviderContext) -> str:
        return self.default_base_url

    def onboarding_config(
        self, existing: Any, catalog: Catalog, api_key_ref: str, mode: str = "merge"
    ) -> dict[str, Any]:
        return {"apiKey": api_key_ref}

    def bundled_catalog(self) -> Catalog:
        return Catalog("demo", "bundled", MODELS)

    def catalog(self, ctx: ProviderContext) -> Catalog:
        return self.bundled_catalog()


class DemoPlugin:
    id = "demo"
    name = "Demo"
    description = "a test provider"
    config_schema: ClassVar[dict[str, Any]] = {"type": "object"}

    def register(self, api: PluginApi) -> None:
        api.register_provider(DemoProvider())


plugin = DemoPlugin()
