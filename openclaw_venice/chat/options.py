"""Options of one chat turn, with Venice's own switches."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..runtime.ai import ReasoningLevel


@dataclass(frozen=True, slots=True)
class VeniceOptions:
    """Venice-only switches, sent in ``venice_parameters``.

    ``include_venice_system_prompt`` is off unless set here or in the config's
    ``params.venice_parameters``: an agent brings its own system prompt, and Venice would
    otherwise prepend its own. A switch left None is the config's (then Venice's) to set.
    """

    include_venice_system_prompt: bool | None = None
    web_search: Literal["off", "on", "auto"] | None = None
    web_citations: bool | None = None
    web_scraping: bool | None = None
    character: str | None = None
    strip_thinking: bool | None = None
    disable_thinking: bool | None = None
    search_results_in_stream: bool | None = None
    search_results_as_documents: bool | None = None
    x_search: bool | None = None

    def parameters(self) -> dict[str, Any]:
        """The set switches under their ``venice_parameters`` names."""
        values = {key: getattr(self, name) for name, key in VENICE_PARAMETERS.items()}
        return {key: value for key, value in values.items() if value is not None}


# option -> its key in Venice's ``venice_parameters`` (tests hold these to the spec).
# ``enable_e2ee`` is left out: chat/e2ee.py sets it (false) for TEE-only turns.
VENICE_PARAMETERS = {
    "include_venice_system_prompt": "include_venice_system_prompt",
    "web_search": "enable_web_search",
    "web_citations": "enable_web_citations",
    "web_scraping": "enable_web_scraping",
    "character": "character_slug",
    "strip_thinking": "strip_thinking_response",
    "disable_thinking": "disable_thinking",
    "search_results_in_stream": "include_search_results_in_stream",
    "search_results_as_documents": "return_search_results_as_documents",
    "x_search": "enable_x_search",
}


@dataclass(frozen=True, slots=True)
class StreamOptions:
    """One turn's options. ``max_tokens``: None or below 1 means the model's limit; the request
    never asks for more than that nor than the context has left. ``temperature``: 0 to 2."""

    max_tokens: int | None = None
    temperature: float | None = None
    reasoning: ReasoningLevel | None = None
    session_id: str | None = None
    venice: VeniceOptions = field(default_factory=VeniceOptions)
    response_schema: Mapping[str, Any] | None = None  # JSON Schema for structured output
    timeout: float = 120.0  # seconds without a byte before the turn fails
    total_timeout: float | None = None  # seconds for the whole turn, retries included
    max_retries: int = 2
    #: told before each retry: seconds it will wait, and why ("HTTP 429", "connection failed")
    on_retry: Callable[[float, str], None] | None = field(default=None, compare=False)
    # e2ee-* models: False is TEE-only mode (attested enclave, content in the clear over TLS)
    e2ee: bool = True
    # e2ee-* models: fetch the enclave's signed receipt of each answer and verify it against
    # the attested key and the bytes sent and received (a failed receipt fails the turn)
    receipt: bool = False
    #: OpenAI request fields carried as they are (``chat/openai_fields.py`` checks them)
    openai_fields: Mapping[str, Any] = field(default_factory=dict)
