"""Venice's queued jobs from Python (``provider.video``, ``provider.music``) against a loopback
Venice (issue 25, items 1, 3 and 4): quote, queue, poll, the file streamed to disk under a
cap, complete; every body checked against Venice's spec by the server fixture."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest

from openclaw_venice import VeniceProvider
from openclaw_venice.errors import StreamFormatError, UsageError
from openclaw_venice.jobs import client as jobs_client
from openclaw_venice.jobs.client import VIDEO, retrieve_job
from openclaw_venice.runtime.plugins import SecretStr
from openclaw_venice.wire.client import Wire
from tests.support.hygiene import CANARY
from tests.support.pngs import png
from tests.support.server import LocalServer, Reply, Request, json_reply
from tests.support.venice_jobs import MP3, MP4, REQUEST_ID, JobServer


@pytest.fixture
def jobs(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> JobServer:
    fake = JobServer()
    server.respond(fake)
    monkeypatch.setenv("VENICE_BASE_URL", server.url + "/api/v1")
    monkeypatch.setenv("VENICE_API_KEY", CANARY)
    return fake


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty directory of the test's own (``tmp_path`` holds the test's home)."""
    made = tmp_path / "out"
    made.mkdir()
    return made


def sent(server: LocalServer, endpoint: str) -> list[Request]:
    return [r for r in server.requests if r.path.endswith(endpoint)]


def test_generate_quotes_nothing_queues_once_polls_saves_and_completes(
    jobs: JobServer, server: LocalServer, folder: Path
) -> None:
    jobs.polls = 2
    out = folder / "boat.mp4"
    with VeniceProvider() as venice:
        saved = venice.video.generate_sync("a boat at dawn", out, duration=5, poll_interval=0.01)
    assert out.read_bytes() == MP4
    assert (saved.size, saved.mime_type, saved.completed) == (len(MP4), "video/mp4", True)
    assert saved.job.id == "job-1" and saved.job.model == "seedance-2-0-text-to-video-basic"
    (queued,) = sent(server, "/video/queue")
    assert queued.json() == {"model": "seedance-2-0-text-to-video-basic", "duration": "5s",
                             "prompt": "a boat at dawn"}  # fmt: skip
    assert queued.headers["authorization"] == f"Bearer {CANARY}"
    assert [r.json() for r in sent(server, "/video/retrieve")] == [
        {"model": "seedance-2-0-text-to-video-basic", "queue_id": "job-1",
         "delete_media_on_completion": False},
    ] * 3  # fmt: skip
    assert jobs.completed == ["job-1"]
    assert sent(server, "/video/quote") == []  # Python callers quote when they ask to
    assert list(folder.iterdir()) == [out]  # no temporary file left behind


def test_quote_is_the_price_venice_states(jobs: JobServer, server: LocalServer) -> None:
    jobs.price = 1.25
    with VeniceProvider() as venice:
        quote = venice.video.quote_sync(
            "x", model="kling-2.6-pro-text-to-video", duration=10, resolution="1080p",
            aspect_ratio="16:9", audio=False,
        )  # fmt: skip
    assert (quote.price, quote.currency, quote.request_id) == (1.25, "USD", REQUEST_ID)
    assert quote.describe() == "USD 1.25"
    (asked,) = sent(server, "/video/quote")
    assert asked.json() == {
        "model": "kling-2.6-pro-text-to-video", "duration": "10s", "resolution": "1080p",
        "aspect_ratio": "16:9", "audio": False,
    }  # fmt: skip
    assert sent(server, "/video/queue") == []


def test_music_and_sound_effects_share_the_machinery(
    jobs: JobServer, server: LocalServer, folder: Path
) -> None:
    with VeniceProvider() as venice:
        song = venice.music.generate_sync(
            "a sea shanty", folder / "song.mp3", duration=60, lyrics="heave ho",
            poll_interval=0.01,
        )  # fmt: skip
        rain = venice.music.generate_sync(
            "rain on a tin roof", folder / "rain.mp3", sound=True, poll_interval=0.01
        )
    assert (folder / "song.mp3").read_bytes() == MP3 == (folder / "rain.mp3").read_bytes()
    assert song.mime_type == "audio/mpeg" and rain.completed
    first, second = (r.json() for r in sent(server, "/audio/queue"))
    assert first == {"model": "elevenlabs-music", "duration_seconds": 60,
                     "prompt": "a sea shanty", "lyrics_prompt": "heave ho"}  # fmt: skip
    assert second == {"model": "elevenlabs-sound-effects-v2", "prompt": "rain on a tin roof"}
    assert jobs.completed == ["job-1", "job-2"]


