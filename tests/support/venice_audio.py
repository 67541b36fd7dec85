"""Venice's speech and transcription answers, written by hand for tests in the shapes of
Venice's spec (``/audio/speech`` answers audio bytes of the asked ``response_format``;
``/audio/transcriptions`` JSON with ``text``, ``duration`` and, when asked, ``timestamps``),
the ``/models?type=tts|asr`` rows they come from (ids, voices and prices from Venice's
2026-08 snapshot, ``tests/data/venice-api/static-models-2026-08.json``; ``supported_formats``
and ``default_format`` as the spec's ModelResponse documents them), and a responder."""

from __future__ import annotations

import json
import struct
from collections.abc import Callable, Iterator
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from tests.support.server import Reply, Request, json_reply
from tests.support.venice_extras import venice_extras

REQUEST_ID = "5c4b3a29180f-LHR"
KOKORO_VOICES = ["af_alloy", "af_bella", "af_sky", "am_adam", "bf_emma"]
TTS_ROWS = [
    {
        "id": "tts-kokoro",
        "type": "tts",
        "object": "model",
        "owned_by": "venice.ai",
        "model_spec": {
            "name": "Kokoro Text to Speech",
            "privacy": "private",
            "pricing": {"input": {"usd": 3.5, "diem": 3.5}},
            "traits": [],
            "voices": KOKORO_VOICES,
            "supported_formats": ["mp3", "opus", "aac", "flac", "wav", "pcm"],
            "default_format": "mp3",
        },
    },
    {
        "id": "tts-xai-v1",
        "type": "tts",
        "object": "model",
        "owned_by": "venice.ai",
        "model_spec": {
            "name": "xAI TTS v1",
            "privacy": "anonymized",
            "pricing": {"input": {"usd": 18.75, "diem": 18.75}},
            "traits": [],
            "voices": ["ara", "eve", "rex"],
            "supported_formats": ["mp3", "wav"],
            "default_format": "wav",
        },
    },
]
ASR_ROWS = [
    {
        "id": "nvidia/parakeet-tdt-0.6b-v3",
        "type": "asr",
        "object": "model",
        "owned_by": "venice.ai",
        "model_spec": {
            "name": "Parakeet ASR",
            "privacy": "private",
            "pricing": {"per_audio_second": {"usd": 0.0001, "diem": 0.0001}},
            "traits": [],
        },
    },
    {
        "id": "openai/whisper-large-v3",
        "type": "asr",
        "object": "model",
        "owned_by": "venice.ai",
        "model_spec": {
            "name": "Whisper Large V3",
            "privacy": "private",
            "pricing": {"per_audio_second": {"usd": 0.0001, "diem": 0.0001}},
            "traits": [],
        },
    },
]

MP3_HEAD = b"ID3\x04\x00\x00\x00\x00\x00\x00"
MP3_FRAME = b"\xff\xfb\x90\x00"


def wav(data: bytes, rate: int = 24000, extra_chunk: bytes = b"") -> bytes:
    """A PCM 16-bit mono WAV holding ``data`` (padded to whole samples); ``extra_chunk``: a
    ``LIST`` chunk before ``data`` (what some encoders write)."""
    if len(data) % 2:
        data += b"\x00"
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt
    if extra_chunk:
        chunks += b"LIST" + struct.pack("<I", len(extra_chunk)) + extra_chunk
        chunks += b"\x00" * (len(extra_chunk) & 1)
    chunks += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def wav_parts(whole: bytes) -> tuple[int, int, bytes]:
    """(RIFF length, data length, data) of a WAV file (one ``fmt `` chunk, optional others)."""
    assert whole[:4] == b"RIFF" and whole[8:12] == b"WAVE", whole[:16]
    riff = struct.unpack("<I", whole[4:8])[0]
    at = 12
    while at + 8 <= len(whole):
        name, size = whole[at : at + 4], struct.unpack("<I", whole[at + 4 : at + 8])[0]
        if name == b"data":
            return riff, size, whole[at + 8 :]
        at += 8 + size + (size & 1)
    raise AssertionError("no data chunk")


