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
from tests.support.fake_enclave import FakeEnclave
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
    tee = TeeSettings(root_ca_der=pki.root_der, pcs=PcsEndpoints(server.url, server.url))
    client = VeniceChat(
        CANARY,
        base_url=server.url + "/api/v1",
        catalog=load_bundle(),
        warn=warnings.append,
        tee=tee,
    )
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


def test_assistant_history_stays_clear_and_users_are_all_sealed(
    chat: VeniceChat, enclave: FakeEnclave, server: LocalServer
) -> None:
    context = Context(
        system_prompt="sys",
        messages=[UserMessage("first"), AssistantMessage((TextPart("an answer"),), "stop"),
                  UserMessage("second")],
    )  # fmt: skip
    text_of(turn(chat, context))
    roles = [(m["role"], m["content"]) for m in chats(server)[0].json()["messages"]]
    assert [r for r, _ in roles] == ["system", "user", "assistant", "user"]
    assert roles[2][1] == "an answer"  # docs/e2ee.md: assistant text is sent in the clear
    assert "first" not in json.dumps(roles) and "second" not in json.dumps(roles)
    assert [m["content"] for m in enclave.seen_plaintext[0]] == [
        "sys",
        "first",
        "an answer",
        "second",
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
    tee = dataclasses.replace(TeeSettings.from_env(env), root_ca_der=pki.root_der)
    with VeniceChat(CANARY, base_url=server.url + "/api/v1", warn=warnings.append, tee=tee) as c:
        assert text_of(turn(c)) == "Hello from the enclave"
    assert [w for w in warnings if "TCB" in w] == [f"{MODEL_ID} enclave: TCB status OutOfDate"]


def test_intels_root_is_the_default_trust_anchor(server: LocalServer, enclave: FakeEnclave) -> None:
    tee = TeeSettings(pcs=PcsEndpoints(server.url, server.url))  # no test root
    with VeniceChat(
        CANARY, base_url=server.url + "/api/v1", catalog=load_bundle(), warn=lambda m: None, tee=tee
    ) as c:
        events = turn(c)
    assert "'quote_signature' failed" in str(events[0].error)
    assert chats(server) == []


# -- sessions and keys ----------------------------------------------------------------------


def test_one_key_pair_per_session_and_attestation_reuse(
    chat: VeniceChat, enclave: FakeEnclave, server: LocalServer, pki: TestPki
) -> None:
    text_of(turn(chat))
    text_of(turn(chat))
    assert len(attestations(server)) == 1  # reused for the same model, within the TTL
    first, second = (r.headers["x-venice-tee-client-pub-key"] for r in chats(server))
    assert first == second
    tee = TeeSettings(root_ca_der=pki.root_der, pcs=PcsEndpoints(server.url, server.url))
    with VeniceChat(
        CANARY, base_url=server.url + "/api/v1", catalog=load_bundle(), warn=lambda m: None, tee=tee
    ) as c:
        text_of(turn(c))
    assert chats(server)[-1].headers["x-venice-tee-client-pub-key"] != first  # a new session
    assert len(attestations(server)) == 2


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


def test_the_session_key_is_in_no_repr(chat: VeniceChat, enclave: FakeEnclave) -> None:
    text_of(turn(chat))
    state = chat.e2ee_state()
    private = state.key._private.private_numbers().private_value  # the secret itself
    for shown in (repr(chat), repr(state), repr(state.key), str(state.enclaves)):
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


def test_the_session_key_is_never_written(
    chat: VeniceChat, enclave: FakeEnclave, tmp_path: Path
) -> None:
    text_of(turn(chat))
    private = chat.e2ee_state().key._private.private_numbers().private_value
    secret_hex = f"{private:064x}".encode()
    secret_raw = private.to_bytes(32, "big")
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