def test_an_image_to_video_first_frame_is_sent_as_a_data_url(
    jobs: JobServer, server: LocalServer, folder: Path
) -> None:
    frame = folder / "frame.png"
    frame.write_bytes(png(8, 8))
    with VeniceProvider() as venice:
        venice.video.generate_sync("it moves", folder / "v.mp4", image=frame,
                                   poll_interval=0.01)  # fmt: skip
    body = sent(server, "/video/queue")[0].json()
    assert body["model"] == "wan-2.6-image-to-video"
    assert body["image_url"].startswith("data:image/png;base64,iVBORw0KGgo")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"duration": 31}, "the video duration must be 1 to 30 seconds"),
        ({"aspect_ratio": "7:5"}, "video aspect ratio '7:5': use one of"),
        ({"resolution": "8k"}, "video resolution '8k': use one of"),
        ({"image": "missing.png"}, "cannot read missing.png"),
    ],
)
def test_bad_values_are_refused_before_anything_is_sent(
    jobs: JobServer, server: LocalServer, options: dict[str, Any], message: str
) -> None:
    with VeniceProvider() as venice, pytest.raises(UsageError, match=message):
        venice.video.quote_sync("x", **options)
    assert server.requests == []


def test_a_file_that_is_not_an_image_is_refused_by_its_content(
    jobs: JobServer, server: LocalServer, folder: Path
) -> None:
    fake = folder / "frame.png"
    fake.write_bytes(b"GIF89a" + b"\x00" * 64)
    with VeniceProvider() as venice, pytest.raises(UsageError, match="not a PNG, JPEG or WebP"):
        venice.video.generate_sync("x", folder / "v.mp4", image=fake)
    assert server.requests == []


def test_an_existing_file_is_kept_without_force(
    jobs: JobServer, server: LocalServer, folder: Path
) -> None:
    out = folder / "v.mp4"
    out.write_bytes(b"mine")
    with VeniceProvider() as venice:
        with pytest.raises(UsageError, match="already exists"):
            venice.video.generate_sync("x", out)
        assert server.requests == []  # nothing queued, nothing paid
        venice.video.generate_sync("x", out, force=True, poll_interval=0.01)
    assert out.read_bytes() == MP4


def test_a_job_is_resumed_by_id_without_a_second_queue(
    jobs: JobServer, server: LocalServer, folder: Path
) -> None:
    jobs.polls = 0
    with VeniceProvider() as venice:
        job = venice.video.job("job-41", "seedance-2-0-text-to-video-basic")
        saved = venice.video.save_sync(job, folder / "v.mp4")
    assert saved.completed and (folder / "v.mp4").read_bytes() == MP4
    assert sent(server, "/video/queue") == []
    assert jobs.completed == ["job-41"]


def test_a_file_past_the_cap_is_refused_and_nothing_is_kept(
    jobs: JobServer, server: LocalServer, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs_client, "VIDEO", VIDEO._replace(max_bytes=10_000))
    monkeypatch.setattr(jobs_client.VeniceVideo, "ends", jobs_client.VIDEO)
    jobs.polls = 0
    with VeniceProvider() as venice, pytest.raises(StreamFormatError) as caught:
        venice.video.generate_sync("x", folder / "v.mp4")
    assert str(caught.value).startswith("Venice's video is larger than 0.00953674 MB")
    assert caught.value.request_id == REQUEST_ID
    assert list(folder.iterdir()) == []
    assert jobs.completed == []  # Venice keeps its copy: the job can be fetched again


