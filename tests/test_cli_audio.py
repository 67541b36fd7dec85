"""``openclaw speak`` and ``openclaw transcribe`` against a loopback Venice (issue 25, items 1
and 4): audio streamed into the file and renamed into place when whole, never over a file
without ``--force``, voice and format checked against the model and the price shown before
anything is sent, long text in several requests joined into one file, the file to transcribe
checked by its content and size before it is sent, one-line errors naming the request id."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import OPENCLAW, run_cli
from tests.support import faults
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request, json_reply
from tests.support.venice_audio import (
    KOKORO_VOICES,
    MP3_FRAME,
    MP3_HEAD,
    REQUEST_ID,
    TRANSCRIPT,
    form_fields,
    speech_bodies,
    venice_audio,
    wav,
    wav_parts,
)


def serve(server: LocalServer, **handlers: object) -> dict[str, str]:
    server.respond(venice_audio(**handlers))  # type: ignore[arg-type]
    return {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


# -- speak --------------------------------------------------------------------------------------
def test_speak_writes_the_audio_and_shows_the_price_first(
    server: LocalServer, tmp_path: Path
) -> None:
    out = tmp_path / "hello.mp3"
    result = run_cli("speak", "Hello there.", "-o", str(out), env=serve(server))
    assert result.code == 0, result.output
    assert result.stdout == f"{out}\n"
    assert out.read_bytes() == MP3_HEAD + MP3_FRAME + b"Hello there."
    assert "venice/tts-kokoro: 12 characters, about $0.000042 ($3.5 per million characters)" in (
        result.stderr
    )
    assert "voice af_sky" in result.stderr and "private: nothing stored" in result.stderr
    (body,) = speech_bodies(server.requests)
    assert body == {
        "model": "tts-kokoro", "response_format": "mp3", "voice": "af_sky",
        "input": "Hello there.",
    }  # fmt: skip
    speech = next(r for r in server.requests if r.path.endswith("/audio/speech"))
    assert speech.headers["authorization"] == f"Bearer {CANARY}"
    assert speech.headers["accept"] == "audio/mpeg"
    assert _leftovers(tmp_path) == []


def test_every_option_reaches_venice_as_it_names_it(server: LocalServer, tmp_path: Path) -> None:
    result = run_cli(
        "speak", "Hi.", "-m", "venice/tts-xai-v1", "--voice", "eve", "-o",
        str(tmp_path / "a.wav"), "--speed", "1.5", "--language", "en",
        "--instructions", "calm", env=serve(server),
    )  # fmt: skip
    assert result.code == 0, result.output
    assert speech_bodies(server.requests) == [
        {"model": "tts-xai-v1", "response_format": "wav", "voice": "eve", "speed": 1.5,
         "language": "en", "prompt": "calm", "input": "Hi."}
    ]  # fmt: skip


def test_long_text_is_spoken_in_parts_joined_into_one_wav(
    server: LocalServer, tmp_path: Path
) -> None:
    sentences = [f"Sentence number {i} is here." for i in range(400)]  # ~11,000 characters
    text = " ".join(sentences)
    out = tmp_path / "long.wav"
    result = run_cli("speak", "-o", str(out), input=text, env=serve(server))
    assert result.code == 0, result.output
    bodies = speech_bodies(server.requests)
    assert len(bodies) == 3 and all(len(b["input"]) <= 4096 for b in bodies)
    assert ", 3 requests," in result.stderr
    riff, size, data = wav_parts(out.read_bytes())
    spoken = [wav_parts(wav(b["input"].encode()))[2] for b in bodies]
    assert data == b"".join(spoken)  # every part's audio, in order, under one header
    assert b" ".join(s.rstrip(b"\x00") for s in spoken).decode() == text
    assert (riff, size) == (out.stat().st_size - 8, len(data))


def test_an_existing_file_is_kept_and_nothing_is_sent(server: LocalServer, tmp_path: Path) -> None:
    out = tmp_path / "taken.mp3"
    out.write_bytes(b"mine")
    result = run_cli("speak", "Hello.", "-o", str(out), env=serve(server))
    assert result.code != 0
    assert result.stderr.strip() == (
        f"Error: {out} already exists; pick another -o or add --force"
    )
    assert out.read_bytes() == b"mine" and speech_bodies(server.requests) == []
    forced = run_cli("speak", "Hello.", "-o", str(out), "--force", env=serve(server))
    assert forced.code == 0, forced.output
    assert out.read_bytes().startswith(MP3_HEAD)


def test_a_voice_the_model_lacks_is_refused_before_sending(
    server: LocalServer, tmp_path: Path
) -> None:
    result = run_cli("speak", "Hi.", "--voice", "Rachel", "-o", str(tmp_path / "a.mp3"),
                     env=serve(server))  # fmt: skip
    assert result.code != 0
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: venice/tts-kokoro has no voice 'Rachel'; its voices: af_alloy")
    assert speech_bodies(server.requests) == [] and not (tmp_path / "a.mp3").exists()


def test_a_format_the_model_lacks_is_refused_before_sending(
    server: LocalServer, tmp_path: Path
) -> None:
    result = run_cli("speak", "Hi.", "-m", "tts-xai-v1", "-o", str(tmp_path / "a.flac"),
                     env=serve(server))  # fmt: skip
    assert result.code != 0
    assert "venice/tts-xai-v1 has no flac output; use one of mp3, wav" in result.stderr
    assert speech_bodies(server.requests) == []


def test_voices_are_listed(server: LocalServer) -> None:
    result = run_cli("speak", "--voices", env=serve(server))
    assert result.code == 0, result.output
    assert result.stdout.split() == KOKORO_VOICES
    listed = run_cli("speak", "--voices", "-m", "tts-xai-v1", "--json", env=serve(server))
    assert json.loads(listed.stdout) == {"model": "venice/tts-xai-v1", "voices": ["ara", "eve",
                                                                                  "rex"]}


def test_quote_shows_the_price_and_sends_nothing(server: LocalServer) -> None:
    result = run_cli("speak", "x" * 5000, "--quote", "--json", env=serve(server))
    assert result.code == 0, result.output
    quote = json.loads(result.stdout)
    assert quote == {
        "provider": "venice", "model": "tts-kokoro", "characters": 5000, "parts": 2,
        "price": 0.0175, "currency": "USD", "rate": "$3.5 per million characters",
    }  # fmt: skip
    assert speech_bodies(server.requests) == []


def test_a_refused_payment_is_one_line_with_the_request_id_and_leaves_no_file(
    server: LocalServer, tmp_path: Path
) -> None:
    body = json.dumps({"error": "Insufficient USD or Diem balance"}).encode()
    refuse = faults.status(402, body, {"CF-RAY": REQUEST_ID, "Content-Type": "application/json"})
    out = tmp_path / "a.mp3"
    result = run_cli("speak", "Hi.", "-o", str(out), env=serve(server, speech=refuse))
    assert result.code != 0
    (line,) = result.stderr.strip().splitlines()[-1:]
    assert line.startswith("Error: ") and REQUEST_ID in line and "balance" in line.lower()
    assert not out.exists() and _leftovers(tmp_path) == []


def test_a_cut_answer_leaves_no_file(server: LocalServer, tmp_path: Path) -> None:
    cut = faults.reset_mid_stream(MP3_HEAD + MP3_FRAME + b"x" * 3000, content_type="audio/mpeg",
                                  headers={"CF-RAY": REQUEST_ID})  # fmt: skip
    out = tmp_path / "a.mp3"
    result = run_cli("speak", "Hi.", "-o", str(out), env=serve(server, speech=cut))
    assert result.code != 0
    assert "the answer was cut after" in result.stderr and REQUEST_ID in result.stderr
    assert not out.exists() and _leftovers(tmp_path) == []


def test_an_answer_that_is_not_the_format_asked_is_refused(
    server: LocalServer, tmp_path: Path
) -> None:
    html = faults.status(200, b"<html>maintenance</html>" * 4, {"Content-Type": "text/html"})
    out = tmp_path / "a.wav"
    result = run_cli("speak", "Hi.", "-o", str(out), env=serve(server, speech=html))
    assert result.code != 0
    assert "Venice's speech answer is not wav audio; try again" in result.stderr
    assert not out.exists() and _leftovers(tmp_path) == []


def test_speech_to_a_pipe(server: LocalServer, tmp_path: Path) -> None:
    env = {**os.environ, **serve(server)}
    proc = subprocess.run(
        [str(OPENCLAW), "speak", "Piped.", "-o", "-", "--format", "wav"],
        capture_output=True, env=env, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert wav_parts(proc.stdout)[2].rstrip(b"\x00") == b"Piped."
    assert b"Traceback" not in proc.stderr


def test_the_file_ending_must_say_a_format(server: LocalServer, tmp_path: Path) -> None:
    result = run_cli("speak", "Hi.", "-o", str(tmp_path / "a.txt"), env=serve(server))
    assert result.code != 0 and "end it in one of .aac, .flac, .mp3" in result.stderr
    clash = run_cli("speak", "Hi.", "-o", str(tmp_path / "a.mp3"), "--format", "wav",
                    env=serve(server))  # fmt: skip
    assert clash.code != 0 and "a.mp3 says mp3 but --format is wav" in clash.stderr
    assert speech_bodies(server.requests) == []


# -- transcribe ---------------------------------------------------------------------------------
def test_transcribe_prints_the_text_and_the_cost(server: LocalServer, tmp_path: Path) -> None:
    audio = tmp_path / "memo.wav"
    audio.write_bytes(wav(b"\x01\x02" * 500))
    result = run_cli("transcribe", str(audio), env=serve(server))
    assert result.code == 0, result.output
    assert result.stdout == TRANSCRIPT + "\n"
    quoted = "venice/nvidia/parakeet-tdt-0.6b-v3: 0.0 s of audio, about $0.000002"
    assert result.stderr.startswith(quoted), result.stderr  # before it was sent
    assert "venice/nvidia/parakeet-tdt-0.6b-v3, 2.5 s of audio, $0.000250" in result.stderr
    (sent,) = [r for r in server.requests if r.path.endswith("/audio/transcriptions")]
    fields = form_fields(sent)
    assert fields["file"] == ("memo.wav", "audio/wav", audio.read_bytes())
    assert {k: v for k, v in fields.items() if k != "file"} == {
        "model": "nvidia/parakeet-tdt-0.6b-v3", "response_format": "json", "timestamps": "false",
    }  # fmt: skip
    assert sent.headers["authorization"] == f"Bearer {CANARY}"


def test_quote_prices_a_wav_by_its_length_and_sends_nothing(
    server: LocalServer, tmp_path: Path
) -> None:
    audio = tmp_path / "talk.wav"
    audio.write_bytes(wav(b"\x00" * 48000 * 90, rate=24000))  # 90 s
    result = run_cli("transcribe", str(audio), "--quote", "--json", env=serve(server))
    assert result.code == 0, result.output
    assert json.loads(result.stdout) == {
        "provider": "venice", "model": "nvidia/parakeet-tdt-0.6b-v3", "seconds": 90.0,
        "price": 0.009, "currency": "USD", "rate": "$0.0001 per second of audio",
    }  # fmt: skip
    assert "90.0 s of audio, about $0.0090 ($0.0001 per second of audio)" in result.stderr
    assert [r for r in server.requests if r.path.endswith("/audio/transcriptions")] == []


def test_timestamps_srt_and_json(server: LocalServer, tmp_path: Path) -> None:
    audio = tmp_path / "memo.mp3"
    audio.write_bytes(MP3_HEAD + MP3_FRAME + b"\x00" * 100)
    env = serve(server)
    stamped = run_cli("transcribe", str(audio), "--timestamps", "-m", "openai/whisper-large-v3",
                      "--language", "en", env=env)  # fmt: skip
    assert stamped.stdout.splitlines() == [
        "[00:00:00.000 - 00:00:00.900] Hello there.",
        "[00:00:01.200 - 00:00:02.100] This is a test.",
    ]
    fields = form_fields(next(r for r in server.requests if r.path.endswith("/transcriptions")))
    assert (fields["model"], fields["language"], fields["timestamps"]) == (
        "openai/whisper-large-v3", "en", "true"
    )
    srt = run_cli("transcribe", str(audio), "--srt", env=env)
    assert srt.stdout == (
        "1\n00:00:00,000 --> 00:00:00,900\nHello there.\n\n"
        "2\n00:00:01,200 --> 00:00:02,100\nThis is a test.\n\n"
    )
    payload = json.loads(run_cli("transcribe", str(audio), "--json", env=env).stdout)
    assert payload["text"] == TRANSCRIPT and len(payload["words"]) == 6
    assert payload["requestId"] == REQUEST_ID and payload["provider"] == "venice"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"%PDF-1.7 this is a document", "is not audio this can send"),
        (b"", "is empty"),
    ],
    ids=["pdf named .mp3", "empty"],
)
def test_a_file_that_is_not_audio_is_refused_before_sending(
    server: LocalServer, tmp_path: Path, content: bytes, says: str
) -> None:
    audio = tmp_path / "talk.mp3"
    audio.write_bytes(content)
    result = run_cli("transcribe", str(audio), env=serve(server))
    assert result.code != 0
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"Error: {audio} ") and says in line
    assert server.requests == []


def test_a_file_over_25_mb_is_refused_before_it_is_read(
    server: LocalServer, tmp_path: Path
) -> None:
    audio = tmp_path / "huge.wav"
    with audio.open("wb") as file:  # sparse: costs no disk
        file.write(wav(b"ab"))
        file.truncate(26 * 2**20)
    result = run_cli("transcribe", str(audio), env=serve(server))
    assert result.code != 0
    assert "is 26.0 MB, over the 25 MB a transcription takes" in result.stderr
    assert server.requests == []


def test_a_missing_file_is_one_line(server: LocalServer, tmp_path: Path) -> None:
    result = run_cli("transcribe", str(tmp_path / "nope.wav"), env=serve(server))
    assert result.code != 0
    assert result.stderr.strip() == (
        f"Error: cannot read {tmp_path / 'nope.wav'}: No such file or directory"
    )


def test_a_server_error_names_the_request(server: LocalServer, tmp_path: Path) -> None:
    audio = tmp_path / "memo.wav"
    audio.write_bytes(wav(b"xy"))
    bad = faults.status(400, json.dumps({"error": "Unsupported audio"}).encode(),
                        {"CF-RAY": REQUEST_ID, "Content-Type": "application/json"})  # fmt: skip
    result = run_cli("transcribe", str(audio), env=serve(server, transcription=bad))
    assert result.code != 0
    assert "Unsupported audio" in result.stderr and REQUEST_ID in result.stderr


def test_a_transcript_is_made_safe_for_a_terminal_only(server: LocalServer, tmp_path: Path) -> None:
    audio = tmp_path / "memo.wav"
    audio.write_bytes(wav(b"xy"))
    escape = lambda r: json_reply({"text": "hi \x1b]0;owned\x07 there"})  # noqa: E731
    result = run_cli("transcribe", str(audio), env=serve(server, transcription=escape))
    assert result.stdout == "hi \x1b]0;owned\x07 there\n"  # a pipe gets it as it came


# -- in a terminal ------------------------------------------------------------------------------
def test_audio_is_never_written_to_a_terminal(server: LocalServer) -> None:
    from tests.support.terminal import Terminal

    with Terminal("speak", "Hello.", "-o", "-", env=serve(server)) as term:
        shown = term.read_to_end()
        assert term.wait() != 0
    assert b"Error: not writing audio to a terminal; pass -o FILE or pipe stdout" in shown
    assert server.requests == []


def test_speech_piped_from_a_terminal_session(server: LocalServer) -> None:
    """``openclaw speak "..." -o - | player``: stdout a pipe, stderr the terminal."""
    from tests.support.terminal import Terminal

    with Terminal("speak", "Piped.", "-o", "-", "--format", "wav", env=serve(server),
                  stdout_pipe=True) as term:  # fmt: skip
        assert term.proc.stdout is not None
        audio = term.proc.stdout.read()
        assert term.wait() == 0
    assert wav_parts(audio)[2].rstrip(b"\x00") == b"Piped."
    assert b"venice/tts-kokoro: 6 characters" in term.seen


def test_ctrl_c_while_the_audio_comes_leaves_no_file(server: LocalServer, tmp_path: Path) -> None:
    from tests.support.terminal import Terminal

    stall = faults.body_stalls(MP3_HEAD + MP3_FRAME + b"x" * 100, content_type="audio/mpeg")
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "a.mp3"

    def begun() -> bool:  # the answer has begun, into a temporary file beside -o
        asked = any(r.path.endswith("/audio/speech") for r in server.requests)
        return asked and any(p.name.startswith(".a.mp3.") for p in folder.iterdir())

    with Terminal("speak", "Hi.", "-o", str(out), env=serve(server, speech=stall)) as term:
        term.read_until(b"venice/tts-kokoro: 3 characters")
        for _ in range(500):
            if begun():
                break
            time.sleep(0.02)
        assert begun()
        time.sleep(0.3)  # the answer's first bytes are read (and held for the file)
        term.interrupt()
        code = term.wait()
    assert code == 130
    assert b"Traceback" not in term.seen
    assert list(folder.iterdir()) == []  # no file, no temporary file


def test_a_large_answer_streams_to_the_file_without_growing_memory(
    server: LocalServer, tmp_path: Path
) -> None:
    """``openclaw speak``'s peak memory (its own, as benchmarks/run.py measures it) for a
    96 MiB answer is within a few MiB of its peak for a small one, same run: the answer goes
    to the file piece by piece, never whole into memory."""
    from benchmarks.run import run_process

    size = {"n": 0}

    def answer(request: Request) -> Reply:
        block = (MP3_HEAD + MP3_FRAME).ljust(65536, b"\x00")
        blocks = (block for _ in range(size["n"] // 65536))
        return Reply(200, blocks, {"Content-Type": "audio/mpeg"})

    env = {**os.environ, **serve(server, speech=answer)}
    peaks = {}
    for label, n in (("small", 65536), ("large", 96 * 2**20)):
        size["n"] = n
        out = tmp_path / f"{label}.mp3"
        _, peaks[label] = run_process([str(OPENCLAW), "speak", "Hi.", "-o", str(out)], env)
        assert out.stat().st_size == n
    assert peaks["large"] - peaks["small"] < 16 * 1024, peaks  # KiB
