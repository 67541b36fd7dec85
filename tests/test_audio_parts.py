"""The pure parts of speech and transcription (issue 25, item 1): long text cut at sentences
under the spec's 4096-character limit, answers joined into one playable file (a WAV's lengths
fixed, or "unknown" on a pipe), the request checked against the model before anything is sent,
the transcription form and answer."""

from __future__ import annotations

import io
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openclaw_venice.audio.joining import UNKNOWN_LENGTH, AudioJoiner
from openclaw_venice.audio.speech import MAX_INPUT, plan_speech
from openclaw_venice.audio.text_parts import split_text
from openclaw_venice.audio.transcription import parse_transcript, transcription_form
from openclaw_venice.errors import RequestRefused, StreamFormatError, UsageError
from openclaw_venice.runtime.audio import (
    SpeechRequest,
    TranscriptionRequest,
    audio_type,
    video_type,
)
from openclaw_venice.runtime.media import MediaModel
from tests.support import openapi
from tests.support.venice_audio import TIMESTAMPS, wav, wav_parts

KOKORO = MediaModel(
    "tts-kokoro", "Kokoro", "venice", "tts", "private",
    {"voices": ["af_sky", "am_adam"], "supported_formats": ["mp3", "wav", "flac"],
     "default_format": "mp3"},
    (), {"input": {"usd": 3.5, "diem": 3.5}},
)  # fmt: skip
PARAKEET = MediaModel(
    "nvidia/parakeet-tdt-0.6b-v3", "Parakeet", "venice", "asr", "private", {}, (),
    {"per_audio_second": {"usd": 0.0001, "diem": 0.0001}},
)  # fmt: skip


# -- long text --------------------------------------------------------------------------------
def test_the_limit_is_the_spec_s() -> None:
    schema = openapi.schema("CreateSpeechRequestSchema")
    assert schema["properties"]["input"]["maxLength"] == MAX_INPUT == 4096


def test_text_that_fits_is_one_part() -> None:
    assert split_text("  Hello there.  ", 4096) == ["Hello there."]
    assert split_text(" \n ", 4096) == []


def test_long_text_is_cut_at_sentence_ends() -> None:
    text = "One two three. Four five six! Seven eight nine? Ten."
    assert split_text(text, 30) == ["One two three. Four five six!", "Seven eight nine? Ten."]


def test_a_sentence_longer_than_the_limit_is_cut_at_a_space() -> None:
    assert split_text("aaaa bbbb cccc dddd. Next.", 10) == ["aaaa bbbb", "cccc dddd.", "Next."]
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_cjk_full_stops_end_sentences_without_a_space() -> None:
    stops = "\u3002\uff01\uff1f"  # the CJK full stop, exclamation and question marks
    text = f"\u4f60\u597d{stops[0]}\u4e16\u754c{stops[1]}\u518d\u89c1{stops[2]}"
    assert split_text(text, 4) == [text[0:3], text[3:6], text[6:9]]


@given(
    st.lists(
        st.text(alphabet="ab .!?\n", min_size=1, max_size=40), min_size=1, max_size=60
    ).map(" ".join),
    st.integers(min_value=1, max_value=50),
)
def test_parts_are_under_the_limit_and_lose_nothing(text: str, limit: int) -> None:
    parts = split_text(text, limit)
    assert all(0 < len(p) <= limit for p in parts)
    assert re.sub(r"\s", "", "".join(parts)) == re.sub(r"\s", "", text)


# -- joining answers --------------------------------------------------------------------------
def _join(answers: list[bytes], audio_format: str, sink: io.BytesIO, step: int = 5) -> bytes:
    joiner = AudioJoiner(sink, audio_format, len(answers))
    for answer in answers:
        joiner.start()
        for at in range(0, len(answer), step):  # the network cuts anywhere, headers included
            joiner.write(answer[at : at + step])
    joiner.finish()
    return sink.getvalue()


def test_joined_wav_parts_make_one_wav_with_its_lengths_fixed() -> None:
    answers = [wav(b"first!", extra_chunk=b"INFOtest"), wav(b"second"), wav(b"3rd!")]
    whole = _join(answers, "wav", io.BytesIO())
    riff, size, data = wav_parts(whole)
    assert data == b"first!second3rd!"
    assert (riff, size) == (len(whole) - 8, len(data))


class _Pipe(io.BytesIO):
    def seekable(self) -> bool:
        return False


def test_joined_wav_on_a_pipe_says_its_lengths_are_unknown() -> None:
    whole = _join([wav(b"ab"), wav(b"cd")], "wav", _Pipe())
    riff, size, data = wav_parts(whole)
    assert (riff, size, data) == (UNKNOWN_LENGTH, UNKNOWN_LENGTH, b"abcd")


def test_one_wav_part_is_written_as_it_came() -> None:
    answer = wav(b"only one")
    assert _join([answer], "wav", _Pipe()) == answer


def test_mp3_parts_are_joined_as_they_came() -> None:
    answers = [b"ID3\x04\x00" + b"x" * 20, b"\xff\xfb\x90\x00" + b"y" * 9]
    assert _join(answers, "mp3", io.BytesIO()) == b"".join(answers)


