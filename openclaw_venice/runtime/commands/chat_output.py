"""How ``openclaw chat`` shows a turn: text streamed to stdout, thinking and usage to stderr,
or one JSON object at the end with ``--json``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..ai import AssistantMessage, StreamEvent
from ..host import Host
from ..terminal import dim, is_terminal, safe_text, use_colour
from .wait_status import WaitStatus

#: events after which the wait is over (something is shown, or the turn ended)
_VISIBLE = frozenset({"text_delta", "toolcall_start", "done", "error"})

_RATE_KEYS = (
    "rateLimitRemainingRequests",
    "rateLimitRemainingTokens",
    "rateLimitResetRequests",
    "rateLimitResetTokens",
)


class TurnPrinter:
    """Shows one turn's events. On a terminal, text from the model is made safe (no escape
    sequence reaches it), thinking is dimmed (unless ``NO_COLOR``), and a wait longer than a
    second shows a status line on stderr; pipes and ``--json`` get the text exactly."""

    def __init__(self, host: Host, *, show_thinking: bool = False, as_json: bool = False) -> None:
        self.host, self.show_thinking, self.as_json = host, show_thinking, as_json
        self._open_line = False  # stdout has text not yet ended by a newline
        self._out_tty = is_terminal(host.stdout)
        self._err_tty = is_terminal(host.stderr)
        self._colour = use_colour(host.stderr, host.env)
        self.status = WaitStatus(host.stderr, "the provider")

    def begin(self, provider: str) -> None:
        """A turn starts: the wait status counts from now (call inside the event loop)."""
        self.status.what = provider
        self.status.start()

    def event(self, event: StreamEvent) -> None:
        if event.type in _VISIBLE or (event.type == "thinking_delta" and self.show_thinking):
            self.status.stop()
        if event.type == "error" and event.error is not None:
            self.end_line()
            raise event.error
        if self.as_json:
            if event.type == "done" and event.message is not None:
                self.host.out(json.dumps(turn_json(event.message), indent=2))
            return
        if event.type == "text_delta":
            self.host.stdout.write(safe_text(event.delta) if self._out_tty else event.delta)
            self.host.stdout.flush()
            self._open_line = not event.delta.endswith("\n")
        elif event.type == "thinking_delta" and self.show_thinking:
            text = safe_text(event.delta) if self._err_tty else event.delta
            self.host.stderr.write(dim(text) if self._colour else text)
            self.host.stderr.flush()
        elif event.type == "thinking_end" and self.show_thinking:
            self.host.stderr.write("\n")
        elif event.type == "done" and event.message is not None:
            self.end_line()
            self._footer(event.message)

    def end_line(self) -> None:
        """End a line of answer text left open (before an error or a footer)."""
        self.status.stop()
        if self._open_line:
            self.host.stdout.write("\n")
            self.host.stdout.flush()
            self._open_line = False

    def _footer(self, message: AssistantMessage) -> None:
        if not (self.host.stderr.isatty() or self.host.verbose):
            return
        usage = message.usage
        line = f"[{usage.input} in"
        if usage.cache_read:
            line += f" ({usage.cache_read} cached)"
        line += f", {usage.output} out, ${usage.cost:.6f}"
        if message.stop_reason == "length":
            line += ", cut at the token limit"
        self.host.err(line + "]")
        for number, citation in enumerate(message.meta.get("citations") or (), 1):
            if isinstance(citation, Mapping):
                shown = f"[{number}] {citation.get('title', '')} {citation.get('url', '')}"
                self.host.err(safe_text(shown) if self._err_tty else shown)


def turn_json(message: AssistantMessage) -> dict[str, Any]:
    """The final message, usage, cost, request id, balance, rate limits, citations and the
    provider's notices (e.g. what an end-to-end encrypted turn sent in the clear)."""
    meta = message.meta
    return {
        "model": message.model,
        "provider": message.provider,
        "text": message.text,
        "thinking": message.thinking or None,
        "toolCalls": [
            {"id": c.id, "name": c.name, "arguments": c.arguments, "raw": c.raw_arguments}
            for c in message.tool_calls
        ],
        "stopReason": message.stop_reason,
        "usage": message.usage.to_json(),
        "cost": message.usage.cost,
        "requestId": meta.get("requestId"),
        "balance": {k[7:].lower(): v for k, v in meta.items() if k.startswith("balance")},
        "rateLimits": {k: meta[k] for k in _RATE_KEYS if k in meta},
        "citations": list(meta.get("citations") or []),
        "notices": list(meta.get("notices") or []),  # what the provider told about the turn
    }