def test_an_answer_that_is_not_a_video_is_refused(
    jobs: JobServer, server: LocalServer, folder: Path
) -> None:
    jobs.video, jobs.polls = b"<html>oops</html>" * 10, 0
    with VeniceProvider() as venice, pytest.raises(StreamFormatError, match="not a video file"):
        venice.video.generate_sync("x", folder / "v.mp4")
    assert list(folder.iterdir()) == []


def test_a_download_link_is_fetched_without_the_key(
    jobs: JobServer, server: LocalServer, folder: Path
) -> None:
    jobs.download_url = server.url + "/files/signed-video.mp4"
    with VeniceProvider() as venice:
        saved = venice.video.generate_sync("x", folder / "v.mp4", poll_interval=0.01)
    assert (folder / "v.mp4").read_bytes() == MP4 and saved.completed
    (download,) = [r for r in server.requests if r.path == "/files/signed-video.mp4"]
    assert "authorization" not in download.headers


def test_errors_are_one_line_with_the_request_id(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch, folder: Path
) -> None:
    def respond(request: Request) -> Reply:
        return json_reply({"error": "Insufficient balance"}, 402, {"CF-RAY": REQUEST_ID})

    server.respond(respond)
    monkeypatch.setenv("VENICE_BASE_URL", server.url + "/api/v1")
    monkeypatch.setenv("VENICE_API_KEY", CANARY)
    with VeniceProvider() as venice, pytest.raises(Exception) as caught:
        venice.video.generate_sync("x", folder / "v.mp4")
    assert "\n" not in str(caught.value) and caught.value.request_id == REQUEST_ID  # type: ignore[attr-defined]
    assert len(sent(server, "/video/queue")) == 1  # a 402 is never retried


def test_a_cut_download_is_retried_from_the_start(server: LocalServer, folder: Path) -> None:
    """A retrieve cut mid-file is asked again, and the sink starts over: the file is whole."""
    calls = {"n": 0}

    def respond(request: Request) -> Reply | None:
        calls["n"] += 1
        if calls["n"] == 1:  # half the file, then the connection drops
            handler = request.handler
            handler.send_response(200)
            handler.send_header("Content-Type", "video/mp4")
            handler.send_header("Content-Length", str(len(MP4)))
            handler.end_headers()
            handler.wfile.write(MP4[: len(MP4) // 2])
            handler.wfile.flush()
            return None
        return Reply(200, MP4, {"Content-Type": "video/mp4"})

    server.respond(respond)
    sink = io.BytesIO()
    job = jobs_client.Job("venice", "video", "m", "job-1")

    async def main() -> Any:
        async with Wire(server.url + "/api/v1", SecretStr(CANARY)) as wire:
            return await retrieve_job(wire, VIDEO, job, sink, 1 << 30)

    progress = asyncio.run(main())
    assert progress.done and sink.getvalue() == MP4 and calls["n"] == 2


def test_the_async_forms_and_the_sync_rule(jobs: JobServer, folder: Path) -> None:
    async def main() -> Any:
        venice = VeniceProvider()
        try:
            with pytest.raises(UsageError, match=r"use `await provider.video.generate\(...\)`"):
                venice.video.generate_sync("x", folder / "a.mp4")
            quote = await venice.music.quote("x", duration=90)
            job = await venice.music.queue("x")
            saved = await venice.music.save(job, folder / "a.mp3", poll_interval=0.01)
            return quote, saved
        finally:
            await venice.aclose()

    quote, saved = asyncio.run(main())
    assert quote.price == 0.45 and saved.path.read_bytes() == MP3


def test_the_poll_delay_follows_what_venice_expects() -> None:
    from openclaw_venice.runtime.commands.media_job import poll_delay
    from openclaw_venice.runtime.media_jobs import JobProgress

    assert poll_delay(JobProgress(False, 53.2, 145.0)) == 10.0  # 92 s left: at most 10 s
    assert poll_delay(JobProgress(False, 1.0, 3.0)) == 1.0  # never faster than once a second
    assert poll_delay(JobProgress(False, 200.0, 145.0)) == 5.0  # overdue: every 5 s
    assert poll_delay(JobProgress(False)) == 2.0  # nothing said
