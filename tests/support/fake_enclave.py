"""A fake Venice TEE enclave on loopback: it answers ``/tee/attestation`` with a document whose
TDX quote (signed through ``fake_tdx.TestPki``) binds its own secp256k1 key and the client's
nonce, and ``/chat/completions`` the way the enclave proxy does: it opens every encrypted
message with its key and streams each ``delta.content`` sealed to the client's key. Same
primitives as the client (ECDH secp256k1, HKDF-SHA256, AES-256-GCM). :func:`enclave_chat` is a
client whose E2EE turns meet such an enclave; :func:`e2ee_turn` takes one turn with a new one."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.tee.keys import ClientKey, PacketError, address_of, keccak256, seal
from tests.support import venice_wire
from tests.support.fake_nvidia import FakeNvidia, shared_nvidia
from tests.support.fake_td import FakeTd, venice_td
from tests.support.fake_tdx import TestPki, reportdata_for
from tests.support.server import LocalServer, Reply, Request, json_reply
from tests.support.tee_capture import capture

E2EE_MODEL = "venice/e2ee-qwen3-6-27b"


@dataclass
class FakeEnclave:
    pki: TestPki
    key: ClientKey = field(default_factory=ClientKey)  # the enclave's signing key
    nvidia: FakeNvidia = field(default_factory=shared_nvidia)  # its GPUs (fake NVIDIA root)
    td: FakeTd = field(default_factory=venice_td)  # whose TD answers: Venice's by default
    workload: bool = True  # send compose_manager_attestation
    mutate: Callable[[dict[str, Any]], None] | None = None  # breaks the next documents
    reply_words: tuple[str, ...] = ("Hello", " from", " the", " enclave")
    tcb_status: str | None = None
    fail_decrypt_times: int = 0  # answer "Failed to decrypt" this many times first
    seen_plaintext: list[list[dict[str, Any]]] = field(default_factory=list)
    attestations: int = 0
    receipts: dict[str, str] = field(default_factory=dict)  # chat id -> signed text

    def document(self, model: str, nonce_hex: str) -> dict[str, Any]:
        nonce = bytes.fromhex(nonce_hex)
        point = self.key.public_point
        td = self.td
        quote = self.pki.quote(reportdata_for(point, nonce), td.mrconfigid,
                               fields=td.body_fields(), trailing=bytes(70))  # fmt: skip
        doc: dict[str, Any] = {
            "model": model,
            "nonce": nonce_hex,
            "request_nonce": nonce_hex,
            "nonce_source": "client",
            "verified": True,
            "signing_key": point.hex(),
            "signing_public_key": point.hex(),
            "signing_address": "0x" + address_of(point).hex(),
            "signing_algo": "ecdsa",
            "intel_quote": quote.hex(),
            "nvidia_payload": self.nvidia.payload(nonce),
            "event_log": td.event_log,
            "info": {**td.info, "tcb_info": td.tcb_info(quote)},
            "tee_provider": "near-ai",
            "tee_hardware": "intel-tdx",
            "server_verification": {"tdx": {"valid": True}, "nvidia": {"valid": True}},
        }
        if self.workload:
            doc["compose_manager_attestation"] = self.workload_attestation(nonce)
        if self.mutate is not None:
            self.mutate(doc)
        return doc

    def workload_attestation(self, nonce: bytes) -> dict[str, Any]:
        """The loader's action log (the real capture's) and a second quote of this TD over
        sha256(its compact JSON) || nonce, as the enclave's compose-manager sends them."""
        actions = capture().document["compose_manager_attestation"]["actions"]
        digest = hashlib.sha256(json.dumps(actions, separators=(",", ":")).encode()).digest()
        td = self.td
        quote = self.pki.quote(digest + nonce, td.mrconfigid, fields=td.body_fields(),
                               trailing=bytes(70))  # fmt: skip
        return {
            "actions": actions,
            "actions_hash": digest.hex(),
            "quote": quote.hex(),
            "report_data": (digest + nonce).hex(),
            "nonce": nonce.hex(),
            "nonce_source": "client",
            "event_log": json.dumps(td.event_log),
        }

    def install(
        self, server: LocalServer, chat: Callable[[Request], Reply | None] | None = None
    ) -> None:
        """Serve Venice (attestation, chat) and Intel's PCS (the test PKI's collateral)."""
        answers = self.pki.collateral_answers(self.tcb_status)
        pcs = {
            "/tdx/certification/v4/tcb": answers["tcb"],
            "/tdx/certification/v4/qe/identity": answers["qe"],
            "/sgx/certification/v4/pckcrl": answers["pckcrl"],
            "/IntelSGXRootCA.der": answers["rootcrl"],
        }

        def respond(request: Request) -> Reply | None:
            if request.path in pcs:
                return Reply(200, pcs[request.path].body, dict(pcs[request.path].headers))
            if request.path.endswith("/tee/attestation"):
                self.attestations += 1
                model, nonce = request.query["model"][0], request.query["nonce"][0]
                return json_reply(self.document(model, nonce))
            if request.path.endswith("/chat/completions"):
                return self.signed((chat or self.chat)(request), request)
            if request.path.endswith("/tee/signature"):
                text = self.receipts.get(request.query.get("request_id", [""])[0])
                if text is None:
                    return json_reply({"error": "Chat id not found or expired"}, 404)
                return json_reply(self.receipt(text))
            return Reply(404, b"not found")

        server.respond(respond)

    def signed(self, reply: Reply | None, request: Request) -> Reply | None:
        """Record the receipt of a streamed answer, as the enclave proxy does: the text
        ``sha256(request body) ":" sha256(every byte of the answer)`` under its chat id."""
        if reply is None or reply.status != 200 or isinstance(reply.body, bytes):
            return reply
        pieces = list(reply.body)
        answer = b"".join(pieces)
        first = next((line for line in answer.split(b"\n") if line.startswith(b"data: {")), b"")
        chat_id = json.loads(first[6:]).get("id") if first else None
        if isinstance(chat_id, str):
            request_hash = hashlib.sha256(request.body).hexdigest()
            self.receipts[chat_id] = f"{request_hash}:{hashlib.sha256(answer).hexdigest()}"
        return Reply(reply.status, pieces, reply.headers)

    def receipt(self, text: str) -> dict[str, Any]:
        """``GET /tee/signature``'s answer: an EIP-191 signature of ``text`` by the enclave's
        attested key (r ‖ s ‖ v, v = 27 + recovery id)."""
        data = text.encode()
        digest = keccak256(b"\x19Ethereum Signed Message:\n" + str(len(data)).encode() + data)
        raw = self.key._private.sign_recoverable(digest, hasher=None)
        signature = raw[:64] + bytes([27 + raw[64]])
        return {
            "text": text,
            "signature": "0x" + signature.hex(),
            "signing_address": "0x" + address_of(self.key.public_point).hex(),
            "signing_algo": "ecdsa",
        }

    def chat(self, request: Request) -> Reply:
        headers = request.headers
        client_hex = headers.get("x-venice-tee-client-pub-key", "")
        if headers.get("x-venice-tee-model-pub-key") != self.key.public_hex:
            return json_reply({"error": "Invalid public key"}, 400)
        body = request.json()
        if not body.get("stream"):
            return json_reply({"error": "E2EE requires streaming"}, 400)
        if self.fail_decrypt_times:
            self.fail_decrypt_times -= 1
            return json_reply({"error": "Failed to decrypt field"}, 400)
        opened = []
        for message in body["messages"]:  # every role, as the enclave proxy does
            message = dict(message)
            for name in ("content", "reasoning_content", "reasoning"):
                value = message.get(name)
                if not isinstance(value, str) or not value:
                    continue
                try:
                    message[name] = self.key.decrypt(value).decode()
                except PacketError:
                    return json_reply({"error": "Encrypted field is not valid hex"}, 400)
            opened.append(message)
        self.seen_plaintext.append(opened)
        client = bytes.fromhex(client_hex)
        chunks = [venice_wire.chunk({"role": "assistant", "content": ""})]
        chunks += [
            venice_wire.chunk({"content": seal(client, w.encode())}) for w in self.reply_words
        ]
        chunks += [venice_wire.chunk({}, "stop"), venice_wire.usage_chunk()]
        return venice_wire.stream_reply(chunks)