def test_a_wav_part_that_is_no_wav_is_refused() -> None:
    from openclaw_venice.audio.joining import NotWav

    with pytest.raises(NotWav):
        _join([wav(b"ok"), b"ID3 not a wav at all"], "wav", io.BytesIO())


# -- checked before sending -------------------------------------------------------------------
def test_a_plan_sends_the_voice_and_format_and_prices_the_characters() -> None:
    plan = plan_speech(SpeechRequest("Hello there.", voice="am_adam", format="wav"), KOKORO)
    assert plan.bodies() == [
        {"model": "tts-kokoro", "response_format": "wav", "voice": "am_adam",
         "input": "Hello there."}
    ]  # fmt: skip
    quote = plan.quote()
    assert (quote.characters, quote.parts, quote.price) == (12, 1, round(3.5 * 12 / 1e6, 10))
    assert quote.rate == "$3.5 per million characters"


def test_without_a_voice_the_spec_default_or_the_model_s_first_is_sent() -> None:
    assert plan_speech(SpeechRequest("Hi."), KOKORO).voice == "af_sky"
    xai = KOKORO._replace(id="tts-xai-v1", limits={"voices": ["ara", "eve"]})
    assert plan_speech(SpeechRequest("Hi."), xai).voice == "ara"
    assert plan_speech(SpeechRequest("Hi."), KOKORO._replace(limits={})).voice is None


def test_without_a_format_the_model_s_default_is_sent() -> None:
    assert plan_speech(SpeechRequest("Hi."), KOKORO).format == "mp3"
    wav_only = KOKORO._replace(limits={"supported_formats": ["wav"], "default_format": "wav"})
    assert plan_speech(SpeechRequest("Hi."), wav_only).format == "wav"


@pytest.mark.parametrize(
    ("request_", "error", "says"),
    [
        (SpeechRequest("Hi", voice="Af_Sky"), RequestRefused, "did you mean af_sky"),
        (SpeechRequest("Hi", voice="nobody"), RequestRefused, "its voices: af_sky, am_adam"),
        (SpeechRequest("Hi", format="opus"), RequestRefused, "no opus output; use one of mp3"),
        (SpeechRequest("Hi", format="ogg"), UsageError, "use one of mp3, opus"),  # type: ignore[arg-type]
        (SpeechRequest("Hi", speed=5.0), UsageError, "between 0.25 and 4"),
        (SpeechRequest("Hi", language="e"), UsageError, "2 to 32 characters"),
        (SpeechRequest("Hi", instructions="x" * 501), UsageError, "1 to 500 characters"),
        (SpeechRequest("  "), UsageError, "empty"),
        (SpeechRequest("a. " * 2000, format="flac"), RequestRefused, "cannot be joined"),
    ],
    ids=["voice case", "unknown voice", "format of another model", "no such format",
         "speed", "language", "style prompt", "blank", "long flac"],
)
def test_what_the_model_does_not_take_is_refused_before_sending(
    request_: SpeechRequest, error: type[Exception], says: str
) -> None:
    with pytest.raises(error, match=re.escape(says)):
        plan_speech(request_, KOKORO)


def test_a_cloned_voice_handle_passes() -> None:
    assert plan_speech(SpeechRequest("Hi", voice="vv_abc123"), KOKORO).voice == "vv_abc123"


def test_long_text_is_several_bodies_each_valid_for_the_spec() -> None:
    from jsonschema import Draft7Validator

    text = "This sentence is here to be long enough. " * 300  # ~12,300 characters
    plan = plan_speech(SpeechRequest(text, format="wav", speed=1.25, language="en"), KOKORO)
    bodies = plan.bodies()
    assert len(bodies) == 4 and plan.quote().parts == 4
    validator = Draft7Validator(openapi.schema("CreateSpeechRequestSchema"))
    for body in bodies:
        assert list(validator.iter_errors(body)) == []
        assert body["input"].endswith(".") and len(body["input"]) <= 4096


# -- files by their content -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (wav(b"x"), "audio/wav"),
        (b"fLaC\x00\x00\x00\x22", "audio/flac"),
        (b"ID3\x04\x00\x00", "audio/mpeg"),
        (b"\xff\xfb\x90\x00", "audio/mpeg"),
        (b"\xff\xf1\x50\x80", "audio/aac"),
        (b"OggS\x00\x02", "audio/ogg"),
        (b"\x1a\x45\xdf\xa3\x01", "audio/webm"),
        (b"\x00\x00\x00\x20ftypM4A ", "audio/mp4"),
        (b"\x89PNG\r\n\x1a\n", None),
        (b"just some text", None),
        (b"", None),
    ],
    ids=["wav", "flac", "mp3 id3", "mp3 frame", "aac adts", "ogg", "webm", "m4a", "png",
         "text", "empty"],
)
def test_audio_is_told_by_its_first_bytes(head: bytes, mime: str | None) -> None:
    assert audio_type(head[:16]) == mime


