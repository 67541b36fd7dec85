"""benchmarks/run.py reports each command's own peak memory, not the benchmark's: the
table in docs/speed.md quotes it. (ru_maxrss of a child forked from a large process reports
that process's RSS at the fork: every row read the benchmark's own 23 MiB.)"""

from __future__ import annotations

import os
import sys

from benchmarks.run import run_process

MIB = 1024  # ru_maxrss is in KiB on Linux


def test_a_small_command_is_not_charged_the_benchmarks_memory() -> None:
    ballast = bytearray(256 * 1024 * 1024)  # this process: well over 256 MiB resident
    ballast[::4096] = b"\x01" * len(ballast[::4096])
    _, peak = run_process([sys.executable, "-c", "pass"], dict(os.environ))
    assert peak < 64 * MIB, peak
    del ballast


def test_a_command_that_grows_is_charged_its_growth() -> None:
    grow = "x = bytearray(96 * 1024 * 1024); x[::4096] = b'1' * len(x[::4096])"
    elapsed, peak = run_process([sys.executable, "-c", grow], dict(os.environ))
    assert 96 * MIB < peak < 160 * MIB and 0 < elapsed < 30
