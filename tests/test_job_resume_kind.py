"""``--resume ID`` on the wrong command: a sound job queued here, resumed with ``openclaw
video``, is named as what it is and the right command given, before any request (found by
review25: it said "--resume needs the job's model too ... no record of this job here")."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer
from tests.support.venice_jobs import MP3, JobServer

SOUND = "elevenlabs-sound-effects-v2"


def test_a_job_resumed_with_the_wrong_command_names_the_right_one(
    server: LocalServer, tmp_path: Path
) -> None:
    jobs = JobServer(polls=1000)
    server.respond(jobs)
    env = {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}
    out = tmp_path / "creak.mp3"
    queued = run_cli("sound", "a door creaks", "-o", str(out), "--yes", "--wait", "0.02", env=env)
    assert queued.code == 1, queued.output  # not done yet: left running, recorded here
    asked = len(server.requests)
    wrong = run_cli("video", "--resume", "job-1", "-o", str(tmp_path / "v.mp4"), env=env)
    assert wrong.code == 2
    assert wrong.stderr.splitlines()[-1] == (
        f"Error: job job-1 was queued here as a music job ({SOUND}), not a video one; resume "
        "it with `openclaw music --resume job-1`"
    )
    assert len(server.requests) == asked  # nothing asked of the provider
    jobs.polls = 0
    right = run_cli("music", "--resume", "job-1", "-o", str(out), env=env)
    assert right.code == 0, right.output
    assert out.read_bytes() == MP3
    assert len(jobs.queued) == 1  # resumed, not queued again
