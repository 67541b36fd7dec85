"""docs/media.md promises every step of a video/music job from Python in a sync form too
(`quote`, `queue`, `save`, `generate`, each with `*_sync`); `queue_sync` was missing (found by
review25), so a plain script could not queue now and fetch later."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from openclaw_venice import VeniceProvider
from openclaw_venice.runtime.errors import UsageError
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer
from tests.support.venice_jobs import MP3, MP4, JobServer


@pytest.fixture
def jobs(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> JobServer:
    fake = JobServer(polls=0)
    server.respond(fake)
    monkeypatch.setenv("VENICE_BASE_URL", server.url + "/api/v1")
    monkeypatch.setenv("VENICE_API_KEY", CANARY)
    return fake


def test_queue_now_and_save_later_without_an_event_loop(jobs: JobServer, tmp_path: Path) -> None:
    with VeniceProvider() as venice:
        video = venice.video.queue_sync("a boat at dawn", duration=5)
        sound = venice.music.queue_sync("a door creaks", sound=True)
        assert jobs.completed == []  # queued only: nothing fetched yet
        saved = venice.video.save_sync(video, tmp_path / "boat.mp4")
        heard = venice.music.save_sync(sound, tmp_path / "door.mp3")
    assert (video.kind, video.id) == ("video", "job-1")
    assert (sound.kind, sound.id) == ("music", "job-2")
    assert [q["prompt"] for q in jobs.queued] == ["a boat at dawn", "a door creaks"]
    assert saved.path.read_bytes() == MP4
    assert heard.path.read_bytes() == MP3
    assert jobs.completed == ["job-1", "job-2"]


def test_queue_sync_inside_a_loop_names_the_await_form_and_queues_nothing(
    jobs: JobServer,
) -> None:
    async def inside() -> None:
        refused = pytest.raises(UsageError, match=r"await provider\.video\.queue")
        with VeniceProvider() as venice, refused:
            venice.video.queue_sync("a boat")

    asyncio.run(inside())
    assert jobs.queued == []
