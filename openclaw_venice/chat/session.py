"""The host's side of Venice chat: Venice's own ``openclaw chat`` flags, and a session that
turns the host's provider-neutral settings into :class:`StreamOptions`."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Any

from ..runtime.ai import ChatSettings, Context, StreamEvent
from ..runtime.catalog import ModelInfo
from ..runtime.plugins import ChatFlag
from .client import VeniceChat
from .options import StreamOptions, VeniceOptions

CHAT_FLAGS = (
    ChatFlag(
        "--web-search",
        "web_search",
        "Venice web search: off, on, or auto (the model decides)",
        choices=("off", "on", "auto"),
    ),
    ChatFlag("--web-citations", "web_citations", "ask for [n] citations of web results"),
    ChatFlag("--web-scraping", "web_scraping", "let Venice read URLs found in the prompt"),
    ChatFlag(
        "--venice-system-prompt",
        "include_venice_system_prompt",
        "let Venice prepend its own system prompt (off by default)",
    ),
    ChatFlag(
        "--no-e2ee",
        "no_e2ee",
        "e2ee- models: TEE-only mode (enclave attested, content in the clear over TLS)",
    ),
    ChatFlag(
        "--receipt",
        "receipt",
        "e2ee- models: verify the enclave's signed receipt of each answer (attested key)",
    ),
)
_VENICE_KEYS = frozenset(VeniceOptions.__dataclass_fields__)


def stream_options(settings: ChatSettings) -> StreamOptions:
    """Host settings -> Venice options; unknown provider options are ignored."""
    venice: dict[str, Any] = {
        k: v for k, v in settings.provider_options.items() if k in _VENICE_KEYS and v is not None
    }
    if settings.character is not None:  # `openclaw chat --character`, checked by the host
        venice["character"] = settings.character
    retries = {} if settings.max_retries is None else {"max_retries": max(settings.max_retries, 0)}
    return StreamOptions(
        **retries,
        max_tokens=settings.max_tokens,
        temperature=settings.temperature,
        reasoning=settings.reasoning,
        session_id=settings.session_id,
        response_schema=settings.response_schema,
        venice=VeniceOptions(**venice),
        total_timeout=settings.timeout,
        on_retry=_retry_reporter(settings),
        e2ee=not settings.provider_options.get("no_e2ee"),
        receipt=bool(settings.provider_options.get("receipt")),
        openai_fields=settings.openai_fields,
    )


def _retry_reporter(settings: ChatSettings) -> Callable[[float, str], None] | None:
    status = settings.status
    if status is None:
        return None
    return lambda delay, why: status(f"retrying in {delay:.0f} s after {why}…")


class VeniceSession:
    """A :class:`~openclaw_venice.runtime.plugins.ChatSession` over :class:`VeniceChat`."""

    def __init__(self, chat: VeniceChat) -> None:
        self.chat = chat

    def __repr__(self) -> str:
        return f"VeniceSession({self.chat!r})"

    def stream(
        self, model: ModelInfo | str, context: Context, settings: ChatSettings
    ) -> AsyncGenerator[StreamEvent, None]:
        return self.chat.stream(model, context, stream_options(settings))

    async def aclose(self) -> None:
        await self.chat.aclose()
