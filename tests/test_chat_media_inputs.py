"""Audio and video in a chat turn (issue 25, item 2): ``input_audio`` and ``video_url`` parts
go to the models whose ``/models`` capabilities say they take them (``supportsAudioInput``,
``supportsVideoInput``: Venice's real rows, from the vendored 2026-08 snapshot) and are
refused before sending elsewhere, in one line naming models that take them; through
``openclaw chat --audio/--video`` and the Python API. Every body sent is checked against
the spec by the server fixture."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from openclaw_venice import AudioPart, Context, UserMessage, VideoPart
from openclaw_venice.catalog import load_bundle, merge_catalog
from openclaw_venice.chat.options import StreamOptions
from openclaw_venice.chat.request import build_request
from openclaw_venice.errors import RequestRefused, UsageError
from openclaw_venice.runtime.ai import ImagePart, TextPart
from tests.conftest import VENICE_DATA, run_cli
from tests.support import venice_wire
from tests.support.hygiene import CANARY
from tests.support.requests_schema import assert_valid_request
from tests.support.server import LocalServer, Reply, Request, json_reply
from tests.support.venice_audio import MP3_FRAME, MP3_HEAD, wav

SNAPSHOT = json.loads((VENICE_DATA / "static-models-2026-08.json").read_text())
TEXT_ROWS = [r for r in SNAPSHOT if r["type"] == "text"]
AUDIO = "gemini-3-5-flash"  # audio and video
VIDEO_ONLY = "qwen3-5-35b-a3b"
TEXT_ONLY = "llama-3.3-70b"
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 64


def catalog() -> Any:
    return merge_catalog(TEXT_ROWS, load_bundle())


def _turn(*parts: Any) -> Context:
    return Context(messages=[UserMessage([TextPart("what is this?"), *parts])])


def _body(model_id: str, context: Context) -> dict[str, Any]:
    models = catalog()
    model = models.find(model_id)
    assert model is not None
    takers = {w: [m.ref for m in models.models if w in m.input] for w in ("audio", "video")}
    return build_request(model, context, StreamOptions(), media_models=takers)


def test_the_catalog_says_which_models_take_audio_and_video() -> None:
    models = catalog()
    for row in TEXT_ROWS:
        caps = row["model_spec"].get("capabilities", {})
        model = models.find(row["id"])
        assert model is not None
        assert ("audio" in model.input) == bool(caps.get("supportsAudioInput")), row["id"]
        assert ("video" in model.input) == bool(caps.get("supportsVideoInput")), row["id"]
    bundled = load_bundle().find(AUDIO)  # offline too: the bundle knows
    assert bundled is not None and {"audio", "video"} <= set(bundled.input)


def test_audio_and_video_parts_are_sent_as_the_spec_names_them() -> None:
    audio = base64.b64encode(wav(b"hi")).decode()
    context = _turn(AudioPart(audio, "wav"), VideoPart("https://example.com/clip.mp4"))
    body = _body(AUDIO, context)
    assert body["messages"][0]["content"] == [
        {"type": "text", "text": "what is this?"},
        {"type": "input_audio", "input_audio": {"data": audio, "format": "wav"}},
        {"type": "video_url", "video_url": {"url": "https://example.com/clip.mp4"}},
    ]
    assert_valid_request(body)


@pytest.mark.parametrize(
    ("model_id", "part", "says"),
    [
        (TEXT_ONLY, AudioPart("AAAA", "mp3"), "does not accept audio input"),
        (VIDEO_ONLY, AudioPart("AAAA", "mp3"), "does not accept audio input"),
        (TEXT_ONLY, VideoPart("https://example.com/a.mp4"), "does not accept video input"),
    ],
    ids=["audio to text", "audio to a video model", "video to text"],
)
def test_media_a_model_does_not_take_is_refused_naming_those_that_do(
    model_id: str, part: Any, says: str
) -> None:
    with pytest.raises(RequestRefused) as caught:
        _body(model_id, _turn(part))
    message = str(caught.value)
    assert message.startswith(f"venice/{model_id} {says}; use a model that does: venice/")
    assert "venice/gemini-3-5-flash" in message and "\n" not in message


def test_more_than_three_videos_are_refused() -> None:
    videos = [VideoPart(f"https://example.com/{i}.mp4") for i in range(4)]
    with pytest.raises(RequestRefused, match=r"4 videos in one conversation; .* at most 3"):
        _body(AUDIO, _turn(*videos))


def test_one_pass_says_what_the_conversation_holds_first_images_then_audio_then_video() -> None:
    """The user-media checks run in one pass over the whole conversation (a 10,000-message
    turn re-sends all of it); which refusal a user sees stays as it was: images before audio
    or video anywhere in the conversation, then audio before video, then the video count."""
    image = ImagePart("AAAA", "image/png")
    video, audio = VideoPart("https://example.com/a.mp4"), AudioPart("AAAA", "mp3")
    mixed = Context(
        messages=[UserMessage([video, audio]), UserMessage("fine"), UserMessage([image])]
    )
    with pytest.raises(RequestRefused, match="does not accept images; use a vision model"):
        _body(TEXT_ONLY, mixed)
    with pytest.raises(RequestRefused, match="does not accept audio input"):
        _body(TEXT_ONLY, Context(messages=[UserMessage([video, audio])]))
    with pytest.raises(RequestRefused, match="does not accept video input"):
        _body(TEXT_ONLY, Context(messages=[UserMessage("hi"), UserMessage([video])]))
    five = [UserMessage([TextPart("clip"), video, video]) for _ in range(2)]
    five.append(UserMessage([video]))
    with pytest.raises(RequestRefused, match=r"5 videos in one conversation"):
        _body(AUDIO, Context(messages=five))


class MyImage(ImagePart):
    """A caller's own kind of image part (the request builder sends it as an image)."""


