"""Options of one chat turn, with Venice's own switches."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..runtime.ai import ReasoningLevel


@dataclass(frozen=True, slots=True)
class VeniceOptions:
    """Venice-only switches, sent in ``venice_parameters``.

    ``include_venice_system_prompt`` is off by default: an agent brings its own system
    prompt, and Venice would otherwise prepend its own.
    """

    include_venice_system_prompt: bool = False
    web_search: Literal["off", "on", "auto"] | None = None
    web_citations: bool | None = None
    web_scraping: bool | None = None
    character: str | None = None
    strip_thinking: bool | None = None
    disable_thinking: bool | None = None
    search_results_in_stream: bool | None = None
    x_search: bool | None = None


@dataclass(frozen=True, slots=True)
class StreamOptions:
    max_tokens: int | None = None
    temperature: float | None = None
    reasoning: ReasoningLevel | None = None
    session_id: str | None = None
    venice: VeniceOptions = field(default_factory=VeniceOptions)
    response_schema: Mapping[str, Any] | None = None  # JSON Schema for structured output
    timeout: float = 120.0  # seconds without a byte before the turn fails
    max_retries: int = 2