def enclave_chat(
    server: LocalServer,
    pki: TestPki,
    nvidia_root_sha256: str | None = None,
    warn: Callable[[str], None] = lambda message: None,
) -> VeniceChat:
    """A client with the bundled catalog whose E2EE turns hold the fake enclave at ``server``
    to the test PKI's root, Intel's PCS at the same server, and the fake NVIDIA's root (the
    shared one unless named)."""
    from openclaw_venice.catalog import load_bundle
    from openclaw_venice.chat.e2ee import TeeSettings
    from openclaw_venice.tee import PcsEndpoints
    from tests.support.hygiene import CANARY

    tee = TeeSettings(
        root_ca_der=pki.root_der,
        pcs=PcsEndpoints(server.url, server.url),
        nvidia_root_sha256=nvidia_root_sha256 or shared_nvidia().root_sha256,
    )
    return VeniceChat(
        CANARY, base_url=server.url + "/api/v1", catalog=load_bundle(), warn=warn, tee=tee
    )


def e2ee_turn(
    server: LocalServer, pki: TestPki, enclave: FakeEnclave, model: str = E2EE_MODEL, **options: Any
) -> tuple[list[Any], float]:
    """The events of one turn ("hi") to ``model`` with a new :func:`enclave_chat`, and the
    seconds it took."""
    from openclaw_venice.chat.options import StreamOptions
    from openclaw_venice.runtime.ai import Context, UserMessage

    async def run() -> list[Any]:
        async with enclave_chat(server, pki, enclave.nvidia.root_sha256) as chat:
            context = Context(messages=[UserMessage("hi")])
            return [e async for e in chat.stream(model, context, StreamOptions(**options))]

    started = time.monotonic()
    events = asyncio.run(run())
    return events, time.monotonic() - started
