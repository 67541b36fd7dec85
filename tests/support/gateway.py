"""``openclaw serve`` as a user runs it: the installed console script in a subprocess, on a
free port, in front of a Venice stand-in on 127.0.0.1. :class:`Gateway` knows its URL and
token (read from the file the command named, as a runtime's user would) and stops it the way
a user does (SIGINT or SIGTERM), returning its exit code and output."""

from __future__ import annotations

import copy
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support import venice_wire as wire
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request, json_reply

OPENCLAW = Path(sys.executable).with_name("openclaw")
LINE = re.compile(
    r"^Serving (?P<providers>\S+) at (?P<url>http://\S+/v1) \(bearer token in (?P<token>.+)\)$"
)

# Rows of Venice's real ``GET /models`` answer (the 2026-08 capture), limits and prices as
# captured; the gateway's /v1/models and its turns' limits come from these.
KIMI = {
    "id": "kimi-k2-6", "type": "text", "created": 1776643200,
    "model_spec": {
        "privacy": "private", "availableContextTokens": 256000, "maxCompletionTokens": 20000,
        "pricing": {"input": {"usd": 2.0, "diem": 0.75}, "cache_input": {"usd": 0.16, "diem": 0.16},
                    "output": {"usd": 8.0, "diem": 3.5}},
        "traits": [], "name": "Kimi K2.6",
        "capabilities": {
            "optimizedForCode": True, "quantization": "int4", "supportsAudioInput": False,
            "supportsFunctionCalling": True, "supportsLogProbs": False,
            "supportsMultipleImages": True, "maxImages": 10, "supportsReasoning": True,
            "supportsReasoningEffort": True,
            "reasoningEffortOptions": ["none", "low", "medium", "high"],
            "defaultReasoningEffort": "high", "supportsResponseSchema": True,
            "supportsTeeAttestation": False, "supportsE2EE": False, "supportsVideoInput": False,
            "supportsVision": True, "supportsWebSearch": True, "supportsXSearch": False,
        },
    },
}  # fmt: skip
HERMES3 = {
    "id": "hermes-3-llama-3.1-405b", "type": "text", "created": 1758758400,
    "model_spec": {
        "privacy": "private", "availableContextTokens": 128000,
        "pricing": {"input": {"usd": 1.1, "diem": 1.1}, "output": {"usd": 3, "diem": 3}},
        "traits": [], "name": "Hermes 3 Llama 3.1 405b",
        "capabilities": {
            "optimizedForCode": False, "quantization": "fp8", "supportsAudioInput": False,
            "supportsFunctionCalling": False, "supportsLogProbs": False,
            "supportsMultipleImages": False, "supportsReasoning": False,
            "supportsReasoningEffort": False, "supportsResponseSchema": False,
            "supportsTeeAttestation": False, "supportsE2EE": False, "supportsVideoInput": False,
            "supportsVision": False, "supportsWebSearch": True, "supportsXSearch": False,
        },
    },
}  # fmt: skip


def live_rows(*extra: dict[str, Any]) -> dict[str, Any]:
    return {"object": "list", "type": "text", "data": copy.deepcopy([KIMI, HERMES3, *extra])}


def venice(
    answers: list[list[dict[str, Any]]] | Callable[[Request], Reply | None],
    rows: dict[str, Any] | None = None,
) -> Callable[[Request], Reply | None]:
    """``GET /models`` answers the live rows; each chat request the next stream (or what
    ``answers`` says, when it is a responder)."""
    pending = answers if callable(answers) else list(answers)

    def respond(request: Request) -> Reply | None:
        if request.method == "GET" and request.path == "/api/v1/models":
            return json_reply(rows or live_rows())
        if request.method == "POST" and request.path == "/api/v1/chat/completions":
            if callable(pending):
                return pending(request)
            return wire.stream_reply(pending.pop(0))
        return Reply(404, b'{"error": "not found"}', {"Content-Type": "application/json"})

    return respond


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