def audio_of(text: str, audio_format: str) -> bytes:
    """What the fake speaks for ``text``: the text's bytes inside the format's framing, so
    the order of joined parts shows in the file."""
    data = text.encode()
    if audio_format == "wav":
        return wav(data, extra_chunk=b"INFOISFT\x05\x00\x00\x00test\x00")
    if audio_format == "mp3":
        return MP3_HEAD + MP3_FRAME + data
    if audio_format == "opus":
        return b"OggS\x00\x02" + b"\x00" * 20 + data
    if audio_format == "flac":
        return b"fLaC\x00\x00\x00\x22" + data
    if audio_format == "aac":
        return b"\xff\xf1\x50\x80" + data
    return data  # pcm


def pieces(data: bytes, size: int = 7) -> Iterator[bytes]:
    """``data`` in small network writes (the answer streams)."""
    for at in range(0, len(data), size):
        yield data[at : at + size]


def speech_answer(request: Request) -> Reply:
    body = request.json()
    audio_format = body.get("response_format", "mp3")
    mime = {"mp3": "audio/mpeg", "wav": "audio/wav"}.get(audio_format, f"audio/{audio_format}")
    return Reply(
        200, pieces(audio_of(body["input"], audio_format)),
        {"Content-Type": mime, "CF-RAY": REQUEST_ID},
    )  # fmt: skip


def form_fields(request: Request) -> dict[str, Any]:
    """A multipart form's fields: text values as str, files as (filename, type, bytes)."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.body)
    assert message.is_multipart(), "not a multipart body"
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        filename = part.get_filename()
        if filename is not None:
            fields[str(name)] = (filename, part.get_content_type(), payload)
        else:
            fields[str(name)] = payload.decode() if isinstance(payload, bytes) else payload
    return fields


TRANSCRIPT = "Hello there. This is a test."
TIMESTAMPS = {
    "word": [
        {"word": "Hello", "start": 0.0, "end": 0.4},
        {"word": "there.", "start": 0.4, "end": 0.9},
        {"word": "This", "start": 1.2, "end": 1.4},
        {"word": "is", "start": 1.4, "end": 1.5},
        {"word": "a", "start": 1.5, "end": 1.6},
        {"word": "test.", "start": 1.6, "end": 2.1},
    ],
    "segment": [
        {"text": "Hello there.", "start": 0.0, "end": 0.9},
        {"text": "This is a test.", "start": 1.2, "end": 2.1},
    ],
}


def transcription_answer(request: Request) -> Reply:
    fields = form_fields(request)
    payload: dict[str, Any] = {"text": TRANSCRIPT, "duration": 2.5}
    if fields.get("timestamps") == "true":
        payload["timestamps"] = TIMESTAMPS
    return json_reply(payload, headers={"CF-RAY": REQUEST_ID})


def venice_audio(
    speech: Callable[[Request], Reply | None] | None = None,
    transcription: Callable[[Request], Reply | None] | None = None,
) -> Callable[[Request], Reply | None]:
    """Serve ``/models?type=tts|asr``, ``/audio/speech`` and ``/audio/transcriptions`` (and
    what :func:`venice_extras` serves)."""
    others = venice_extras()

    def respond(request: Request) -> Reply | None:
        path = request.path
        if path.endswith("/models") and request.query.get("type", [""])[0] in ("tts", "asr"):
            kind = request.query["type"][0]
            rows = TTS_ROWS if kind == "tts" else ASR_ROWS
            return json_reply({"object": "list", "type": kind, "data": rows})
        if path.endswith("/audio/speech"):
            return (speech or speech_answer)(request)
        if path.endswith("/audio/transcriptions"):
            return (transcription or transcription_answer)(request)
        return others(request)

    return respond


def speech_bodies(requests: list[Request]) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in requests if r.path.endswith("/audio/speech")]
