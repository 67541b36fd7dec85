"""E2EE turns end to end against a fake enclave on 127.0.0.1 (tests/support/fake_enclave.py):
it attests with a TDX quote signed through a test Intel PKI, serves that PKI's collateral as
Intel's PCS would, opens what the client sealed with its own key and seals its answer to the
client's key, with the same primitives. The test root is passed as the trust anchor."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from openclaw_venice import errors
from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat import e2ee
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.chat.e2ee import TeeSettings
from openclaw_venice.chat.options import StreamOptions, VeniceOptions
from openclaw_venice.runtime.ai import (
    AssistantMessage,
    Context,
    ImagePart,
    StreamEvent,
    TextPart,
    Tool,
    UserMessage,
)
from openclaw_venice.tee import PcsEndpoints
from tests.support.attestation_edits import other_signing_key, quote_with, set_path
from tests.support.fake_enclave import FakeEnclave, enclave_chat
from tests.support.fake_nvidia import shared_nvidia
from tests.support.fake_tdx import TestPki
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer

pytest_plugins = ("tests.support.enclave_fixtures",)  # pki, enclave

MODEL = "venice/e2ee-qwen3-6-27b"
MODEL_ID = "e2ee-qwen3-6-27b"
PIXEL = (  # a 1x1 PNG
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture
def chat(server: LocalServer, pki: TestPki) -> Iterator[VeniceChat]:
    warnings: list[str] = []
    client = enclave_chat(server, pki, warn=warnings.append)
    client.warnings = warnings  # type: ignore[attr-defined]
    yield client
    client.close()


def ask(text: str = "What is 2+2?", system: str | None = "Be brief.") -> Context:
    return Context(system_prompt=system, messages=[UserMessage(text)])


async def collect(chat: VeniceChat, context: Context, **kw: Any) -> list[StreamEvent]:
    events = [e async for e in chat.stream(kw.pop("model", MODEL), context, StreamOptions(**kw))]
    await chat.aclose()
    return events


def turn(chat: VeniceChat, context: Context | None = None, **kw: Any) -> list[StreamEvent]:
    return asyncio.run(collect(chat, context or ask(), **kw))


def chats(server: LocalServer) -> list[Any]:
    return [r for r in server.requests if r.path.endswith("/chat/completions")]


def attestations(server: LocalServer) -> list[Any]:
    return [r for r in server.requests if r.path.endswith("/tee/attestation")]


def text_of(events: list[StreamEvent]) -> str:
    done = events[-1]
    assert done.type == "done", done.error
    assert done.message is not None
    return done.message.text


# -- it works end to end --------------------------------------------------------------------


def test_a_turn_is_attested_sealed_and_opened(
    chat: VeniceChat, enclave: FakeEnclave, server: LocalServer
) -> None:
    events = turn(chat)
    assert text_of(events) == "Hello from the enclave"
    deltas = "".join(e.delta or "" for e in events if e.type == "text_delta")
    assert deltas == "Hello from the enclave"  # each streamed delta opened, not only the end
    (attestation,) = attestations(server)
    nonce = attestation.query["nonce"][0]
    assert len(nonce) == 64 and int(nonce, 16) >= 0
    assert attestation.query["model"] == [MODEL_ID]
    assert attestation.headers["authorization"] == f"Bearer {CANARY}"
    (request,) = chats(server)
    assert request.headers["x-venice-tee-model-pub-key"] == enclave.key.public_hex
    assert request.headers["x-venice-tee-signing-algo"] == "ecdsa"
    assert len(request.headers["x-venice-tee-client-pub-key"]) == 130
    body = request.json()
    assert body["stream"] is True
    sent = {m["role"]: m["content"] for m in body["messages"]}
    for role in ("system", "user"):  # on the wire: hex packets, no plaintext
        assert all(c in "0123456789abcdef" for c in sent[role]) and len(sent[role]) > 190
    raw = request.body.decode()
    assert "What is 2+2?" not in raw and "Be brief." not in raw
    opened = {m["role"]: m["content"] for m in enclave.seen_plaintext[0]}
    assert opened == {"system": "Be brief.", "user": "What is 2+2?"}
    pcs_paths = {r.path for r in server.requests if "certification" in r.path or "Root" in r.path}
    assert "/tdx/certification/v4/tcb" in pcs_paths  # collateral fetched, from the stand-in


def is_packet(value: Any) -> bool:
    return isinstance(value, str) and len(value) > 190 and int(value, 16) >= 0


def test_every_role_is_sealed_and_the_first_turn_says_what_is_clear(
    chat: VeniceChat, enclave: FakeEnclave, server: LocalServer
) -> None:
    """Every message's text, whatever its role (the enclave proxy opens them all and refuses
    a clear one), the assistant's replayed reasoning too; one line says what is left clear."""
    from openclaw_venice.runtime.ai import ThinkingPart

    context = Context(
        system_prompt="sys",
        messages=[UserMessage("first"),
                  AssistantMessage((ThinkingPart("mulling"), TextPart("an answer")), "stop",
                                   model=MODEL_ID, provider="venice"),
                  UserMessage("second")],
    )  # fmt: skip
    events = turn(chat, context)
    sent = chats(server)[0].json()["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]
    assert all(is_packet(m["content"]) for m in sent)
    raw = chats(server)[0].body.decode()
    for text in ("sys", "first", "an answer", "mulling", "second"):
        assert f'"{text}"' not in raw
    assert [m["content"] for m in enclave.seen_plaintext[0]] == [
        "sys", "first", "an answer", "second"
    ]  # fmt: skip
    line = (
        f"{MODEL} (end-to-end encrypted): every message's text is sealed to the attested "
        "enclave; in the clear (TLS only): message roles, the model id and the request "
        "parameters"
    )
    assert [w for w in chat.warnings if "in the clear" in w] == [line]  # type: ignore[attr-defined]
    done = events[-1]
    assert done.message is not None and done.message.meta["notices"] == [line]
    second = turn(chat, ask("again"))  # said once per session
    assert second[-1].message is not None and "notices" not in second[-1].message.meta
    assert [w for w in chat.warnings if "in the clear" in w] == [line]  # type: ignore[attr-defined]


def test_replayed_reasoning_is_sealed_too(
    chat: VeniceChat, enclave: FakeEnclave, server: LocalServer
) -> None:
    from openclaw_venice.runtime.ai import ThinkingPart

    context = Context(messages=[
        UserMessage("first"),
        AssistantMessage((ThinkingPart("mulling it over"), TextPart("ok")), "stop",
                         model="e2ee-qwen3-6-27b", provider="venice"),
        UserMessage("second"),
    ])  # fmt: skip
    text_of(turn(chat, context))
    assistant = chats(server)[0].json()["messages"][1]
    assert is_packet(assistant["reasoning_content"])
    assert "mulling it over" not in chats(server)[0].body.decode()
    assert enclave.seen_plaintext[0][1]["reasoning_content"] == "mulling it over"


def test_earlier_tool_calls_are_named_as_sent_in_the_clear(
    chat: VeniceChat, enclave: FakeEnclave, server: LocalServer
) -> None:
    from openclaw_venice.runtime.ai import ToolCallPart, ToolResultMessage

    context = Context(messages=[
        UserMessage("weather?"),
        AssistantMessage((ToolCallPart("call_1", "get_weather", {"city": "Oslo"}),), "toolUse"),
        ToolResultMessage("call_1", "get_weather", (TextPart("rain"),)),
        UserMessage("and now?"),
    ])  # fmt: skip
    text_of(turn(chat, context))
    sent = chats(server)[0].json()["messages"]
    tool = next(m for m in sent if m["role"] == "tool")
    assert is_packet(tool["content"])  # the tool's result is sealed
    assert [w for w in chat.warnings if "in the clear" in w] == [  # type: ignore[attr-defined]
        f"{MODEL} (end-to-end encrypted): every message's text is sealed to the attested "
        "enclave; in the clear (TLS only): 1 earlier tool call (names and arguments), message "
        "roles, the model id and the request parameters"
    ]


# -- verification fails closed: no chat request is sent ------------------------------------


def gpu_nonce(doc: dict[str, Any]) -> None:
    doc["nvidia_payload"] = json.dumps({"nonce": "00" * 32})


FAILURES: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "model": (set_path("model", value="e2ee-other"), "model"),
    "nonce": (set_path("nonce", value="ab" * 32), "nonce"),
    "quote_format": (set_path("intel_quote", value="00" * 700), "quote_format"),
    "debug_off": (quote_with(48 + 120, xor=1), "debug_off"),
    "reportdata_key": (other_signing_key, "reportdata_key"),
    "reportdata_nonce": (quote_with(48 + 560, xor=1), "reportdata_nonce"),
    "signing_key": (set_path("signing_key", value="04" + "22" * 64), "signing_key"),
    "gpu_nonce": (gpu_nonce, "gpu_nonce"),
    "quote_signature": (quote_with(640, xor=1), "quote_signature"),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_each_failed_check_stops_the_turn_before_any_chat_request(
    case: str, chat: VeniceChat, enclave: FakeEnclave, server: LocalServer
) -> None:
    enclave.mutate, check = FAILURES[case]
    events = turn(chat)
    assert [e.type for e in events] == ["error"]
    error = events[0].error
    assert isinstance(error, errors.AttestationError)
    message = str(error)
    assert f"attestation check '{check}' failed" in message
    assert "\n" not in message and "nothing was sent" in message
    assert check in {c.name for c in error.report.failures()}  # type: ignore[attr-defined]
    assert chats(server) == []


def test_a_revoked_platform_fails_closed(
    server: LocalServer, pki: TestPki, chat: VeniceChat
) -> None:
    fake = FakeEnclave(pki, tcb_status="Revoked")
    fake.install(server)
    events = turn(chat)
    assert isinstance(events[0].error, errors.AttestationError)
    assert "Revoked" in str(events[0].error)
    assert chats(server) == []


def test_an_out_of_date_platform_fails_closed_by_default(
    server: LocalServer, pki: TestPki, chat: VeniceChat
) -> None:
    FakeEnclave(pki, tcb_status="OutOfDate").install(server)
    events = turn(chat)
    assert isinstance(events[0].error, errors.AttestationError)
    assert "'tcb_status' failed: OutOfDate is not accepted" in str(events[0].error)
    assert chats(server) == []


def test_accepting_out_of_date_passes_with_one_warning(server: LocalServer, pki: TestPki) -> None:
    FakeEnclave(pki, tcb_status="OutOfDate").install(server)
    warnings: list[str] = []
    env = {"VENICE_TEE_ACCEPT_TCB": "OutOfDate", "VENICE_TEE_PCS_URL": server.url}
    tee = dataclasses.replace(
        TeeSettings.from_env(env),
        root_ca_der=pki.root_der,
        nvidia_root_sha256=shared_nvidia().root_sha256,
    )
    with VeniceChat(
        CANARY,
        base_url=server.url + "/api/v1",
        catalog=load_bundle(),
        warn=warnings.append,
        tee=tee,
    ) as c:
        assert text_of(turn(c)) == "Hello from the enclave"
    assert [w for w in warnings if "TCB" in w] == [f"{MODEL_ID} enclave: TCB status OutOfDate"]


def test_intels_and_nvidias_roots_are_the_default_trust_anchors(
    server: LocalServer, enclave: FakeEnclave
) -> None:
    tee = TeeSettings(pcs=PcsEndpoints(server.url, server.url))  # no test roots
    with VeniceChat(
        CANARY, base_url=server.url + "/api/v1", catalog=load_bundle(), warn=lambda m: None, tee=tee
    ) as c:
        events = turn(c)
    error = events[0].error
    assert isinstance(error, errors.AttestationError)
    failed = {check.name: check.detail for check in error.report.failures()}  # type: ignore[attr-defined]
    assert set(failed) == {"quote_signature", "tcb_status", "workload", "gpus"}
    assert failed["gpus"] == "GPU 0: the chain does not end in NVIDIA's Device Identity root"
    assert chats(server) == []


# -- sessions and keys ----------------------------------------------------------------------


@pytest.fixture
def made_keys(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every client key pair the turns make, to look for their secrets afterwards."""
    from openclaw_venice.tee import keys

    made: list[Any] = []

    class Recorded(keys.ClientKey):
        __slots__ = ()

        def __init__(self, scalar: bytes | None = None) -> None:
            super().__init__(scalar)
            made.append(self)

    monkeypatch.setattr(keys, "ClientKey", Recorded)
    return made


def secret_of(key: Any) -> bytes:
    secret: bytes = key._private.secret
    return secret


def test_a_fresh_key_pair_for_every_request_and_attestation_reuse(
    chat: VeniceChat, enclave: FakeEnclave, server: LocalServer, made_keys: list[Any]
) -> None:
    text_of(turn(chat))
    text_of(turn(chat))
    assert len(attestations(server)) == 1  # reused for the same model, within the TTL
    first, second = (r.headers["x-venice-tee-client-pub-key"] for r in chats(server))
    assert first != second
    assert [k.public_hex for k in made_keys] == [first, second]
    assert len({secret_of(k) for k in made_keys}) == 2


def test_a_server_replaying_one_turns_answer_as_the_next_ones_is_caught(
    chat: VeniceChat, enclave: FakeEnclave, server: LocalServer
) -> None:
    """The attack a key pair per process allowed: the server keeps turn 1's sealed chunks
    and streams them again as the answer to turn 2. They were sealed to turn 1's key."""
    from tests.support.server import Reply

    recorded: list[Reply] = []

    def replaying(request: Any) -> Reply:
        if not recorded:
            reply = enclave.chat(request)
            recorded.append(Reply(reply.status, b"".join(reply.body), reply.headers))
        return recorded[0]

    enclave.install(server, chat=replaying)
    assert text_of(turn(chat, ask("What is 2+2?"))) == "Hello from the enclave"
    events = turn(chat, ask("And 3+3?"))
    assert events[-1].type == "error"
    assert isinstance(events[-1].error, errors.E2EEError)
    assert "did not open" in str(events[-1].error)
    assert "".join(e.delta or "" for e in events if e.type == "text_delta") == ""
    assert len(chats(server)) == 2


def test_attestation_is_not_reused_for_another_model_or_after_the_ttl(
    chat: VeniceChat, enclave: FakeEnclave, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    text_of(turn(chat))
    text_of(turn(chat, model="venice/e2ee-glm-5-1"))
    assert [r.query["model"][0] for r in attestations(server)] == [MODEL_ID, "e2ee-glm-5-1"]
    monkeypatch.setattr(e2ee, "ATTESTATION_TTL", 0.0)
    text_of(turn(chat))
    assert len(attestations(server)) == 3
    nonces = {r.query["nonce"][0] for r in attestations(server)}
    assert len(nonces) == 3  # a fresh nonce each time


def test_the_request_keys_are_in_no_repr(
    chat: VeniceChat, enclave: FakeEnclave, made_keys: list[Any]
) -> None:
    text_of(turn(chat))
    (key,) = made_keys
    private = int.from_bytes(secret_of(key), "big")  # the secret itself
    state = chat.e2ee_state()
    for shown in (repr(chat), repr(state), repr(key), str(state.enclaves)):
        assert str(private) not in shown and f"{private:x}" not in shown
    assert CANARY not in repr(chat)


def test_failed_to_decrypt_reattests_once_and_retries_before_any_output(
    chat: VeniceChat, enclave: FakeEnclave, server: LocalServer
) -> None:
    enclave.fail_decrypt_times = 1
    events = turn(chat)
    assert text_of(events) == "Hello from the enclave"
    assert [e.type for e in events].count("start") == 1
    assert len(attestations(server)) == 2 and len(chats(server)) == 2


def test_failed_to_decrypt_twice_is_a_typed_error(
    chat: VeniceChat, enclave: FakeEnclave, server: LocalServer
) -> None:
    enclave.fail_decrypt_times = 5
    events = turn(chat)
    assert [e.type for e in events] == ["error"]
    assert isinstance(events[0].error, errors.E2EEDecryptError)
    assert "--no-e2ee" in str(events[0].error)
    assert len(attestations(server)) == 2 and len(chats(server)) == 2


@pytest.mark.parametrize(
    ("venice_says", "error_type", "advice"),
    [
        ("E2EE requires streaming", errors.E2EEStreamingRequiredError, "must stream"),
        ("TDX debug mode detected", errors.E2EEDebugModeError, "pick another e2ee model"),
        ("Invalid public key", errors.E2EEInvalidKeyError, "new key"),
    ],
)
def test_venices_e2ee_errors_are_typed(
    venice_says: str, error_type: type, advice: str, chat: VeniceChat, enclave: FakeEnclave,
    server: LocalServer,
) -> None:  # fmt: skip
    from tests.support.server import json_reply

    enclave.install(server, chat=lambda request: json_reply({"error": venice_says}, 400))
    events = turn(chat)
    assert isinstance(events[-1].error, error_type)
    assert advice in str(events[-1].error) and "\n" not in str(events[-1].error)


def test_an_answer_that_does_not_open_stops_the_turn(
    chat: VeniceChat, enclave: FakeEnclave, server: LocalServer
) -> None:
    from tests.support import venice_wire

    other = FakeEnclave(enclave.pki)  # seals to a key that is not ours
    sealed = other.key.public_hex
    from openclaw_venice.tee.keys import seal

    enclave.install(server, chat=lambda request: venice_wire.stream_reply(
        [venice_wire.chunk({"content": seal(bytes.fromhex(sealed), b"secret")}),
         venice_wire.chunk({}, "stop")]))  # fmt: skip
    events = turn(chat)
    assert events[-1].type == "error"
    assert isinstance(events[-1].error, errors.E2EEError)
    assert "did not open" in str(events[-1].error)
    assert all(e.delta is None for e in events if e.type == "text_delta")


# -- an E2EE answer holds only sealed text -------------------------------------------------


def answering(enclave: FakeEnclave, server: LocalServer, *deltas: dict[str, Any]) -> None:
    """The enclave answers with ``deltas``; a callable value is sealed to the request's key."""
    from openclaw_venice.tee.keys import seal
    from tests.support import venice_wire

    def reply(request: Any) -> Any:
        client = bytes.fromhex(request.headers["x-venice-tee-client-pub-key"])
        chunks = [venice_wire.chunk({"role": "assistant", "content": ""})]
        for delta in deltas:
            shown = {k: seal(client, v().encode()) if callable(v) else v for k, v in delta.items()}
            chunks.append(venice_wire.chunk(shown))
        chunks += [venice_wire.chunk({}, "stop")]
        return venice_wire.stream_reply(chunks)

    enclave.install(server, chat=reply)


SEALED_HI = {"content": lambda: "Hi"}
PLAIN_MODEL = "venice/e2ee-gemma-4-31b"  # (Qwen 3.6 holds text back as possible thinking)
REFUSED_ANSWERS: dict[str, tuple[dict[str, Any], str]] = {
    "list content": (
        {"content": [{"type": "text", "text": "injected"}]},
        "the enclave's answer carried content that is a list, not sealed text",
    ),
    "tool calls": (
        {"tool_calls": [{"index": 0, "function": {"name": "rm", "arguments": "{}"}}]},
        "the enclave's answer carried tool calls",
    ),
    "clear content": ({"content": "injected in the clear"}, "an encrypted answer did not open"),
}


@pytest.mark.parametrize("case", list(REFUSED_ANSWERS))
def test_an_answer_with_more_than_sealed_content_fails_the_turn(
    case: str, chat: VeniceChat, enclave: FakeEnclave, server: LocalServer
) -> None:
    delta, says = REFUSED_ANSWERS[case]
    answering(enclave, server, SEALED_HI, delta)
    events = turn(chat, model=PLAIN_MODEL)
    assert events[-1].type == "error"
    assert isinstance(events[-1].error, errors.E2EEError)
    assert str(events[-1].error).startswith(says)
    assert "nothing more is shown" in str(events[-1].error)
    shown = "".join(e.delta or "" for e in events if e.type in ("text_delta", "toolcall_delta"))
    assert shown == "Hi"  # what came before, sealed, was shown; nothing after it
    assert "injected" not in json.dumps([str(e) for e in events])


def test_clear_reasoning_is_dropped_with_one_line_and_sealed_reasoning_opens(
    chat: VeniceChat, enclave: FakeEnclave, server: LocalServer
) -> None:
    answering(
        enclave, server,
        {"reasoning_content": "clear thoughts"},
        {"reasoning": "more clear thoughts", "reasoning_details": [{"type": "x", "text": "x"}]},
        {"reasoning_content": lambda: "sealed thoughts"},
        SEALED_HI,
    )  # fmt: skip
    events = turn(chat)
    message = events[-1].message
    assert message is not None and events[-1].type == "done"
    assert message.thinking == "sealed thoughts" and message.text == "Hi"
    assert message.reasoning_details == ()
    assert [w for w in chat.warnings if "reasoning" in w] == [  # type: ignore[attr-defined]
        f"{MODEL}: reasoning sent in the clear, not sealed to this request's key: not shown"
    ]


def test_citations_in_the_clear_are_dropped(
    chat: VeniceChat, enclave: FakeEnclave, server: LocalServer
) -> None:
    from openclaw_venice.tee.keys import seal
    from tests.support import venice_wire

    def reply(request: Any) -> Any:
        client = bytes.fromhex(request.headers["x-venice-tee-client-pub-key"])
        first = venice_wire.chunk({"content": seal(client, b"Hi")})
        first["venice_search_results"] = [{"title": "injected", "url": "https://x.invalid"}]
        return venice_wire.stream_reply([first, venice_wire.chunk({}, "stop")])

    enclave.install(server, chat=reply)
    message = turn(chat)[-1].message
    assert message is not None and message.text == "Hi"
    assert "citations" not in message.meta


# -- gating -----------------------------------------------------------------------------------

WEATHER = Tool("get_weather", "Weather", {"type": "object", "properties": {}})


def test_tools_web_search_images_and_response_format_are_not_sent(
    chat: VeniceChat, enclave: FakeEnclave, server: LocalServer
) -> None:
    context = Context(
        messages=[UserMessage((TextPart("describe"), ImagePart(PIXEL, "image/png")))],
        tools=[WEATHER],
    )
    events = turn(chat, context, model="venice/e2ee-qwen3-vl-30b-a3b-p",
                  venice=VeniceOptions(web_search="on"),
                  response_schema={"type": "object"})  # fmt: skip
    text_of(events)
    body = chats(server)[0].json()
    assert "tools" not in body and "response_format" not in body
    assert not any(k.startswith("enable_web") for k in body["venice_parameters"])
    assert body["venice_parameters"]["include_venice_system_prompt"] is False
    assert isinstance(body["messages"][0]["content"], str)  # text only, sealed
    assert enclave.seen_plaintext[0][0]["content"] == "describe"
    dropped = [w for w in chat.warnings if "not sent" in w]  # type: ignore[attr-defined]
    assert dropped == [
        "venice/e2ee-qwen3-vl-30b-a3b-p (end-to-end encrypted): not sent: tools, web search, "
        "images, response_format"
    ]


def test_a_non_streamed_call_streams_anyway(
    chat: VeniceChat, enclave: FakeEnclave, server: LocalServer
) -> None:
    message = chat.complete_sync(MODEL, ask(), stream=False)
    assert message.text == "Hello from the enclave"
    assert chats(server)[0].json()["stream"] is True


def test_tee_only_mode_attests_and_sends_in_the_clear(
    chat: VeniceChat, enclave: FakeEnclave, server: LocalServer
) -> None:
    from tests.support import venice_wire

    enclave.install(server, chat=lambda r: venice_wire.stream_reply(
        venice_wire.text_stream("clear answer")))  # fmt: skip
    events = turn(chat, e2ee=False)
    assert text_of(events) == "clear answer"
    assert len(attestations(server)) == 1  # still verified first
    request = chats(server)[0]
    assert not any(h.startswith("x-venice-tee") for h in request.headers)
    body = request.json()
    assert body["venice_parameters"]["enable_e2ee"] is False
    assert {m["content"] for m in body["messages"]} == {"Be brief.", "What is 2+2?"}
    assert any("TEE-only mode" in w and "in the clear" in w for w in chat.warnings)  # type: ignore[attr-defined]


def test_tee_only_mode_still_fails_closed(
    chat: VeniceChat, enclave: FakeEnclave, server: LocalServer
) -> None:
    enclave.mutate = set_path("nonce", value="00" * 32)
    events = turn(chat, e2ee=False)
    assert isinstance(events[0].error, errors.AttestationError)
    assert chats(server) == []


def test_the_request_key_is_never_written(
    chat: VeniceChat, enclave: FakeEnclave, tmp_path: Path, made_keys: list[Any]
) -> None:
    text_of(turn(chat))
    (key,) = made_keys
    secret_raw = secret_of(key)
    secret_hex = secret_raw.hex().encode()
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name.startswith("tdx-collateral-") for p in files)  # the turn did write
    for path in files:
        data = path.read_bytes()
        assert secret_hex not in data.lower() and secret_raw not in data, path


def test_closing_an_e2ee_stream_closes_its_http_response_at_once(
    chat: VeniceChat, enclave: FakeEnclave, server: LocalServer
) -> None:
    import threading
    import time

    from openclaw_venice.tee.keys import seal
    from tests.support import venice_wire

    closed = threading.Event()

    def endless(request: Any) -> None:
        client = bytes.fromhex(request.headers["x-venice-tee-client-pub-key"])
        handler = request.handler
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.end_headers()
        try:
            for _ in range(2000):
                chunk = venice_wire.chunk({"content": seal(client, b"x")})
                handler.wfile.write(venice_wire.sse([chunk], False))
                handler.wfile.flush()
                time.sleep(0.01)
        except OSError:
            closed.set()

    enclave.install(server, chat=endless)

    async def two_deltas() -> bool:
        events = chat.stream("venice/e2ee-gemma-4-31b", ask())  # (Qwen 3.6 holds content back
        seen = 0  # while it may be template-opened thinking: a model without that here)
        async for event in events:
            seen += event.type == "text_delta"
            if seen == 2:
                break
        await events.aclose()  # the turn only: the pool stays open
        gone = await asyncio.to_thread(closed.wait, 5)
        await chat.aclose()
        return gone

    assert asyncio.run(two_deltas()), "the enclave kept streaming to a closed turn"
