"""The enclave's signed receipt of an exchange (issue 21, item 7): an EIP-191 signature over
``sha256(request) ":" sha256(response)`` by the attested key, as nearai's vllm-proxy makes it
(``sign_chat``), fetched from ``GET /tee/signature``. Recovery runs in libsecp256k1; the tests
check the same signatures with OpenSSL (``cryptography``), and the fake enclave signs the
receipts of what it really received and sent."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature

from openclaw_venice import errors
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.chat.options import StreamOptions
from openclaw_venice.runtime.ai import Context, StreamEvent, UserMessage
from openclaw_venice.tee.keys import address_of
from openclaw_venice.tee.receipt import eip191_digest, verify_receipt
from tests.support.fake_enclave import FakeEnclave, enclave_chat
from tests.support.fake_tdx import TestPki
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, json_reply

pytest_plugins = ("tests.support.enclave_fixtures",)  # pki, enclave

MODEL = "venice/e2ee-gemma-4-31b"
MODEL_ID = "e2ee-gemma-4-31b"
H1, H2 = hashlib.sha256(b"request").hexdigest(), hashlib.sha256(b"answer").hexdigest()


def signer(pki: TestPki) -> FakeEnclave:
    return FakeEnclave(pki)


def check(enclave: FakeEnclave, answer: Any, **kw: Any) -> Any:
    args: dict[str, Any] = {"signing_key": enclave.key.public_point, "model": MODEL_ID}
    args.update(kw)
    return verify_receipt(answer, **args)


# -- the receipt itself ---------------------------------------------------------------------


def test_eip191_is_ethereums_personal_message_hash() -> None:
    """The value every Ethereum library gives for ``hashMessage("hello")``."""
    assert eip191_digest("hello").hex() == (
        "50b2c43fd39106bafbba0da34fc430e1f91e3c96ea2acee2bc34119f92b37750"
    )


def test_a_receipt_by_the_attested_key_verifies_and_openssl_agrees(pki: TestPki) -> None:
    enclave = signer(pki)
    answer = enclave.receipt(f"{H1}:{H2}")
    verdict = check(enclave, answer, request_sha256=H1, response_sha256=H2)
    assert verdict.passed, verdict.detail
    assert verdict.signer == "0x" + address_of(enclave.key.public_point).hex()
    assert verdict.detail == (
        f"the attested key {verdict.signer} signed sha256 of this request and this answer"
    )
    raw = bytes.fromhex(answer["signature"][2:])  # and OpenSSL checks the same (r, s)
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), enclave.key.public_point)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:64], "big"))
    public.verify(der, eip191_digest(f"{H1}:{H2}"), ec.ECDSA(Prehashed(hashes.SHA256())))


def test_a_receipt_naming_the_model_first_is_read_too(pki: TestPki) -> None:
    enclave = signer(pki)
    assert check(enclave, enclave.receipt(f"{MODEL_ID}:{H1}:{H2}")).passed
    other = check(enclave, enclave.receipt(f"e2ee-other:{H1}:{H2}"))
    assert other.detail == f"a receipt for 'e2ee-other', not {MODEL_ID!r}"


def other_key_signed(pki: TestPki) -> dict[str, Any]:
    return FakeEnclave(pki).receipt(f"{H1}:{H2}")


def flipped_text(pki: TestPki) -> dict[str, Any]:
    answer = signer(pki).receipt(f"{H1}:{H2}")
    return {**answer, "text": f"{H2}:{H1}"}


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (other_key_signed, "not the attested key"),
        (flipped_text, "not the attested key"),  # the signature recovers some other key
    ],
)
def test_a_receipt_not_by_the_attested_key_fails(pki: TestPki, make: Any, says: str) -> None:
    enclave = signer(pki)
    verdict = check(enclave, make(pki))
    assert not verdict.passed
    assert says in verdict.detail


def test_a_receipt_for_another_exchange_fails(pki: TestPki) -> None:
    enclave = signer(pki)
    answer = enclave.receipt(f"{H1}:{H2}")
    ours = hashlib.sha256(b"ours").hexdigest()
    assert check(enclave, answer, request_sha256=ours).detail == (
        "signed by the attested key, but for another request than ours"
    )
    assert check(enclave, answer, response_sha256=ours).detail == (
        "signed by the attested key, but for another answer than ours"
    )


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        ([], "the receipt is not a JSON object"),
        ({"text": f"{H1}:{H2}"}, "the receipt has no signed text and signature"),
        ({"text": f"{H1}:{H2}", "signature": "0x1234"}, "has 2 bytes, not 65"),
        ({"text": f"{H1}:{H2}", "signature": "zz"}, "signature is not hex"),
        ({"text": "hello", "signature": "0x" + "11" * 65}, "not request-hash:response-hash"),
        ({"text": f"{H1}:{H2}", "signature": "0x" + "11" * 64 + "1d"}, "recovery byte 29"),
        ({"text": f"{H1}:{H2}", "signature": "0x" + "00" * 65}, "recovers no key"),
        (
            {"text": f"{H1}:{H2}", "signature": "0x" + "11" * 65, "signing_algo": "ed25519"},
            "signed with 'ed25519', not ecdsa",
        ),
    ],
)
def test_a_malformed_receipt_fails_saying_why(pki: TestPki, answer: Any, says: str) -> None:
    verdict = check(signer(pki), answer)
    assert not verdict.passed
    assert says in verdict.detail


# -- the opt-in check on chat turns ---------------------------------------------------------


@pytest.fixture
def chat(server: LocalServer, pki: TestPki, enclave: FakeEnclave) -> Iterator[VeniceChat]:
    warnings: list[str] = []
    client = enclave_chat(server, pki, enclave.nvidia.root_sha256, warnings.append)
    client.warnings = warnings  # type: ignore[attr-defined]
    yield client
    client.close()


def turn(chat: VeniceChat, **options: Any) -> list[StreamEvent]:
    async def run() -> list[StreamEvent]:
        context = Context(messages=[UserMessage("hi")])
        events = [e async for e in chat.stream(MODEL, context, StreamOptions(**options))]
        await chat.aclose()
        return events

    return asyncio.run(run())


def receipts_asked(server: LocalServer) -> list[Any]:
    return [r for r in server.requests if r.path.endswith("/tee/signature")]


def test_with_receipts_on_each_answer_is_proven_by_the_attested_key(
    chat: VeniceChat, enclave: FakeEnclave, server: LocalServer
) -> None:
    events = turn(chat, receipt=True)
    done = events[-1]
    assert done.type == "done", done.error
    assert done.message is not None and done.message.text == "Hello from the enclave"
    (asked,) = receipts_asked(server)
    assert asked.query == {"model": [MODEL_ID], "request_id": ["chatcmpl-1"]}
    assert asked.headers["authorization"] == f"Bearer {CANARY}"
    address = "0x" + address_of(enclave.key.public_point).hex()
    line = (
        f"{MODEL}: receipt of chatcmpl-1 verified: the attested key {address} signed sha256 "
        "of this request and this answer"
    )
    assert line in done.message.meta["notices"]
    assert line in chat.warnings  # type: ignore[attr-defined]


def test_without_the_flag_no_receipt_is_asked(
    chat: VeniceChat, enclave: FakeEnclave, server: LocalServer
) -> None:
    assert turn(chat)[-1].type == "done"
    assert receipts_asked(server) == []


def test_a_receipt_by_another_key_fails_the_turn(
    chat: VeniceChat, enclave: FakeEnclave, server: LocalServer, pki: TestPki
) -> None:
    impostor = FakeEnclave(pki)
    enclave.receipt = impostor.receipt  # type: ignore[method-assign]
    events = turn(chat, receipt=True)
    assert events[-1].type == "error"
    assert isinstance(events[-1].error, errors.E2EEError)
    message = str(events[-1].error)
    assert message.startswith("the enclave's receipt of this answer does not verify (signed by")
    assert "not proven to come from the attested enclave" in message and "\n" not in message


def test_a_receipt_of_another_answer_fails_the_turn(
    chat: VeniceChat, enclave: FakeEnclave, server: LocalServer
) -> None:
    """The enclave signed what it sent; what arrived was changed on the way."""
    signed = enclave.signed

    def tampered(reply: Any, request: Any) -> Any:
        out = signed(reply, request)
        if out is not None and not isinstance(out.body, bytes):
            out.body = [piece.replace(b'"created": 1760000000', b'"created": 1760000001')
                        for piece in out.body]  # fmt: skip
        return out

    enclave.signed = tampered  # type: ignore[method-assign]
    enclave.install(server)
    events = turn(chat, receipt=True)
    assert str(events[-1].error).startswith(
        "the enclave's receipt of this answer does not verify (signed by the attested key, but "
        "for another answer than ours)"
    )


def test_a_missing_receipt_is_asked_again_then_fails(
    chat: VeniceChat, enclave: FakeEnclave, server: LocalServer
) -> None:
    inner = server._responder

    def respond(request: Any) -> Any:
        if request.path.endswith("/tee/signature"):
            return json_reply({"error": "Chat id not found or expired"}, 404)
        return inner(request)

    server.respond(respond)
    events = turn(chat, receipt=True)
    assert events[-1].type == "error"
    assert len(receipts_asked(server)) == 3
    assert str(events[-1].error) == (
        "Venice gave no receipt for chatcmpl-1 (HTTP 404), so the answer is not proven to "
        "come from the attested enclave"
    )


def cli_env(server: LocalServer, enclave: FakeEnclave, pki: TestPki, tmp_path: Any) -> Any:
    from cryptography.hazmat.primitives.serialization import Encoding

    root = tmp_path / "root.pem"
    root.write_bytes(pki.root_cert.public_bytes(Encoding.PEM))
    gpu_root = tmp_path / "gpu-root.der"
    gpu_root.write_bytes(enclave.nvidia.root_der)
    return {
        "VENICE_API_KEY": CANARY,
        "VENICE_BASE_URL": server.url + "/api/v1",
        "VENICE_TEE_ROOT_CA": str(root),
        "VENICE_TEE_NVIDIA_ROOT": str(gpu_root),
        "VENICE_TEE_PCS_URL": server.url,
    }


def test_models_attest_checks_a_receipt_against_the_key_it_attests(
    server: LocalServer, enclave: FakeEnclave, pki: TestPki, tmp_path: Any
) -> None:
    import json

    from tests.conftest import run_cli

    env = cli_env(server, enclave, pki, tmp_path)
    enclave.receipts["chatcmpl-7"] = f"{H1}:{H2}"
    result = run_cli("models", "attest", MODEL, "--receipt", "chatcmpl-7", env=env)
    assert result.code == 0, result.output
    address = "0x" + address_of(enclave.key.public_point).hex()
    assert result.stdout.splitlines()[-1] == (
        f"ok   receipt            local  the attested key {address} signed {H1[:20]}…"
    )
    as_json = run_cli("models", "attest", MODEL, "--receipt", "chatcmpl-7", "--json", env=env)
    assert json.loads(as_json.stdout)["receipt"] == {
        "id": "chatcmpl-7", "passed": True,
        "detail": f"the attested key {address} signed {H1[:20]}…",
    }  # fmt: skip
    impostor = FakeEnclave(pki)
    enclave.receipt = impostor.receipt  # type: ignore[method-assign]
    forged = run_cli("models", "attest", MODEL, "--receipt", "chatcmpl-7", env=env)
    assert forged.code == 1
    assert forged.stdout.splitlines()[-1].startswith("FAIL receipt")
    assert (
        forged.stderr.strip().splitlines()[-1].startswith("Error: receipt chatcmpl-7: signed by 0x")
    )
    missing = run_cli("models", "attest", MODEL, "--receipt", "chatcmpl-none", env=env)
    assert missing.code == 1
    assert "no receipt for chatcmpl-none (HTTP 404)" in missing.stdout


def test_the_cli_flag(
    server: LocalServer, enclave: FakeEnclave, pki: TestPki, tmp_path: Any
) -> None:
    from tests.conftest import run_cli

    env = cli_env(server, enclave, pki, tmp_path)
    result = run_cli("chat", "-m", MODEL, "--receipt", "hi", env=env)
    assert result.code == 0, result.output
    assert result.stdout == "Hello from the enclave\n"
    assert "receipt of chatcmpl-1 verified" in result.stderr
    assert len(receipts_asked(server)) == 1
