"""A chat plugin written from docs/plugins.md alone (issue 26 item 1): it imports nothing but
``openclaw_venice.runtime.plugins`` and only names the page documents
(tests/test_contract_page.py checks both). Its model answers with the user's words,
streamed a word at a time; ``CLOSED`` records what the host closed."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from typing import Any, ClassVar

from openclaw_venice.runtime.plugins import (
    AssistantMessage,
    AuthMethod,
    Catalog,
    ChatFlag,
    ChatSettings,
    Context,
    ModelInfo,
    ModelProfile,
    PluginApi,
    ProviderContext,
    SecretStr,
    StreamEvent,
    TextPart,
    Usage,
    UserMessage,
)

MODELS = (
    ModelInfo(
        id="echo-1", name="Echo", provider="echo", context_window=4096,
        profile=ModelProfile(reasoning_efforts=("low",)),
    ),
)  # fmt: skip
#: what the host closed, in order ("session", "provider"), across this process's commands
CLOSED: list[str] = []


class EchoSession:
    def __init__(self, shout: bool) -> None:
        self.shout = shout

    async def stream(
        self, model: ModelInfo | str, context: Context, settings: ChatSettings
    ) -> AsyncGenerator[StreamEvent, None]:
        model_id = model.id if isinstance(model, ModelInfo) else model
        last = context.messages[-1]
        said = last.content if isinstance(last, UserMessage) else ""
        text = said if isinstance(said, str) else " ".join(
            p.text for p in said if isinstance(p, TextPart)
        )
        if settings.provider_options.get("shout"):
            text = text.upper()
        yield StreamEvent("start", message=AssistantMessage([], model=model_id, provider="echo"))
        yield StreamEvent("text_start", 0)
        for word in text.split(" "):
            yield StreamEvent("text_delta", 0, word + " ")
        answer = TextPart(text + " ")
        yield StreamEvent("text_end", 0, part=answer)
        usage = Usage(input=len(text.split()), output=len(text.split()))
        message = AssistantMessage([answer], usage=usage, model=model_id, provider="echo")
        yield StreamEvent("done", message=message)

    async def aclose(self) -> None:
        CLOSED.append("session")


class EchoProvider:
    id = "echo"
    label = "Echo"
    env_vars = ("ECHO_API_KEY",)
    default_base_url = "http://127.0.0.1:9"
    api = "openai-completions"
    auth_methods = (
        AuthMethod("api-key", "echo-api-key", "Echo key", "--echo-api-key", "ECHO_API_KEY",
                   "echo:default"),
    )  # fmt: skip
    default_model = "echo-1"
    chat_flags = (ChatFlag("--shout", "shout", "answer in capitals"),)

    def base_url(self, ctx: ProviderContext) -> str:
        return str(ctx.config.get("baseUrl") or self.default_base_url)

    def onboarding_config(
        self, existing: Mapping[str, Any], catalog: Catalog, api_key_ref: str, mode: str
    ) -> dict[str, Any]:
        return {} if existing.get("apiKey") else {"apiKey": api_key_ref}

    def bundled_catalog(self) -> Catalog:
        return Catalog("echo", "bundled", MODELS)

    def catalog(self, ctx: ProviderContext) -> Catalog:
        return self.bundled_catalog()

    def chat(
        self, ctx: ProviderContext, api_key: SecretStr, catalog: Catalog | None = None
    ) -> EchoSession:
        return EchoSession(shout=False)

    async def aclose(self) -> None:
        CLOSED.append("provider")


class EchoPlugin:
    id = "echo"
    name = "Echo"
    description = "answers with your words"
    config_schema: ClassVar[dict[str, Any]] = {"type": "object"}

    def register(self, api: PluginApi) -> None:
        api.register_provider(EchoProvider())


plugin = EchoPlugin()
