"""Speech and transcription through the contract (issue 25, item 1): the host's ``speak`` and
``transcribe`` work for a second plugin (``tests/support/studio_plugin.py``, installed through
a real entry point) as for Venice's, naming no provider; and Venice's Python API,
``provider.audio``, async and sync, against a loopback Venice."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest

from openclaw_venice import VeniceProvider
from openclaw_venice.errors import RequestRefused, UsageError
from openclaw_venice.runtime.errors import PluginError
from openclaw_venice.runtime.plugins import PluginApi
from tests.conftest import REPO, run_cli
from tests.support.dists import studio_env
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer
from tests.support.venice_audio import (
    MP3_FRAME,
    MP3_HEAD,
    TRANSCRIPT,
    speech_bodies,
    venice_audio,
    wav,
    wav_parts,
)


@pytest.fixture
def studio(tmp_path: Path) -> dict[str, str]:
    return studio_env(tmp_path)


def test_speak_and_transcribe_work_for_another_provider(
    studio: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "s.wav"
    spoken = run_cli("speak", "Hi there.", "-m", "studio/narrator", "--voice", "bright",
                     "-o", str(out), env=studio)  # fmt: skip
    assert spoken.code == 0, spoken.output
    assert spoken.stdout == f"{out}\n"
    assert wav_parts(out.read_bytes())[2].rstrip(b"\x00") == b"Hi there."
    assert "studio/narrator: 9 characters, about $0.0900 (1 per 100)" in spoken.stderr
    assert "studio/narrator, voice bright" in spoken.stderr
    heard = run_cli("transcribe", str(out), "-m", "studio/ear", "--timestamps", env=studio)
    assert heard.code == 0, heard.output
    size = out.stat().st_size
    assert heard.stdout == f"[00:00:00.000 - 00:00:01.500] {size} bytes of audio/wav\n"
    assert "studio/ear, 1.5 s of audio (anonymized:" in heard.stderr
    voices = run_cli("speak", "--voices", "-m", "studio/narrator", env=studio)
    assert voices.stdout.split() == ["calm", "bright"]


def test_with_two_providers_the_command_asks_which(studio: dict[str, str], tmp_path: Path) -> None:
    result = run_cli("speak", "Hi.", "-o", str(tmp_path / "a.wav"), env=studio)
    assert result.code != 0
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: several providers offer text to speech (studio, venice); say which: "
        "--model PROVIDER/MODEL or --provider ID"
    )


def test_a_speech_capability_without_the_protocol_is_refused() -> None:
    class Mute:
        def speech_models(self, ctx: object) -> None: ...

    api = PluginApi("mute")
    with pytest.raises(PluginError, match="does not offer text to speech the way the host calls"):
        api.register_capability("mute", "speech", Mute())


def test_the_host_commands_name_no_provider() -> None:
    for name in ("speak", "transcribe"):
        source = (REPO / "openclaw_venice" / "runtime" / "commands" / f"{name}.py").read_text()
        assert "venice" not in source.lower(), name


# -- Venice's Python API ------------------------------------------------------------------------
@pytest.fixture
def venice_env(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> LocalServer:
    server.respond(venice_audio())
    monkeypatch.setenv("VENICE_BASE_URL", server.url + "/api/v1")
    monkeypatch.setenv("VENICE_API_KEY", CANARY)
    return server


def test_speak_to_a_path_bytes_and_a_file_object(venice_env: LocalServer, tmp_path: Path) -> None:
    provider = VeniceProvider()

    async def go() -> tuple[object, bytes, bytes]:
        try:
            result = await provider.audio.speak("Hello.", tmp_path / "a.mp3")
            raw = await provider.audio.speak("Bytes.", format="wav")
            buffer = io.BytesIO()
            await provider.audio.speak("Stream.", buffer, voice="am_adam")
            return result, raw, buffer.getvalue()
        finally:
            await provider.client().aclose()

    result, raw, streamed = asyncio.run(go())
    assert (tmp_path / "a.mp3").read_bytes() == MP3_HEAD + MP3_FRAME + b"Hello."
    assert result.format == "mp3" and result.voice == "af_sky"  # type: ignore[attr-defined]
    assert wav_parts(raw)[2] == b"Bytes."
    assert streamed == MP3_HEAD + MP3_FRAME + b"Stream."
    assert [b["voice"] for b in speech_bodies(venice_env.requests)] == [
        "af_sky", "af_sky", "am_adam"
    ]


def test_speak_never_overwrites_without_being_told(
    venice_env: LocalServer, tmp_path: Path
) -> None:
    out = tmp_path / "a.mp3"
    out.write_bytes(b"mine")
    provider = VeniceProvider()
    with pytest.raises(UsageError, match="already exists; pass overwrite=True"):
        provider.audio.speak_sync("Hi.", out)
    assert out.read_bytes() == b"mine" and speech_bodies(venice_env.requests) == []
    provider.audio.speak_sync("Hi.", out, overwrite=True)
    provider.client().close()
    assert out.read_bytes().startswith(MP3_HEAD)


def test_an_unknown_voice_is_refused_before_sending(venice_env: LocalServer) -> None:
    provider = VeniceProvider()
    with pytest.raises(RequestRefused, match="has no voice 'nobody'"):
        provider.audio.speak_sync("Hi.", voice="nobody")
    provider.client().close()
    assert speech_bodies(venice_env.requests) == []


def test_quote_speech_sends_nothing(venice_env: LocalServer) -> None:
    quote = VeniceProvider().audio.quote_speech("x" * 9000, model="tts-kokoro")
    assert (quote.characters, quote.parts, quote.price) == (9000, 3, 0.0315)
    assert venice_env.requests == []


def test_transcribe_sync_and_async(venice_env: LocalServer, tmp_path: Path) -> None:
    memo = tmp_path / "memo.wav"
    memo.write_bytes(wav(b"\x00\x01" * 50))
    provider = VeniceProvider()
    transcript = provider.audio.transcribe_sync(memo, timestamps=True)
    assert transcript.text == TRANSCRIPT and len(transcript.segments) == 2
    provider.client().close()

    async def from_bytes() -> object:
        try:
            return await provider.audio.transcribe(memo.read_bytes(), language="en")
        finally:
            await provider.client().aclose()

    assert asyncio.run(from_bytes()).text == TRANSCRIPT  # type: ignore[attr-defined]


def test_the_sync_forms_refuse_inside_a_running_loop(venice_env: LocalServer) -> None:
    async def inside() -> None:
        VeniceProvider().audio.speak_sync("Hi.")

    with pytest.raises(UsageError, match=r"await provider\.audio\.speak"):
        asyncio.run(inside())


def test_json_of_the_speak_command(venice_env: LocalServer, tmp_path: Path) -> None:
    env = {"VENICE_BASE_URL": venice_env.url + "/api/v1", "VENICE_API_KEY": CANARY}
    out = tmp_path / "a.wav"
    result = run_cli("speak", "Hi.", "-o", str(out), "--json", env=env)
    payload = json.loads(result.stdout)
    assert payload == {
        "provider": "venice", "model": "tts-kokoro", "voice": "af_sky", "format": "wav",
        "mimeType": "audio/wav", "bytes": out.stat().st_size, "parts": 1, "privacy": "private",
        "requestIds": ["5c4b3a29180f-LHR"], "price": 1.05e-05, "currency": "USD", "file": str(out),
    }  # fmt: skip
