"""One turn of ``openclaw chat``: stream the provider's events through the printer and keep
the answer in the conversation."""

from __future__ import annotations

from dataclasses import dataclass

from ..ai import ChatSettings, Context
from ..errors import UnknownModelError
from ..plugins import ChatSession
from .chat_output import TurnPrinter


@dataclass(slots=True)
class Turn:
    """Everything a turn needs but the prompt, which is the last message of ``context``."""

    session: ChatSession
    provider_id: str
    model: str  # as written after ``provider/``: the provider resolves it
    context: Context
    settings: ChatSettings
    printer: TurnPrinter
    fallback: str | None = None  # why the catalog is the provider's bundled one, if it is

    @property
    def ref(self) -> str:
        return f"{self.provider_id}/{self.model}"

    async def run(self) -> None:
        """Stream one answer; the wait status runs until something is shown."""
        printer = self.printer
        printer.begin(self.provider_id)
        settings = self.settings._replace(status=printer.status.note)
        events = self.session.stream(self.model, self.context, settings)
        try:
            async for event in events:
                printer.event(event)
                if event.type == "done" and event.message is not None:
                    self.context.messages.append(event.message)
        except UnknownModelError as exc:
            if self.fallback is None or exc.fallback is not None:
                raise
            # the live list may have it: say that only the bundled one was looked in
            raise UnknownModelError(exc.ref, exc.suggestions, self.fallback) from None
        finally:
            printer.status.stop()
            await events.aclose()