class MyVideo(VideoPart):
    """A caller's own kind of video part (the request builder sends it as a video)."""


@pytest.mark.parametrize(
    ("part", "refusal"),
    [
        (MyImage("AAAA", "image/png"), "does not accept images"),
        (MyVideo("https://example.com/a.mp4"), "does not accept video input"),
    ],
)
def test_a_subclassed_media_part_is_refused_as_its_kind_is(part: Any, refusal: str) -> None:
    """The refusal sees what the request would send: a part the builder sends as an image
    (or a video) to a text-only model is refused, as it was before the one-pass check
    (which looked parts up by their exact type: these went out, fail-open)."""
    with pytest.raises(RequestRefused, match=refusal):
        _body(TEXT_ONLY, _turn(part))


# -- files by their content ---------------------------------------------------------------------
def test_audio_files_are_told_by_content(tmp_path: Path) -> None:
    (tmp_path / "a.bin").write_bytes(MP3_HEAD + MP3_FRAME + b"x")
    assert AudioPart.from_file(tmp_path / "a.bin").format == "mp3"
    (tmp_path / "b.mp3").write_bytes(b"not audio at all, only text")
    with pytest.raises(UsageError, match="is not WAV, MP3, AAC, Ogg, FLAC or M4A audio"):
        AudioPart.from_file(tmp_path / "b.mp3")


def test_video_files_become_data_urls(tmp_path: Path) -> None:
    (tmp_path / "clip").write_bytes(MP4)
    part = VideoPart.from_file(tmp_path / "clip")
    assert part.url == "data:video/mp4;base64," + base64.b64encode(MP4).decode()
    (tmp_path / "clip.mp4").write_bytes(wav(b"sound"))
    with pytest.raises(UsageError, match="is not an MP4, MOV or WebM video"):
        VideoPart.from_file(tmp_path / "clip.mp4")


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.wav"
    with big.open("wb") as file:
        file.write(wav(b"x"))
        file.truncate(16 * 2**20)
    with pytest.raises(UsageError, match=r"audio .*big.wav is 16.0 MB, over the 15 MB limit"):
        AudioPart.from_file(big)


# -- through the CLI ----------------------------------------------------------------------------
def venice(server: LocalServer) -> dict[str, str]:
    def respond(request: Request) -> Reply | None:
        if request.path.endswith("/models"):
            wanted = request.query.get("type", ["text"])[0]
            return json_reply({"object": "list", "data": [r for r in SNAPSHOT
                                                          if r["type"] == wanted]})  # fmt: skip
        return venice_wire.stream_reply(venice_wire.text_stream("A dog barking."))

    server.respond(respond)
    return {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}


def chats(server: LocalServer) -> list[dict[str, Any]]:
    return [r.json() for r in server.requests if r.path.endswith("/chat/completions")]


def test_chat_attaches_audio_and_video(server: LocalServer, tmp_path: Path) -> None:
    memo, clip = tmp_path / "memo.wav", tmp_path / "clip.mp4"
    memo.write_bytes(wav(b"woof"))
    clip.write_bytes(MP4)
    result = run_cli(
        "chat", "-m", f"venice/{AUDIO}", "--audio", str(memo), "--video", str(clip),
        "--video", "https://example.com/b.webm", "what is this?", env=venice(server),
    )  # fmt: skip
    assert result.code == 0, result.output
    assert result.stdout == "A dog barking.\n"
    (body,) = chats(server)
    kinds = [p["type"] for p in body["messages"][-1]["content"]]
    assert kinds == ["text", "input_audio", "video_url", "video_url"]
    audio = body["messages"][-1]["content"][1]["input_audio"]
    assert base64.b64decode(audio["data"]) == memo.read_bytes() and audio["format"] == "wav"


def test_chat_refuses_audio_for_a_model_without_it_before_sending(
    server: LocalServer, tmp_path: Path
) -> None:
    memo = tmp_path / "memo.mp3"
    memo.write_bytes(MP3_HEAD + MP3_FRAME)
    result = run_cli("chat", "-m", f"venice/{VIDEO_ONLY}", "--audio", str(memo), "hi",
                     env=venice(server))  # fmt: skip
    assert result.code == 1
    (line,) = result.stderr.strip().splitlines()[-1:]
    assert line.startswith(f"Error: venice/{VIDEO_ONLY} does not accept audio input; use a ")
    assert "venice/gemini-3-5-flash" in line
    assert chats(server) == []


def test_chat_refuses_a_file_that_is_no_audio_before_anything(
    server: LocalServer, tmp_path: Path
) -> None:
    fake = tmp_path / "memo.wav"
    fake.write_text("I am text")
    result = run_cli("chat", "-m", f"venice/{AUDIO}", "--audio", str(fake), "hi",
                     env=venice(server))  # fmt: skip
    assert result.code != 0
    assert result.stderr.strip() == (
        f"Error: {fake} is not WAV, MP3, AAC, Ogg, FLAC or M4A audio; convert it to one of those"
    )
    assert server.requests == []


def test_a_plain_http_video_url_is_refused(server: LocalServer) -> None:
    result = run_cli("chat", "-m", f"venice/{AUDIO}", "--video", "http://example.com/a.mp4",
                     "hi", env=venice(server))  # fmt: skip
    assert result.code != 0 and "a video URL must be https" in result.stderr
    assert server.requests == []
