"""``openclaw video``, ``openclaw music`` and ``openclaw sound`` against a loopback Venice
(issue 25, items 1 and 4): the price shown and agreed to before anything is queued, the file
streamed to disk, the job completed; progress on a terminal and nothing on a pipe; Ctrl-C
leaves the job resumable, and ``--resume`` downloads that same job without queueing another."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply
from tests.support.terminal import Terminal
from tests.support.venice_jobs import MP3, MP4, JobServer

MODEL = "venice/seedance-2-0-text-to-video-basic"


@pytest.fixture
def jobs(server: LocalServer) -> JobServer:
    fake = JobServer()
    server.respond(fake)
    return fake


@pytest.fixture
def env(server: LocalServer) -> dict[str, str]:
    return {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    made = tmp_path / "out"
    made.mkdir()
    return made


def test_a_video_is_quoted_queued_saved_and_completed_with_no_progress_on_a_pipe(
    jobs: JobServer, env: dict[str, str], folder: Path
) -> None:
    out = folder / "boat.mp4"
    result = run_cli("video", "a boat at dawn", "-d", "5", "--aspect", "16:9", "-o", str(out),
                     "--yes", env=env)  # fmt: skip
    assert result.code == 0, result.output
    assert result.stdout == f"{out}\n"
    assert out.read_bytes() == MP4
    lines = result.stderr.splitlines()
    assert lines[0] == f"this video with {MODEL}: USD 0.45"
    assert lines[1].startswith(f"queued {MODEL} job job-1; Ctrl-C leaves it running (resume: "
                               f"openclaw video --resume job-1 -m {MODEL} -o {out})")  # fmt: skip
    assert len(lines) == 2  # no status line on a pipe: no "\r", no "processing"
    assert "\r" not in result.stderr and "\x1b" not in result.stderr
    assert jobs.queued == [{"model": "seedance-2-0-text-to-video-basic", "duration": "5s",
                            "aspect_ratio": "16:9", "prompt": "a boat at dawn"}]  # fmt: skip
    assert jobs.completed == ["job-1"]
    assert sorted(folder.iterdir()) == [out]


def test_without_a_terminal_a_paid_job_needs_yes(
    jobs: JobServer, server: LocalServer, env: dict[str, str], folder: Path
) -> None:
    result = run_cli("video", "a boat", "-o", str(folder / "v.mp4"), env=env)
    assert result.code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: this video costs USD 0.45; add --yes to queue it without asking "
        "(there is no terminal to ask on)"
    )
    assert jobs.queued == [] and list(folder.iterdir()) == []
    assert [r.path for r in server.requests] == ["/api/v1/models", "/api/v1/video/quote"]


def test_quote_shows_the_price_and_queues_nothing(
    jobs: JobServer, env: dict[str, str], folder: Path
) -> None:
    jobs.price = 0.0023
    result = run_cli("sound", "a door creaks", "--quote", "--json", env=env)
    assert result.code == 0, result.output
    assert json.loads(result.stdout) == {
        "model": "elevenlabs-sound-effects-v2", "price": 0.0023, "currency": "USD",
    }  # fmt: skip
    assert run_cli("video", "x", "--quote", env=env).stdout == "USD 0.0023\n"
    assert jobs.queued == []


def test_an_existing_file_is_kept_and_nothing_is_asked(
    jobs: JobServer, server: LocalServer, env: dict[str, str], folder: Path
) -> None:
    out = folder / "v.mp4"
    out.write_bytes(b"mine")
    result = run_cli("video", "x", "-o", str(out), "--yes", env=env)
    assert result.code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: {out} already exists; pick another -o or add --force"
    )
    assert out.read_bytes() == b"mine" and server.requests == []
    assert run_cli("video", "x", "-o", str(out), "--yes", "--force", env=env).code == 0
    assert out.read_bytes() == MP4


def test_music_and_sound_go_through_the_same_machinery(
    jobs: JobServer, env: dict[str, str], folder: Path
) -> None:
    song, rain = folder / "song.mp3", folder / "rain.mp3"
    first = run_cli("music", "a sea shanty", "--lyrics", "heave ho", "-d", "60", "-o",
                    str(song), "--yes", "--json", env=env)  # fmt: skip
    assert first.code == 0, first.output
    payload = json.loads(first.stdout)
    assert payload == {
        "file": str(song), "provider": "venice", "model": "elevenlabs-music",
        "jobId": "job-1", "bytes": len(MP3), "mimeType": "audio/mpeg", "price": 0.45,
        "currency": "USD", "completed": True,
    }  # fmt: skip
    second = run_cli("sound", "rain on a tin roof", "-o", str(rain), "-y", env=env)
    assert second.code == 0, second.output
    assert "this sound with venice/elevenlabs-sound-effects-v2: USD 0.45" in second.stderr
    assert song.read_bytes() == MP3 == rain.read_bytes()
    assert [q["model"] for q in jobs.queued] == ["elevenlabs-music", "elevenlabs-sound-effects-v2"]
    assert jobs.queued[0]["lyrics_prompt"] == "heave ho"
    assert jobs.completed == ["job-1", "job-2"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--resume", "job-1"], "--resume needs the job's model too: -m PROVIDER/MODEL"),
        (["-d", "31"], "the video duration must be 1 to 30 seconds"),
        (["--image", "missing.png"], "--image missing.png: No such file or directory"),
        (["--resolution", "8k"], "video resolution '8k': use one of"),
    ],
)
def test_mistakes_are_one_line_before_anything_is_paid(
    jobs: JobServer, env: dict[str, str], folder: Path, args: list[str], message: str
) -> None:
    prompt = [] if args[0] == "--resume" else ["a boat"]
    result = run_cli("video", *prompt, *args, "-o", str(folder / "v.mp4"), "--yes", env=env)
    assert result.code == 2, result.output
    assert result.stderr.splitlines()[-1].startswith(f"Error: {message}")
    assert jobs.queued == [] and list(folder.iterdir()) == []


def test_a_first_frame_that_is_not_an_image_is_refused_by_its_content(
    jobs: JobServer, server: LocalServer, env: dict[str, str], folder: Path
) -> None:
    fake = folder / "frame.png"
    fake.write_text("not really a picture")
    result = run_cli("video", "x", "--image", str(fake), "-o", str(folder / "v.mp4"), "--yes",
                     env=env)  # fmt: skip
    assert result.code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: --image {fake}: not a PNG, JPEG or WebP image (by its content)"
    )
    assert server.requests == []


# -- in a terminal ------------------------------------------------------------------------------
def test_progress_on_a_terminal_then_ctrl_c_leaves_the_job_resumable(
    jobs: JobServer, server: LocalServer, env: dict[str, str], folder: Path
) -> None:
    jobs.polls = 1000  # still processing when Ctrl-C comes
    out = folder / "boat.mp4"
    with Terminal("video", "a boat at dawn", "-o", str(out), env=env) as term:
        term.read_until(b"this video with venice/seedance-2-0-text-to-video-basic: USD 0.45")
        term.read_until(b"Queue it? [y/N]")
        term.type("y\n")
        term.read_until(b"queued venice/seedance-2-0-text-to-video-basic job job-1")
        shown = term.read_until(b"processing\xe2\x80\xa6")  # the status line, drawn in place
        assert b"\r\x1b[K" in shown
        term.read_until(b"of about 3 s [")
        term.interrupt()
        term.read_until(b"Interrupted. The job goes on at venice; get it later with:")
        tail = term.read_until(f"openclaw video --resume job-1 -m {MODEL} -o {out}".encode())
        assert term.wait() == 130
    assert b"Traceback" not in tail
    assert list(folder.iterdir()) == []  # no file, no temporary file left
    assert len(jobs.queued) == 1 and jobs.completed == []

    jobs.polls = 0  # the job is done now: the next look gets the file
    resumed = run_cli("video", "--resume", "job-1", "-m", MODEL, "-o", str(out), env=env)
    assert resumed.code == 0, resumed.output
    assert out.read_bytes() == MP4
    assert len(jobs.queued) == 1  # the same job, not a second one (nor a second payment)
    assert jobs.completed == ["job-1"]
    assert "quote" not in " ".join(r.path for r in server.requests[-3:])


def test_no_at_the_question_queues_nothing(
    jobs: JobServer, server: LocalServer, env: dict[str, str], folder: Path
) -> None:
    with Terminal("music", "a sea shanty", "-o", str(folder / "s.mp3"), env=env) as term:
        term.read_until(b"Queue it? [y/N]")
        term.type("\n")  # the default is no
        term.read_until(b"Nothing was queued; nothing was paid.")
        assert term.wait() == 1
    assert jobs.queued == [] and list(folder.iterdir()) == []


def test_a_download_shows_its_size_then_the_line_is_erased(
    jobs: JobServer, env: dict[str, str], folder: Path
) -> None:
    import time

    jobs.polls = 0
    jobs.video = MP4 * 64  # 1 MB in 4 KB pieces
    jobs.pause = lambda number: time.sleep(0.1) if number % 16 == 1 else None  # ~1.6 s
    out = folder / "v.mp4"
    with Terminal("video", "x", "-o", str(out), "--yes", env=env, stdout_pipe=True) as term:
        term.read_until(b"downloading\xe2\x80\xa6")
        assert term.wait() == 0
        assert term.seen.rstrip().endswith(b"\r\x1b[K")  # nothing left drawn after it
        assert term.proc.stdout is not None
        assert term.proc.stdout.read() == f"{out}\n".encode()
    assert out.read_bytes() == MP4 * 64


def test_a_low_balance_is_warned_after_the_price_and_before_the_job_is_queued(
    server: LocalServer, env: dict[str, str], folder: Path
) -> None:
    import os

    from tests.support.venice_extras import venice_extras

    jobs, extras = JobServer(), venice_extras()
    server.respond(lambda r: jobs(r) if "/video/" in r.path else extras(r))
    config = Path(os.environ["OPENCLAW_STATE_DIR"]) / "openclaw.json"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("// by hand\n{ models: { providers: { venice: {\n"
                      "  params: { lowBalanceWarning: 100 }, // DIEM 90.50 is below it\n"
                      "} } } }\n")  # fmt: skip
    result = run_cli("video", "x", "-o", str(folder / "v.mp4"), "--yes", env=env)
    assert result.code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[0] == f"this video with {MODEL}: USD 0.45"
    assert lines[1].startswith("warning: the venice balance is low before this paid job: "
                               "DIEM 90.50 left")  # fmt: skip
    assert lines[2].startswith("queued ")
    asked = [r.path.removeprefix("/api/v1") for r in server.requests if "/models" not in r.path]
    assert asked[:3] == ["/video/quote", "/billing/balance", "/video/queue"]


# -- the standards every request is held to (item 4) -------------------------------------------
def test_every_job_request_carries_the_key_and_no_fingerprint_headers(
    jobs: JobServer, server: LocalServer, env: dict[str, str], folder: Path
) -> None:
    from tests.support.venice_standin import assert_no_fingerprint

    assert run_cli("video", "x", "-o", str(folder / "v.mp4"), "--yes", env=env).code == 0
    asked = {r.path.removeprefix("/api/v1") for r in server.requests}
    assert asked == {"/models", "/video/quote", "/video/queue", "/video/retrieve",
                     "/video/complete"}  # fmt: skip
    for request in server.requests:
        if request.path.endswith("/models"):  # the model list: asked without the key
            assert "authorization" not in request.headers
        else:
            assert_no_fingerprint(request)


@pytest.mark.parametrize("tool", [["video", "x", "--yes"], ["image", "--list-styles"]])
def test_the_key_is_never_sent_off_https(
    server: LocalServer, folder: Path, tool: list[str]
) -> None:
    """A base URL of plain http to another host is refused before anything is sent: the
    quote (free) too, not only the paid queue."""
    env = {"VENICE_BASE_URL": "http://api.example.invalid/api/v1", "VENICE_API_KEY": CANARY}
    result = run_cli(*tool, "-o", str(folder / "v.mp4"), env=env)
    assert result.code != 0
    assert "use an https base URL" in result.stderr.splitlines()[-1]
    assert CANARY not in result.output and list(folder.iterdir()) == []


def test_a_job_not_done_by_wait_leaves_it_resumable(
    jobs: JobServer, env: dict[str, str], folder: Path
) -> None:
    jobs.polls = 1000
    out = folder / "v.mp4"
    result = run_cli("video", "x", "-o", str(out), "--yes", "--wait", "0.02", env=env)
    assert result.code == 1
    assert result.stderr.splitlines()[-1] == (
        f"Error: {MODEL} job job-1 is not done after 0.02 min; it goes on at venice: get it "
        f"later with `openclaw video --resume job-1 -m {MODEL} -o {out}`"
    )
    assert list(folder.iterdir()) == [] and jobs.completed == []


def test_a_refusal_is_one_line_with_venices_words_and_the_request_id(
    server: LocalServer, env: dict[str, str], folder: Path
) -> None:
    from tests.support.server import json_reply
    from tests.support.venice_jobs import REQUEST_ID

    jobs = JobServer()

    def respond(request: Any) -> Any:
        if request.path.endswith("/video/quote"):
            return json_reply({"error": "Duration 7s is not supported by this model",
                               "details": {}}, 400, {"CF-RAY": REQUEST_ID})  # fmt: skip
        return jobs(request)

    server.respond(respond)
    result = run_cli("video", "x", "-d", "7", "-o", str(folder / "v.mp4"), "--yes", env=env)
    assert result.code == 1, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: ") and "Duration 7s is not supported" in line
    assert REQUEST_ID in line
    assert jobs.queued == []


def test_an_unknown_model_is_refused_before_the_quote_with_the_nearest_ones(
    jobs: JobServer, server: LocalServer, env: dict[str, str], folder: Path
) -> None:
    result = run_cli("video", "x", "-m", "venice/kling-2.6-pro-text-to-vid", "-o",
                     str(folder / "v.mp4"), "--yes", env=env)  # fmt: skip
    assert result.code == 2, result.output
    assert result.stderr.splitlines()[-1].startswith(
        "Error: unknown model venice/kling-2.6-pro-text-to-vid; did you mean "
        "venice/kling-2.6-pro-text-to-video, "
    )
    assert [r.path for r in server.requests] == ["/api/v1/models"]


def test_resuming_a_job_venice_does_not_know_says_so(
    server: LocalServer, env: dict[str, str], folder: Path
) -> None:
    from tests.support.server import json_reply
    from tests.support.venice_jobs import REQUEST_ID

    server.respond(lambda r: json_reply({"error": "Media could not be found"}, 404,
                                        {"CF-RAY": REQUEST_ID}))  # fmt: skip
    result = run_cli("video", "--resume", "job-9", "-m", MODEL, "-o", str(folder / "v.mp4"),
                     env=env)  # fmt: skip
    assert result.code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: Venice 404: Media could not be found; Venice has no video job job-9 of model "
        "seedance-2-0-text-to-video-basic (expired, deleted, or queued with another model); "
        f"check the id and the model (request id {REQUEST_ID})"
    )
    assert list(folder.iterdir()) == []


def test_a_jobs_calls_share_one_connection(
    jobs: JobServer, server: LocalServer, env: dict[str, str], folder: Path
) -> None:
    """Queue, every look and complete go over one kept-alive connection, not one each (a
    TLS handshake per look, every few seconds, for minutes)."""
    jobs.polls = 3
    assert run_cli("video", "x", "-o", str(folder / "v.mp4"), "--yes", env=env).code == 0
    job_calls = [r for r in server.requests
                 if r.path.endswith(("/queue", "/retrieve", "/complete"))]  # fmt: skip
    assert len(job_calls) == 6
    assert len({r.handler.client_address[1] for r in job_calls}) == 1


def test_a_job_queued_here_resumes_without_its_model_and_with_its_download_link(
    jobs: JobServer, server: LocalServer, env: dict[str, str], folder: Path
) -> None:
    """The record of a queued job keeps its model and Venice's pre-signed link (a video of a
    VPS-backed model is only there), in a directory only the user reads; it is gone once the
    file is saved."""
    import os
    import stat

    jobs.polls, jobs.download_url = 1000, server.url + "/files/signed.mp4"
    out = folder / "v.mp4"
    first = run_cli("video", "x", "-o", str(out), "--yes", "--wait", "0.01", env=env)
    assert first.code == 1 and "is not done after" in first.stderr
    records = Path(os.environ["OPENCLAW_STATE_DIR"]) / "jobs"
    (record,) = records.iterdir()
    assert stat.S_IMODE(records.stat().st_mode) == 0o700
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    jobs.polls = 0  # done now: Venice answers COMPLETED, and the file is at the link
    resumed = run_cli("video", "--resume", "job-1", "-o", str(out), env=env)
    assert resumed.code == 0, resumed.output
    assert out.read_bytes() == MP4 and len(jobs.queued) == 1
    (download,) = [r for r in server.requests if r.path == "/files/signed.mp4"]
    assert "authorization" not in download.headers
    assert list(records.iterdir()) == []
    again = run_cli("video", "--resume", "job-1", "-o", str(folder / "w.mp4"), env=env)
    assert again.stderr.splitlines()[-1].startswith(
        "Error: --resume needs the job's model too: -m PROVIDER/MODEL"
    )


def test_ctrl_c_mid_download_keeps_no_partial_file_and_resume_gets_it_whole(
    jobs: JobServer, env: dict[str, str], folder: Path
) -> None:
    import threading

    go_on = threading.Event()
    jobs.polls = 0
    jobs.video = MP4 * 16
    jobs.pause = lambda number: go_on.wait(20) if number == 8 else None  # half sent, then held
    out = folder / "v.mp4"
    with Terminal("video", "x", "-o", str(out), "--yes", env=env) as term:
        term.read_until(b"downloading\xe2\x80\xa6")
        term.interrupt()
        term.read_until(b"Interrupted. The job goes on at venice; get it later with:")
        assert term.wait() == 130
    go_on.set()
    assert list(folder.iterdir()) == []  # the temporary file went with the interrupt
    resumed = run_cli("video", "--resume", "job-1", "-o", str(out), env=env)
    assert resumed.code == 0, resumed.output
    assert out.read_bytes() == MP4 * 16 and len(jobs.queued) == 1


def test_a_large_video_is_streamed_to_disk_not_held_in_memory(
    jobs: JobServer, server: LocalServer, env: dict[str, str], folder: Path
) -> None:
    """160 MiB of video reach the file while the command's own peak memory stays a fraction
    of it (the server sends it from a generator: no copy of it anywhere in memory)."""
    import os

    from benchmarks.run import run_process
    from tests.conftest import OPENCLAW

    jobs.polls = 0
    size, piece = 160 * 2**20, b"\x00" * 2**20

    def body() -> Any:
        yield MP4[:32]
        for _ in range(size // len(piece)):
            yield piece

    def respond(request: Any) -> Any:
        if request.path.endswith("/video/retrieve"):
            return Reply(200, body(), {"Content-Type": "video/mp4"})
        return jobs(request)

    server.respond(respond)
    out = folder / "big.mp4"
    args = [str(OPENCLAW), "video", "x", "-o", str(out), "--yes"]
    elapsed, peak_kib = run_process(args, {**os.environ, **env})
    print(f"160 MiB video: {elapsed:.2f} s, peak {peak_kib // 1024} MiB")
    assert out.stat().st_size == size + 32
    assert peak_kib < 100 * 1024, f"peak {peak_kib // 1024} MiB for a 160 MiB file"


def test_ctrl_c_while_the_queue_request_is_out_still_learns_the_job(
    jobs: JobServer, server: LocalServer, env: dict[str, str], folder: Path
) -> None:
    """The queue is what is paid for: a Ctrl-C while it is out lets its answer arrive, so
    the job id is shown (and remembered) rather than lost with a job running at Venice."""
    import threading
    import time

    answer = threading.Event()

    def respond(request: Any) -> Any:
        if request.path.endswith("/video/queue"):
            answer.wait(20)  # held until the test has pressed Ctrl-C
        return jobs(request)

    server.respond(respond)
    out = folder / "v.mp4"
    with Terminal("video", "x", "-o", str(out), "--yes", env=env) as term:
        term.read_until(b"this video with")
        deadline = time.monotonic() + 20
        while not any(r.path.endswith("/video/queue") for r in server.requests):
            assert time.monotonic() < deadline, "the queue request never came"
            time.sleep(0.05)
        term.interrupt()
        time.sleep(0.3)  # the interrupt is in while the answer is still held
        answer.set()
        term.read_until(b"Interrupted. The job goes on at venice; get it later with:")
        term.read_until(f"openclaw video --resume job-1 -m {MODEL} -o {out}".encode())
        assert term.wait() == 130
    assert len(jobs.queued) == 1 and list(folder.iterdir()) == []
    jobs.polls = 0
    resumed = run_cli("video", "--resume", "job-1", "-o", str(out), env=env)  # remembered
    assert resumed.code == 0, resumed.output
    assert out.read_bytes() == MP4 and len(jobs.queued) == 1
