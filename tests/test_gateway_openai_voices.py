"""A runtime that speaks through OpenAI's API sends OpenAI's own model and voice names
(OpenAI's clients and OpenClaw's TTS default to ``tts-1``/``gpt-4o-mini-tts`` with ``alloy``):
through ``openclaw serve`` that call gets the provider's default model and default voice,
instead of a 400 for a voice the provider never had (issue 25, item 5; found by review25 with
the openai SDK's usual call)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from tests.support.gateway import Gateway
from tests.support.server import LocalServer, Reply, Request, json_reply
from tests.support.venice_audio import MP3_FRAME, MP3_HEAD, speech_bodies, venice_audio, wav
from tests.support.venice_standin import live_rows


def _venice(request: Request) -> Reply | None:
    if request.path == "/api/v1/models" and request.query.get("type", ["text"])[0] == "text":
        return json_reply(live_rows())
    return venice_audio()(request)


@pytest.fixture
def gateway(server: LocalServer) -> Iterator[Gateway]:
    server.respond(_venice)
    with Gateway(server) as running:
        yield running


def client(gateway: Gateway) -> openai.OpenAI:
    return openai.OpenAI(base_url=gateway.url, api_key=gateway.token, max_retries=0)


@pytest.mark.parametrize("model", ["tts-1", "gpt-4o-mini-tts"])
def test_openai_s_default_voice_with_openai_s_model_gets_the_provider_s_defaults(
    server: LocalServer, gateway: Gateway, model: str
) -> None:
    answer = client(gateway).audio.speech.create(model=model, voice="alloy", input="Hi.")
    assert answer.content == MP3_HEAD + MP3_FRAME + b"Hi."
    # no voice named: the provider's default voice of its default model (Kokoro's af_sky)
    assert speech_bodies(server.requests) == [
        {"model": "tts-kokoro", "response_format": "mp3", "voice": "af_sky", "input": "Hi."}
    ]


def test_a_provider_s_own_voice_is_kept_with_openai_s_model(
    server: LocalServer, gateway: Gateway
) -> None:
    client(gateway).audio.speech.create(model="tts-1", voice="bf_emma", input="Hi.")
    assert [b["voice"] for b in speech_bodies(server.requests)] == ["bf_emma"]


def test_an_openai_voice_with_the_provider_s_model_is_still_refused_before_sending(
    server: LocalServer, gateway: Gateway
) -> None:
    """Naming the provider's model is choosing the provider's voices: no guessing there."""
    with pytest.raises(openai.BadRequestError) as caught:
        client(gateway).audio.speech.create(model="venice/tts-kokoro", voice="alloy", input="Hi.")
    assert "has no voice 'alloy'" in caught.value.message
    assert speech_bodies(server.requests) == []


def test_an_event_stream_asked_for_is_a_400_naming_the_field_and_nothing_is_sent(
    server: LocalServer, gateway: Gateway, tmp_path: Path
) -> None:
    """OpenAI's clients may ask for server-sent events (``stream_format="sse"`` for speech,
    ``stream=True`` for a transcript); the gateway answers whole, so it says so instead of
    sending raw audio or JSON to a client parsing events (found by review25: it ignored them)."""
    with pytest.raises(openai.BadRequestError) as speech:
        client(gateway).audio.speech.create(
            model="tts-1", voice="af_sky", input="Hi.", stream_format="sse"
        )
    assert speech.value.status_code == 400
    assert speech.value.body["param"] == "stream_format"  # type: ignore[index]
    audio = tmp_path / "a.wav"
    audio.write_bytes(wav(b"\x00\x01" * 100))
    with audio.open("rb") as upload, pytest.raises(openai.BadRequestError) as transcript:
        client(gateway).audio.transcriptions.create(model="whisper-1", file=upload, stream=True)
    assert transcript.value.body["param"] == "stream"  # type: ignore[index]
    assert speech_bodies(server.requests) == []
    assert [r for r in server.requests if r.path.endswith("/audio/transcriptions")] == []
    # the plain forms still work
    plain = client(gateway).audio.speech.create(
        model="tts-1", voice="af_sky", input="Hi.", stream_format="audio"
    )
    assert plain.content == MP3_HEAD + MP3_FRAME + b"Hi."
