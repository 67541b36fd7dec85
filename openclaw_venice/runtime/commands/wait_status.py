"""A small status on stderr while a terminal user waits for the provider.

Nothing shows for the first second, nor ever on a pipe. Then one line, rewritten in place:
``waiting for venice… 3 s``, or what the provider says it is doing (``retrying in 2 s after
HTTP 429``). It is erased the moment output arrives.
"""

from __future__ import annotations

import asyncio
import time
from typing import TextIO

from ..terminal import is_terminal, safe_text

DELAY = 1.0  # seconds of silence before anything is shown
TICK = 0.5
ERASE = "\r\x1b[K"


class WaitStatus:
    def __init__(self, stream: TextIO, what: str) -> None:
        self.stream, self.what = stream, what
        self.enabled = is_terminal(stream)
        self._task: asyncio.Task[None] | None = None
        self._shown = False
        self._note = ""
        self._since = 0.0

    def start(self) -> None:
        """Begin a wait (from inside the running loop)."""
        self.stop()
        if self.enabled:
            self._since, self._note = time.monotonic(), ""
            self._task = asyncio.get_running_loop().create_task(self._show())

    def note(self, message: str) -> None:
        """What the provider is doing now; shown at once, the wait goes on."""
        self._note = message
        if self.enabled and self._task is not None:
            self._draw()

    def stop(self) -> None:
        """Output arrived or the turn ended: cancel and erase the status line."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self._shown:
            self.stream.write(ERASE)
            self.stream.flush()
            self._shown = False

    async def _show(self) -> None:
        await asyncio.sleep(DELAY)
        while True:
            self._draw()
            await asyncio.sleep(TICK)

    def _draw(self) -> None:
        waited = time.monotonic() - self._since
        text = self._note or f"waiting for {self.what}… {waited:.0f} s"
        self.stream.write(f"{ERASE}{safe_text(text)}")
        self.stream.flush()
        self._shown = True
