"""The ``openclaw`` console script in a real pseudo-terminal, as a person runs it."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import termios
import time
from types import TracebackType

from tests.conftest import OPENCLAW
from tests.support.hygiene import CANARY

#: a process that hangs can be asked where it is: SIGABRT prints every thread's stack
STACKS_ON_ABORT = {"PYTHONFAULTHANDLER": "1"}


class Terminal:
    """``openclaw ARGS`` with stdin, stdout and stderr on one pty of ``columns`` columns.
    ``stdout_pipe=True`` sends stdout to a pipe instead (``openclaw ... | cat``)."""

    def __init__(
        self, *args: str, env: dict[str, str], columns: int = 100, stdout_pipe: bool = False
    ) -> None:
        main, secondary = pty.openpty()
        fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
        self.proc = subprocess.Popen(
            [str(OPENCLAW), *args], stdin=secondary,
            stdout=subprocess.PIPE if stdout_pipe else secondary, stderr=secondary,
            env={**os.environ, "COLUMNS": str(columns), "TERM": "xterm", **STACKS_ON_ABORT, **env},
            start_new_session=True,
        )  # fmt: skip
        os.close(secondary)
        self.fd = main
        self.seen = b""  # everything the terminal showed so far
        self.cursor = 0  # where the next read_until starts looking

    def read_until(self, needle: bytes, timeout: float = 30) -> bytes:
        """Read until ``needle`` shows after what earlier calls consumed; returns the text
        from there to the end of ``needle``."""
        start = self.cursor
        deadline = time.monotonic() + timeout
        while needle not in self.seen[start:] and time.monotonic() < deadline:
            if not self._read(0.2):
                break
        found = self.seen.find(needle, start)
        assert found >= 0, self.seen[start:].decode(errors="replace") or "(nothing shown)"
        self.cursor = found + len(needle)
        return self.seen[start : self.cursor]

    def read_to_end(self, timeout: float = 30) -> bytes:
        """Everything shown until the process closes the terminal."""
        start = self.cursor
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._read(0.2):
            pass
        self.cursor = len(self.seen)
        return self.seen[start:]

    def _read(self, wait: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], wait)
        if not ready:
            return self.proc.poll() is None
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the other side closed
            return False
        self.seen += data
        assert CANARY.encode() not in self.seen, "the API key reached the terminal"
        return bool(data)

    def type(self, text: str | bytes) -> None:
        os.write(self.fd, text.encode() if isinstance(text, str) else text)

    def interrupt(self) -> None:
        """Ctrl-C: SIGINT to the foreground process group, as the terminal sends it."""
        os.killpg(self.proc.pid, signal.SIGINT)

    def wait(self, timeout: float = 20) -> int:
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:  # show where it is stuck: faulthandler prints stacks
            self.proc.send_signal(signal.SIGABRT)
            self.read_to_end(timeout=5)
            raise AssertionError(
                f"still running {timeout} s later; the terminal showed:\n"
                + self.seen.decode(errors="replace")
            ) from None
        self.read_to_end(timeout=1)
        return code

    def __enter__(self) -> Terminal:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        if self.proc.stdout:
            self.proc.stdout.close()
        os.close(self.fd)
        assert b"Traceback" not in self.seen, self.seen.decode(errors="replace")


def shown_in_process(*args: str, env: dict[str, str], columns: int = 100) -> tuple[int, bytes]:
    """``openclaw ARGS`` run in this process with stdin, stdout and stderr on one pty, as
    :class:`Terminal` runs the console script (for a test that changes a module's constant,
    such as a delay, which a process of its own would not see): the exit code and what the
    terminal showed."""
    import threading

    from tests.support import in_process

    main, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    shown: list[bytes] = []

    def drain() -> None:  # read as it is written, so a full pty buffer never blocks the run
        while True:
            try:
                data = os.read(main, 65536)
            except OSError:  # EIO: every copy of the other side is closed
                return
            if not data:
                return
            shown.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    with (
        open(secondary, encoding="utf-8", closefd=False) as stdin,
        open(secondary, "w", encoding="utf-8", closefd=False) as out,
    ):
        code = in_process.run_on(
            args, {"COLUMNS": str(columns), "TERM": "xterm", **env}, stdin, out, out
        )
    os.close(secondary)
    reader.join(timeout=10)
    os.close(main)
    seen = b"".join(shown)
    assert CANARY.encode() not in seen, "the API key reached the terminal"
    assert b"Traceback" not in seen, seen.decode(errors="replace")
    return code, seen
