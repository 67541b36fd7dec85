"""``openclaw serve`` as a user runs it: the installed console script in a subprocess, on a
free port, in front of a Venice stand-in on 127.0.0.1. :class:`Gateway` knows its URL and
token (read from the file the command named, as a runtime's user would) and stops it the way
a user does (SIGINT or SIGTERM), returning its exit code and output."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.support.hygiene import CANARY
from tests.support.server import LocalServer
from tests.support.venice_standin import venice

__all__ = ["Gateway", "venice", "wait_for"]

OPENCLAW = Path(sys.executable).with_name("openclaw")
LINE = re.compile(
    r"^Serving (?P<providers>\S+) at (?P<url>http://\S+/v1) \(bearer token in (?P<token>.+)\)$"
)


class Gateway:
    """A running ``openclaw serve --port PORT`` (0: a free one) against ``server``."""

    def __init__(
        self,
        server: LocalServer,
        *args: str,
        key: str = CANARY,
        env: dict[str, str] | None = None,
        port: int = 0,
    ) -> None:
        self.env = {
            **os.environ,
            "VENICE_BASE_URL": server.url + "/api/v1",
            "VENICE_API_KEY": key,
            **(env or {}),
        }
        self.proc = subprocess.Popen(
            [str(OPENCLAW), "serve", "--port", str(port), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
        )
        assert self.proc.stdout is not None
        self.line = self.proc.stdout.readline().rstrip("\n")
        match = LINE.match(self.line)
        if match is None:
            self.proc.kill()
            _, err = self.proc.communicate(timeout=10)
            raise AssertionError(f"serve did not start: {self.line!r} {err!r}")
        self.url = match["url"]
        self.token_file = Path(match["token"])
        self.token = self.token_file.read_text().strip()
        self.stopped: tuple[int, str, str] | None = None

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **extra}

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 10) -> tuple[int, str, str]:
        """Send ``signum``; the exit code, stdout and stderr (which must not hold the key)."""
        if self.stopped is None:
            if self.proc.poll() is None:
                self.proc.send_signal(signum)
            out, err = self.proc.communicate(timeout=timeout)
            self.stopped = (self.proc.returncode, self.line + "\n" + out, err)
            for text in self.stopped[1:]:
                assert CANARY not in text, "the API key leaked into the gateway's output"
                assert "Traceback" not in text, text
        return self.stopped

    def __enter__(self) -> Gateway:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.stop()


def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> float:
    """Seconds until ``condition()`` held; fails after ``seconds``."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > seconds:
            raise AssertionError(f"not true after {seconds} s")
        time.sleep(0.005)
    return time.monotonic() - start
