"""``openclaw`` run inside the test's own process: what a subprocess would see, without
starting Python and importing the package again for every command.

The command gets the arguments, the environment (this process's, with the test's additions,
for the run only), stdin (the given text, else empty: a pipe, not a terminal), and stdout
and stderr that are not terminals, as ``subprocess.run(..., capture_output=True)`` gives it.
Everything the process would re-read at start-up is re-read: the keyring backend is chosen
again from ``PYTHON_KEYRING_BACKEND``. Tests where the process itself is the point (signals,
start-up imports, the locale, exit through the console script, a closed pipe) run the real
console script instead (``run_cli(..., process=True)``), as do those whose environment sets
what only a starting interpreter reads (:func:`needs_a_process`).
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager


def needs_a_process(env: Mapping[str, str]) -> bool:
    """Whether ``env`` sets what Python reads only when it starts (``PYTHONPATH``,
    ``PYTHONIOENCODING``, the locale...): then only a new process can honour it."""
    return any(
        (name.startswith(("PYTHON", "LC_")) and name != "PYTHON_KEYRING_BACKEND") or name == "LANG"
        for name in env
    )


def run(args: tuple[str, ...], input: str | None, env: Mapping[str, str]) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``openclaw ARGS``."""
    from openclaw_venice.runtime import cli
    from openclaw_venice.runtime.host import Host

    stdin = _stream(input or "", newline=None)  # as sys.stdin reads: \r\n is \n
    stdout, stderr = _stream(), _stream()
    with _environment(env), _streams(stdin, stdout, stderr):
        try:
            code = cli.main(list(args), Host(stdout=stdout, stderr=stderr, stdin=stdin))
        except SystemExit as exit:  # argparse's --help, --version and usage errors
            code = exit.code if isinstance(exit.code, int) else 1
    return code, _text(stdout), _text(stderr)


def _stream(text: str = "", newline: str | None = "") -> io.TextIOWrapper:
    """A UTF-8 text stream over bytes, not a terminal."""
    raw = io.BytesIO(text.encode("utf-8"))
    return io.TextIOWrapper(raw, encoding="utf-8", newline=newline)


def _text(stream: io.TextIOWrapper) -> str:
    """What was written, read back as ``subprocess.run(text=True)`` reads a child's output
    (universal newlines: ``\r\n`` and a lone ``\r`` become ``\n``)."""
    stream.flush()
    raw = stream.buffer
    assert isinstance(raw, io.BytesIO)
    return raw.getvalue().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


@contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    import keyring
    import keyring.core

    saved, backend = dict(os.environ), keyring.get_keyring()
    os.environ.update(env)
    keyring.core.init_backend()  # as a new process picks it: PYTHON_KEYRING_BACKEND
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        keyring.set_keyring(backend)


@contextmanager
def _streams(
    stdin: io.TextIOWrapper, stdout: io.TextIOWrapper, stderr: io.TextIOWrapper
) -> Iterator[None]:
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = stdin, stdout, stderr
    try:
        yield
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
