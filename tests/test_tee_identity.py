"""An attacker with any Intel TDX machine (issue 21): its quote is genuinely signed (here
through the test Intel PKI of tests/support/fake_tdx.py, passed as the trust anchor), binds
our nonce and a key, and its event log is self-consistent (tests/support/fake_td.py re-measures
every change as a TD would). Only the identity policy (openclaw_venice/data/tee_policy.json)
can tell it from Venice's enclave: each such TD is refused with one line naming the field, its
value and what to do, and in a chat no request reaches the loopback server. Venice's own TD,
replayed by the same fake, passes."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import pytest

from openclaw_venice import errors
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.chat.e2ee import TeeSettings
from openclaw_venice.runtime.ai import Context, UserMessage
from openclaw_venice.tee import AttestationReport, PcsEndpoints, verify_attestation
from tests.support.fake_enclave import FakeEnclave
from tests.support.fake_td import FakeTd, another_td, compose_with_image, replay
from tests.support.fake_tdx import TestPki, reportdata_for
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer
from tests.support.tee_capture import capture

pytest_plugins = ("tests.support.enclave_fixtures",)  # pki, enclave

MODEL = "e2ee-qwen3-5-122b-a10b"
KMS = {"name": "kms", "id": "3059301306072a8648ce3d020106082a8648ce3d030107034200" + "11" * 65}
EVIL_IMAGE = "evil/agent@sha256:" + "ab" * 32


def foreign_tds() -> dict[str, tuple[FakeTd, str, str]]:
    """Each: the TD, the check that must refuse it, and what its one line must name."""
    mrtd, mrseam = os.urandom(48), os.urandom(48)
    app = os.urandom(20)
    kernel = another_td(kernel=os.urandom(48))
    rtmr1 = replay(kernel.event_log)[1]
    return {
        "another MRTD (firmware)": (another_td(mrtd=mrtd), "os_image", f"MRTD {mrtd.hex()}"),
        "another MRSEAM (TDX module)": (
            another_td(mrseam=mrseam), "mrseam", f"MRSEAM {mrseam.hex()}"
        ),
        "another kernel (RTMR1)": (kernel, "os_image", f"RTMR1 {rtmr1.hex()}"),
        "another app in RTMR3": (another_td(app_id=app), "app_id", f"app id {app.hex()}"),
        "another key provider": (
            another_td(key_provider=KMS), "key_provider", f"key provider kms {KMS['id']}"
        ),
        "a compose naming another image": (
            another_td(compose=compose_with_image("image: datadog/agent", f"image: {EVIL_IMAGE}")),
            "compose_images",
            f"image {EVIL_IMAGE} is from evil/agent",
        ),
        "a compose with an allowed image by tag": (
            another_td(compose=compose_with_image("image: datadog", "image: datadog/agent:7")),
            "compose_images",
            "image datadog/agent:7 is not pinned to a digest",
        ),
        "a compose with an image by tag": (
            another_td(compose=compose_with_image("image: datadog/agent", "image: dd/agent:7")),
            "compose_images",
            "image dd/agent:7 is from dd/agent",
        ),
        "TD attributes": (
            another_td(td_attributes=bytes.fromhex("0000005000000000")), "td_attributes",
            "TD_ATTRIBUTES 0000005000000000",
        ),
        "XFAM": (another_td(xfam=b"\xff" * 8), "xfam", "XFAM ffffffffffffffff"),
        "a TD owner": (another_td(mrowner=b"\x01" * 48), "td_owner", "MROWNER 0101"),
    }


FOREIGN = list(foreign_tds())


def attest(pki: TestPki, enclave: FakeEnclave, **kw: Any) -> AttestationReport:
    nonce = os.urandom(32)
    return verify_attestation(
        enclave.document(MODEL, nonce.hex()), nonce=nonce, model=MODEL,
        collateral=pki.collateral(), root_ca_der=pki.root_der, **kw,
    )  # fmt: skip


def test_venices_own_td_replayed_by_the_fake_passes(pki: TestPki) -> None:
    report = attest(pki, FakeEnclave(pki))
    assert report.passed, report.summary()
    real = capture().document["info"]
    assert report.enclave["appId"] == real["app_id"]
    assert report.enclave["instanceId"] == real["instance_id"]
    assert report.enclave["osImageHash"] == real["os_image_hash"]
    assert report.deployed is not None and report.deployed["tag"] == "v0.0.118"


@pytest.mark.parametrize("case", FOREIGN)
def test_a_foreign_td_is_refused_naming_field_value_and_what_to_do(
    pki: TestPki, case: str
) -> None:
    td, check, named = foreign_tds()[case]
    report = attest(pki, FakeEnclave(pki, td=td))
    assert not report.passed
    assert report.check("quote_signature").passed  # Intel (the test root) signed it
    assert not report.check(check).passed
    detail = report.check(check).detail
    assert named in detail and "\n" not in detail
    assert "update openclaw-venice" in detail or "pick another model" in detail


def test_the_real_key_and_nonce_in_another_tds_reportdata_is_refused(pki: TestPki) -> None:
    """The attacker's TD (its own app) binds Venice's real signing key and our nonce."""
    real = capture().document
    point = bytes.fromhex(real["signing_key"])
    td = another_td(app_id=os.urandom(20))
    enclave = FakeEnclave(pki, td=td)

    def real_key(doc: dict[str, Any]) -> None:
        nonce = bytes.fromhex(doc["nonce"])
        quote = pki.quote(reportdata_for(point, nonce), td.mrconfigid, fields=td.body_fields())
        doc.update(intel_quote=quote.hex(), signing_key=real["signing_key"],
                   signing_public_key=real["signing_key"],
                   signing_address=real["signing_address"])  # fmt: skip

    enclave.mutate = real_key
    report = attest(pki, enclave)
    assert report.check("reportdata_key").passed and report.check("reportdata_nonce").passed
    assert {c.name for c in report.failures()} == {"app_id", "key_provider"}
    assert report.summary().startswith("attestation check 'app_id' failed: app id ")


# -- in a chat: refused before any chat request ---------------------------------------------
@pytest.fixture
def chat(server: LocalServer, pki: TestPki) -> Iterator[VeniceChat]:
    tee = TeeSettings(root_ca_der=pki.root_der, pcs=PcsEndpoints(server.url, server.url))
    client = VeniceChat(CANARY, base_url=server.url + "/api/v1", warn=lambda m: None, tee=tee)
    yield client
    client.close()


def chat_requests(server: LocalServer) -> list[Any]:
    return [r for r in server.requests if r.path.endswith("/chat/completions")]


@pytest.mark.parametrize("case", FOREIGN)
def test_a_foreign_td_gets_zero_chat_requests(
    case: str, chat: VeniceChat, enclave: FakeEnclave, server: LocalServer
) -> None:
    enclave.td, check, named = foreign_tds()[case]

    async def one_turn() -> list[Any]:
        context = Context(system_prompt="secret system", messages=[UserMessage("secret user")])
        events = [e async for e in chat.stream("venice/e2ee-qwen3-6-27b", context)]
        await chat.aclose()
        return events

    events = asyncio.run(one_turn())
    assert [e.type for e in events] == ["error"]
    error = events[0].error
    assert isinstance(error, errors.AttestationError)
    assert f"attestation check '{check}' failed" in str(error) and named in str(error)
    assert "\n" not in str(error) and "nothing was sent" in str(error)
    assert enclave.attestations == 1
    assert chat_requests(server) == []
    assert enclave.seen_plaintext == []
