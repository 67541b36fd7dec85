"""``openclaw serve``'s OpenAI-shaped speech endpoints (issue 25, item 5): the openai Python
SDK's ``audio.speech.create`` and ``audio.transcriptions.create`` against the gateway, the
gateway against a Venice stand-in on 127.0.0.1. What the client got, and what reached Venice
(the spec checks every body: the server fixture)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from tests.support import faults
from tests.support.gateway import Gateway
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request, json_reply
from tests.support.venice_audio import (
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
from tests.support.venice_standin import live_rows


def _venice(speech: object = None, transcription: object = None) -> object:
    audio = venice_audio(speech=speech, transcription=transcription)  # type: ignore[arg-type]

    def respond(request: Request) -> Reply | None:
        if request.path == "/api/v1/models" and request.query.get("type", ["text"])[0] == "text":
            return json_reply(live_rows())
        return audio(request)

    return respond


@pytest.fixture
def gateway(server: LocalServer) -> Iterator[Gateway]:
    server.respond(_venice())  # type: ignore[arg-type]
    with Gateway(server) as running:
        yield running


def client(gateway: Gateway) -> openai.OpenAI:
    return openai.OpenAI(base_url=gateway.url, api_key=gateway.token, max_retries=0)


def transcriptions(server: LocalServer) -> list[Request]:
    return [r for r in server.requests if r.path.endswith("/audio/transcriptions")]


def test_speech_with_openai_s_names(server: LocalServer, gateway: Gateway) -> None:
    answer = client(gateway).audio.speech.create(model="tts-1", voice="af_bella", input="Hi.")
    assert answer.content == MP3_HEAD + MP3_FRAME + b"Hi."
    assert answer.response.headers["content-type"] == "audio/mpeg"
    assert speech_bodies(server.requests) == [
        {"model": "tts-kokoro", "response_format": "mp3", "voice": "af_bella", "input": "Hi."}
    ]
    upstream = next(r for r in server.requests if r.path.endswith("/audio/speech"))
    assert upstream.headers["authorization"] == f"Bearer {CANARY}"
    assert not [h for h in upstream.headers if h.startswith("x-stainless")]


def test_speech_with_a_provider_model_format_and_speed(
    server: LocalServer, gateway: Gateway, tmp_path: Path
) -> None:
    out = tmp_path / "a.wav"
    with client(gateway).audio.speech.with_streaming_response.create(
        model="venice/tts-xai-v1", voice="eve", input="Streamed to a file.",
        response_format="wav", speed=1.25,
    ) as answer:  # fmt: skip
        answer.stream_to_file(out)
    assert wav_parts(out.read_bytes())[2].rstrip(b"\x00") == b"Streamed to a file."
    assert speech_bodies(server.requests)[0] == {
        "model": "tts-xai-v1", "response_format": "wav", "voice": "eve", "speed": 1.25,
        "input": "Streamed to a file.",
    }  # fmt: skip


def test_a_voice_the_model_lacks_is_a_400_and_nothing_is_sent(
    server: LocalServer, gateway: Gateway
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client(gateway).audio.speech.create(model="tts-1", voice="Rachel", input="Hi.")
    assert "has no voice 'Rachel'" in caught.value.message
    assert speech_bodies(server.requests) == []


def test_a_refused_payment_upstream_is_a_402_naming_the_request(server: LocalServer) -> None:
    body = json.dumps({"error": "Insufficient USD or Diem balance"}).encode()
    refuse = faults.status(402, body, {"CF-RAY": REQUEST_ID, "Content-Type": "application/json"})
    server.respond(_venice(speech=refuse))  # type: ignore[arg-type]
    with Gateway(server) as running, pytest.raises(openai.APIStatusError) as caught:
        client(running).audio.speech.create(model="tts-1", voice="af_sky", input="Hi.")
    assert caught.value.status_code == 402 and REQUEST_ID in caught.value.message


def test_transcription_json_text_and_verbose(server: LocalServer, gateway: Gateway) -> None:
    audio = wav(b"\x00\x01" * 100)
    openai_client = client(gateway)
    plain = openai_client.audio.transcriptions.create(model="whisper-1", file=("m.wav", audio))
    assert plain.text == TRANSCRIPT
    sent = form_fields(transcriptions(server)[0])
    assert sent["file"] == ("m.wav", "audio/wav", audio)
    assert (sent["model"], sent["timestamps"]) == ("nvidia/parakeet-tdt-0.6b-v3", "false")
    text = openai_client.audio.transcriptions.create(
        model="venice/openai/whisper-large-v3", file=("m.wav", audio), response_format="text",
        language="en",
    )  # fmt: skip
    assert text.strip() == TRANSCRIPT
    sent = form_fields(transcriptions(server)[1])
    assert (sent["model"], sent["language"]) == ("openai/whisper-large-v3", "en")
    verbose = openai_client.audio.transcriptions.create(
        model="whisper-1", file=("m.wav", audio), response_format="verbose_json",
        timestamp_granularities=["word", "segment"],
    )  # fmt: skip
    assert verbose.duration == 2.5
    assert [s.text for s in verbose.segments or []] == ["Hello there.", "This is a test."]
    assert [w.word for w in verbose.words or []][:2] == ["Hello", "there."]
    assert form_fields(transcriptions(server)[2])["timestamps"] == "true"


def test_subtitles(server: LocalServer, gateway: Gateway) -> None:
    audio = wav(b"\x00\x01" * 100)
    srt = client(gateway).audio.transcriptions.create(
        model="whisper-1", file=("m.wav", audio), response_format="srt"
    )
    assert str(srt).startswith("1\n00:00:00,000 --> 00:00:00,900\nHello there.\n")
    vtt = client(gateway).audio.transcriptions.create(
        model="whisper-1", file=("m.wav", audio), response_format="vtt"
    )
    assert str(vtt).startswith("WEBVTT\n\n00:00:00.000 --> 00:00:00.900\nHello there.\n")


def test_a_file_that_is_not_audio_is_a_400_before_venice_is_asked(
    server: LocalServer, gateway: Gateway
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client(gateway).audio.transcriptions.create(
            model="whisper-1", file=("talk.mp3", b"%PDF-1.7 a document, not audio")
        )
    assert "is not WAV, FLAC, MP3" in caught.value.message
    assert transcriptions(server) == []


def test_bad_requests_are_openai_shaped(gateway: Gateway) -> None:
    headers = gateway.headers()
    with httpx.Client(base_url=gateway.url, headers=headers, timeout=10) as http:
        empty = http.post("/audio/speech", json={"model": "tts-1", "input": " "})
        assert empty.status_code == 400
        assert empty.json()["error"]["param"] == "input"
        wrong = http.post("/audio/speech", json={"input": "x", "response_format": "ogg"})
        assert wrong.status_code == 400 and wrong.json()["error"]["param"] == "response_format"
        no_form = http.post("/audio/transcriptions", json={"model": "whisper-1"})
        assert no_form.status_code == 400 and "multipart/form-data" in no_form.text
        got = http.get("/audio/speech")
        assert got.status_code == 405
    unauthorized = httpx.post(gateway.url + "/audio/speech", json={"input": "x"}, timeout=10)
    assert unauthorized.status_code == 401


def test_long_speech_comes_as_one_wav_with_its_lengths(
    server: LocalServer, gateway: Gateway
) -> None:
    text = " ".join(f"Sentence {i} of a long reading." for i in range(300))  # ~9,600 chars
    answer = client(gateway).audio.speech.create(
        model="tts-1", voice="af_sky", input=text, response_format="wav"
    )
    bodies = speech_bodies(server.requests)
    assert len(bodies) == 3
    riff, size, data = wav_parts(answer.content)
    assert (riff, size) == (len(answer.content) - 8, len(data))  # fixed in the spool
    spoken = [wav_parts(wav(b["input"].encode()))[2] for b in bodies]
    assert data == b"".join(spoken)


# -- audio and video in chat turns through the gateway -------------------------------------------
def test_chat_turns_carry_audio_and_video_to_models_that_take_them(server: LocalServer) -> None:
    from tests.conftest import VENICE_DATA
    from tests.support import venice_wire

    snapshot = json.loads((VENICE_DATA / "static-models-2026-08.json").read_text())
    gemini = next(r for r in snapshot if r["id"] == "gemini-3-5-flash")
    audio_answers = venice_audio()

    def respond(request: Request) -> Reply | None:
        if request.path == "/api/v1/models" and request.query.get("type", ["text"])[0] == "text":
            return json_reply(live_rows(gemini))
        if request.path.endswith("/chat/completions"):
            return venice_wire.stream_reply(venice_wire.text_stream("A dog barks."))
        return audio_answers(request)

    server.respond(respond)
    clip = "data:video/mp4;base64,AAAAGGZ0eXBpc29t"
    parts = [
        {"type": "text", "text": "What is this?"},
        {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
        {"type": "video_url", "video_url": {"url": clip}},
    ]
    with Gateway(server) as running:
        answer = client(running).chat.completions.create(
            model="venice/gemini-3-5-flash", messages=[{"role": "user", "content": parts}],
        )  # type: ignore[list-item]
        assert answer.choices[0].message.content == "A dog barks."
        with pytest.raises(openai.BadRequestError) as caught:
            client(running).chat.completions.create(
                model="venice/kimi-k2-6", messages=[{"role": "user", "content": parts}],
            )  # type: ignore[list-item]
    assert "does not accept audio input" in caught.value.message
    assert "venice/gemini-3-5-flash" in caught.value.message
    (sent,) = [r.json() for r in server.requests if r.path.endswith("/chat/completions")]
    assert sent["messages"][-1]["content"][1:] == parts[1:]
