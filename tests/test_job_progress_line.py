"""``openclaw video`` on a terminal: the progress line counts the job's time forward only.
Between looks the line runs on with the local clock; a look where the provider says less time
has passed than the line showed used to take the count and the bar back (``2 s`` then ``1 s``,
``[#####]`` then ``[###]``; found by review25 in a pty). The stand-in reports 0.5 s a look,
less than the at-least-1 s the command waits between looks, so each look says less."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.hygiene import CANARY
from tests.support.server import LocalServer
from tests.support.terminal import Terminal
from tests.support.venice_jobs import MP4, JobServer


def test_the_progress_line_never_counts_back(server: LocalServer, tmp_path: Path) -> None:
    jobs = JobServer(polls=3, expected_ms=6000)
    server.respond(jobs)
    env = {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}
    out = tmp_path / "boat.mp4"
    with Terminal("video", "a boat", "-o", str(out), "--yes", env=env) as term:
        term.read_to_end(timeout=60)
        assert term.wait() == 0
    assert out.read_bytes() == MP4
    shown = re.findall(rb"processing\xe2\x80\xa6 (\d+) s of about 6 s \[(#*) *\]", term.seen)
    assert len(shown) >= 8  # the line was drawn across three looks
    seconds = [int(s) for s, _ in shown]
    bars = [len(b) for _, b in shown]
    assert seconds == sorted(seconds)
    assert bars == sorted(bars)