def test_video_is_told_by_its_first_bytes() -> None:
    assert video_type(b"\x00\x00\x00\x18ftypisom") == "video/mp4"
    assert video_type(b"\x00\x00\x00\x14ftypqt  ") == "video/quicktime"
    assert video_type(b"\x1a\x45\xdf\xa3") == "video/webm"
    assert video_type(b"RIFF\x00\x00\x00\x00AVI ") == "video/x-msvideo"
    assert video_type(wav(b"x")[:16]) is None


# -- transcription ----------------------------------------------------------------------------
def test_the_form_holds_the_file_and_the_fields() -> None:
    audio = wav(b"spoken words")
    request = TranscriptionRequest(audio, 'my "memo"\r\n.wav', "audio/wav", None, "en", True)
    body, content_type = transcription_form(request, PARAKEET, boundary="BOUNDARY")
    assert content_type == "multipart/form-data; boundary=BOUNDARY"
    assert b'name="model"\r\n\r\nnvidia/parakeet-tdt-0.6b-v3\r\n' in body
    assert b'name="timestamps"\r\n\r\ntrue\r\n' in body
    assert b'name="language"\r\n\r\nen\r\n' in body
    assert b'filename="my _memo___.wav"\r\nContent-Type: audio/wav\r\n\r\n' + audio in body
    assert body.endswith(b"\r\n--BOUNDARY--\r\n")


def test_a_file_that_is_not_audio_is_refused_before_the_form_is_made() -> None:
    request = TranscriptionRequest(b"%PDF-1.7 not audio", "talk.mp3", "audio/mpeg")
    with pytest.raises(UsageError, match=r"talk\.mp3 is not audio"):
        transcription_form(request, PARAKEET)


def test_the_answer_with_timestamps_and_its_cost() -> None:
    payload = {"text": "Hello there. This is a test.", "duration": 2.5, "timestamps": TIMESTAMPS}
    transcript = parse_transcript(json.loads(json.dumps(payload)), PARAKEET, "ray-1")
    assert transcript.text == "Hello there. This is a test."
    assert [s.text for s in transcript.segments] == ["Hello there.", "This is a test."]
    assert transcript.words[1].to_json() == {"text": "there.", "start": 0.4, "end": 0.9}
    assert (transcript.duration, transcript.price, transcript.request_id) == (
        2.5, 0.00025, "ray-1"
    )


@pytest.mark.parametrize("payload", [[], {"txt": "x"}, {"text": 5}, "text"])
def test_an_answer_without_text_is_malformed(payload: object) -> None:
    with pytest.raises(StreamFormatError, match="transcription answer is malformed") as caught:
        parse_transcript(payload, PARAKEET, "ray-2")
    assert caught.value.request_id == "ray-2"


def _flac(sample_rate: int, total: int) -> bytes:
    """A FLAC header: the marker and a STREAMINFO block (sample rate 20 bits, 2 channels,
    16 bits a sample, ``total`` samples in 36 bits), as the FLAC format lays it out."""
    info = (sample_rate << 44) | (1 << 41) | (15 << 36) | total
    streaminfo = b"\x10\x00\x10\x00" + b"\x00" * 6 + info.to_bytes(8, "big") + b"\x00" * 16
    return b"fLaC" + b"\x80\x00\x00\x22" + streaminfo  # last block, STREAMINFO, 34 bytes


def test_audio_length_from_the_header() -> None:
    from openclaw_venice.runtime.audio import audio_seconds

    assert audio_seconds(wav(b"\x00" * 48000, rate=24000)) == 1.0  # 16-bit mono: 48000 B/s
    assert audio_seconds(wav(b"\x00" * 12000, rate=24000, extra_chunk=b"INFOabcd")) == 0.25
    assert audio_seconds(_flac(44100, 441000)) == 10.0
    assert audio_seconds(b"ID3\x04\x00" + b"\x00" * 100) is None  # MP3 says nothing cheaply
    assert audio_seconds(wav(b"")[:20]) is None  # cut before its data chunk


@given(st.sampled_from([b"RIFF\x00\x00\x00\x00WAVE", b"fLaC"]), st.binary(max_size=80))
def test_any_header_gives_a_length_or_none_never_an_error(marker: bytes, rest: bytes) -> None:
    from openclaw_venice.runtime.audio import audio_seconds

    seconds = audio_seconds(marker + rest)
    assert seconds is None or seconds >= 0


def test_a_transcription_is_priced_before_sending() -> None:
    from openclaw_venice.audio.transcription import quote_transcription

    audio = wav(b"\x00" * 48000 * 3, rate=24000)  # 3 s
    quote = quote_transcription(TranscriptionRequest(audio, "a.wav", "audio/wav"), PARAKEET)
    assert (quote.seconds, quote.price, quote.rate) == (3.0, 0.0003, "$0.0001 per second of audio")
    mp3 = b"ID3\x04\x00" + b"\x00" * 100
    unknown = quote_transcription(TranscriptionRequest(mp3, "a.mp3", "audio/mpeg"), PARAKEET)
    assert (unknown.seconds, unknown.price) == (None, None)
    assert unknown.rate == "$0.0001 per second of audio"
