"""The one sync rule: every operation is async; its sync form is a thin wrapper that runs it
to the end on an event loop of its own, and inside a running event loop refuses at once with
:class:`~openclaw_venice.errors.UsageError` naming the async form (blocking there would stall
every other task of that loop; running it on a thread would too). The refusal comes before
any coroutine exists, so nothing is left never-awaited.

:class:`LoopRunner` keeps one loop per thread for an object's sync wrappers, so that its pool
is reused from call to call; :func:`run_sync` runs one call on a loop of its own.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from ..errors import UsageError

__all__ = ["LoopRunner", "refuse_in_loop", "run_sync"]

T = TypeVar("T")


def refuse_in_loop(what: str, instead: str) -> None:
    """:class:`UsageError` when called from inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise UsageError(f"{what} cannot run inside a running event loop; use `{instead}`")


def run_sync(call: Callable[[], Coroutine[Any, Any, T]], what: str, instead: str) -> T:
    """``call()`` run to the end on a new event loop (closed after)."""
    refuse_in_loop(what, instead)
    return asyncio.run(call())


class LoopRunner:
    """One event loop per thread for an object's sync wrappers, closed by :meth:`close`."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._loops: list[asyncio.AbstractEventLoop] = []
        self._lock = threading.Lock()

    def loop(self, what: str, instead: str) -> asyncio.AbstractEventLoop:
        """This thread's loop; refused inside a running loop."""
        refuse_in_loop(what, instead)
        loop: asyncio.AbstractEventLoop | None = getattr(self._local, "loop", None)
        if loop is None or loop.is_closed():
            loop = self._local.loop = asyncio.new_event_loop()
            with self._lock:
                self._loops.append(loop)
        return loop

    def run(self, call: Callable[[], Awaitable[T]], what: str, instead: str) -> T:
        loop = self.loop(what, instead)
        return loop.run_until_complete(call())

    def close(self, finish: Callable[[], Awaitable[None]]) -> None:
        """Run ``finish()`` on each loop, shut its async generators down (closing its pools)
        and close it; a loop still running in another thread is left to that thread."""
        with self._lock:
            loops, self._loops = self._loops, []
        for loop in loops:
            if loop.is_running():
                with self._lock:
                    self._loops.append(loop)
            elif not loop.is_closed():
                loop.run_until_complete(_finish(loop, finish))
                loop.close()


async def _finish(loop: asyncio.AbstractEventLoop, finish: Callable[[], Awaitable[None]]) -> None:
    await finish()
    await loop.shutdown_asyncgens()
