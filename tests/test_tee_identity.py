"""An attacker with any Intel TDX machine (issue 21): its quote is genuinely signed (here
through the test Intel PKI of tests/support/fake_tdx.py, passed as the trust anchor), binds
our nonce and a key, and its event log is self-consistent (tests/support/fake_td.py re-measures
every change as a TD would). Only the identity policy (openclaw_venice/data/tee_policy.json)
can tell it from Venice's enclave: each such TD is refused with one line naming the field, its
value and what to do, and in a chat no request reaches the loopback server. Venice's own TD,
replayed by the same fake, passes."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from openclaw_venice import errors
from openclaw_venice.catalog import load_bundle
from openclaw_venice.chat.client import VeniceChat
from openclaw_venice.chat.e2ee import TeeSettings
from openclaw_venice.runtime.ai import Context, UserMessage
from openclaw_venice.tee import AttestationReport, verify_attestation
from openclaw_venice.tee.policy import POLICY_FILE_NAME, PolicyError, load_policy
from tests.support.fake_enclave import FakeEnclave, enclave_chat
from tests.support.fake_nvidia import shared_nvidia
from tests.support.fake_td import FakeTd, another_td, compose_with_image, replay, runtime_digest
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
            another_td(mrseam=mrseam),
            "mrseam",
            f"MRSEAM {mrseam.hex()}",
        ),
        "another kernel (RTMR1)": (kernel, "os_image", f"RTMR1 {rtmr1.hex()}"),
        "another app in RTMR3": (another_td(app_id=app), "app_id", f"app id {app.hex()}"),
        "another key provider": (
            another_td(key_provider=KMS),
            "key_provider",
            f"key provider kms {KMS['id']}",
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
        "a compose image an operator's variable may replace": (
            another_td(compose=_settable_image()),
            "compose_images",
            "can be replaced through $LOADER_IMAGE",
        ),
        "TD attributes": (
            another_td(td_attributes=bytes.fromhex("0000005000000000")),
            "td_attributes",
            "TD_ATTRIBUTES 0000005000000000",
        ),
        "XFAM": (another_td(xfam=b"\xff" * 8), "xfam", "XFAM ffffffffffffffff"),
        "a TD owner": (another_td(mrowner=b"\x01" * 48), "td_owner", "MROWNER 0101"),
    }


def _settable_image() -> str:
    """The loader's image behind a variable the deployment's encrypted env may set."""
    loader = "image: ${LOADER_IMAGE:-nearaidev/compose-manager@sha256:" + "cd" * 32 + "}"
    value = json.loads(compose_with_image("image: nearaidev/compose-manager", loader))
    value["allowed_envs"] = [*value["allowed_envs"], "LOADER_IMAGE"]
    return json.dumps(value, indent=4)


FOREIGN = list(foreign_tds())


def attest(pki: TestPki, enclave: FakeEnclave, **kw: Any) -> AttestationReport:
    nonce = os.urandom(32)
    return verify_attestation(
        enclave.document(MODEL, nonce.hex()), nonce=nonce, model=MODEL,
        collateral=pki.collateral(), root_ca_der=pki.root_der,
        nvidia_root_sha256=enclave.nvidia.root_sha256, **kw,
    )  # fmt: skip


def test_venices_own_td_replayed_by_the_fake_passes(pki: TestPki) -> None:
    report = attest(pki, FakeEnclave(pki))
    assert report.passed, report.summary()
    real = capture().document["info"]
    assert report.enclave["appId"] == real["app_id"]
    assert report.enclave["instanceId"] == real["instance_id"]
    assert report.enclave["osImageHash"] == real["os_image_hash"]
    assert report.deployed is not None and report.deployed["tag"] == "v0.0.118"
    assert report.deployed["repository"] == "https://github.com/nearai/cvm-compose-files"
    assert report.deployed["commit"] == "c6d19d36d7db41e87447058d665c7fd00fe50455"


@pytest.mark.parametrize("case", FOREIGN)
def test_a_foreign_td_is_refused_naming_field_value_and_what_to_do(pki: TestPki, case: str) -> None:
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
    client = enclave_chat(server, pki)
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


# -- the policy: packaged, versioned, sourced; the user's file ------------------------------
def test_every_packaged_policy_value_cites_its_source() -> None:
    from openclaw_venice.tee.policy import packaged_text

    data = json.loads(packaged_text())
    assert data["format"] == 1 and isinstance(data["version"], int)
    entries = [*data["osImages"], *data["mrseam"], *data["apps"], *data["images"]["repositories"],
               data["tdAttributes"], data["xfam"], data["tcb"]]  # fmt: skip
    assert len(entries) >= 10
    assert all(isinstance(e["source"], str) and len(e["source"]) > 20 for e in entries)


def user_file(tmp_path: Path, content: dict[str, Any] | str) -> Path:
    path = tmp_path / "state" / "providers" / "venice" / POLICY_FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_a_user_file_admits_a_new_os_image_and_says_so(pki: TestPki, tmp_path: Path) -> None:
    mrtd = os.urandom(48)
    enclave = FakeEnclave(pki, td=another_td(mrtd=mrtd))
    assert not attest(pki, enclave).check("os_image").passed
    real = capture().document["info"]["tcb_info"]
    image = {"name": "dstack-next", "mrtd": mrtd.hex(), "rtmr1": real["rtmr1"],
             "rtmr2": real["rtmr2"], "osImageHash": real["os_image_hash"]}  # fmt: skip
    path = user_file(tmp_path, {"format": 1, "osImages": [image]})
    report = attest(pki, enclave, identity=load_policy(path))
    assert report.passed, report.summary()
    assert report.check("os_image").detail.startswith("dstack-next")
    assert report.enclave["policyVersion"] == "1+user"
    assert attest(pki, FakeEnclave(pki), identity=load_policy(path)).passed  # extends


def test_replace_makes_the_user_file_the_whole_list(pki: TestPki, tmp_path: Path) -> None:
    other = {"value": "00" * 48, "name": "a module nobody runs"}
    path = user_file(tmp_path, {"format": 1, "replace": True, "mrseam": [other]})
    report = attest(pki, FakeEnclave(pki), identity=load_policy(path))
    assert {c.name for c in report.failures()} == {"mrseam"}
    assert str(path) in report.check("mrseam").detail  # where to add it


@pytest.mark.parametrize(
    ("content", "said"),
    [("{not json", "is not valid JSON"), ("[]", "is not a JSON object"),
     ({"format": 1, "mrseam": [{"value": "zz"}]}, "is not a TEE policy this version reads"),
     ({"format": 1, "images": {"repositories": 5}}, "is not a TEE policy this version reads"),
     ({"format": 1, "apps": [{"appId": "00"}]}, "is not a TEE policy this version reads"),
     ({"format": 2}, "has format 2")],
)  # fmt: skip
def test_a_bad_user_file_is_one_line_naming_it(
    tmp_path: Path, content: dict[str, Any] | str, said: str
) -> None:
    path = user_file(tmp_path, content)
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    message = str(caught.value)
    assert str(path) in message and said in message and "\n" not in message


@pytest.mark.parametrize("kind", ["a FIFO", "/dev/zero", "a directory", "17 MiB"])
def test_a_user_file_that_is_not_a_policy_file_is_refused_unread(tmp_path: Path, kind: str) -> None:
    """A FIFO nobody writes to would block the read, /dev/zero would never end: refused unread
    (the packaged policy alone is never used in its place)."""
    path = tmp_path / "state" / "providers" / "venice" / POLICY_FILE_NAME
    path.parent.mkdir(parents=True)
    if kind == "a FIFO":
        os.mkfifo(path)
    elif kind == "/dev/zero":
        path.symlink_to("/dev/zero")
    elif kind == "a directory":
        path.mkdir()
    else:
        with path.open("wb") as handle:  # sparse: NULs that take no disk
            handle.truncate(17 << 20)
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    said = {"/dev/zero": "is not a regular file (a character device)",
            "17 MiB": "holds more than 16 MiB"}.get(kind)  # fmt: skip
    said = said or f"is not a regular file ({kind})"
    assert str(caught.value) == f"{path} {said}; fix or remove it"


def test_a_bad_user_file_stops_the_chat_before_any_request(
    server: LocalServer, enclave: FakeEnclave, pki: TestPki, tmp_path: Path
) -> None:
    user_file(tmp_path, "{not json")
    env = {"VENICE_TEE_PCS_URL": server.url}
    tee = dataclasses.replace(
        TeeSettings.from_env(env, tmp_path / "state" / "providers" / "venice"),
        root_ca_der=pki.root_der,
        nvidia_root_sha256=shared_nvidia().root_sha256,
    )
    chat = VeniceChat(CANARY, base_url=server.url + "/api/v1", catalog=load_bundle(),
                      warn=lambda m: None, tee=tee)  # fmt: skip
    with chat as c:
        events = asyncio.run(_turn(c))
    assert [e.type for e in events] == ["error"]
    assert isinstance(events[0].error, errors.E2EEError)
    said = str(events[0].error)
    assert "is not valid JSON" in said and "nothing was sent" in said and "\n" not in said
    assert server.requests == []  # not even the attestation


async def _turn(chat: VeniceChat) -> list[Any]:
    events = [e async for e in chat.stream("venice/e2ee-qwen3-6-27b",
                                           Context(messages=[UserMessage("hi")]))]  # fmt: skip
    await chat.aclose()
    return events


def test_an_unknown_tcb_status_to_accept_is_one_line() -> None:
    with pytest.raises(PolicyError, match="names 'OutDated', not a TCB status"):
        load_policy(env={"VENICE_TEE_ACCEPT_TCB": "OutDated"})


# -- the event log: what only a TD's own measurements could say -----------------------------
def test_an_app_id_measured_again_after_system_ready_is_refused(pki: TestPki) -> None:
    """The app may extend RTMR3 once running: a second app-id event, measured and replayed
    honestly, must not rename the app."""
    td = another_td()
    payload = os.urandom(20)
    td.event_log.append({"imr": 3, "event_type": 0x08000001, "event": "app-id",
                         "event_payload": payload.hex(),
                         "digest": runtime_digest(0x08000001, "app-id", payload)})  # fmt: skip
    report = attest(pki, FakeEnclave(pki, td=td))
    assert {c.name for c in report.failures()} == {
        "event_log",
        "os_image",
        "app_id",
        "key_provider",
        "compose_hash",
    }
    assert report.check("event_log").detail == "RTMR3 measures 'app-id' twice"


# -- the workload attestation ----------------------------------------------------------------
def test_a_stale_workload_attestation_is_refused(pki: TestPki) -> None:
    enclave = FakeEnclave(pki)
    old = enclave.workload_attestation(os.urandom(32))  # signed, but for another nonce
    enclave.mutate = lambda doc: doc.update(compose_manager_attestation=old)
    report = attest(pki, enclave)
    assert {c.name for c in report.failures()} == {"workload"}
    assert "stale" in report.check("workload").detail
    assert report.deployed is None


def test_another_tds_workload_attestation_is_refused(pki: TestPki) -> None:
    enclave = FakeEnclave(pki)
    other = FakeEnclave(pki, td=another_td(app_id=os.urandom(20)))

    def swap(doc: dict[str, Any]) -> None:
        doc["compose_manager_attestation"] = other.workload_attestation(bytes.fromhex(doc["nonce"]))

    enclave.mutate = swap
    report = attest(pki, enclave)
    assert {c.name for c in report.failures()} == {"workload"}
    assert "not from the attested TD" in report.check("workload").detail


def test_without_a_workload_attestation_the_report_says_what_is_unknown(pki: TestPki) -> None:
    report = attest(pki, FakeEnclave(pki, workload=False))
    assert report.passed
    assert report.deployed is None
    assert any("no workload attestation" in line for line in report.not_attested())
    assert report.check("workload").detail.startswith("not sent")


def test_what_is_not_attested_follows_the_checks_made_here(pki: TestPki) -> None:
    from openclaw_venice.tee import Check

    here = attest(pki, FakeEnclave(pki))  # the GPUs verified here (the `gpus` check)
    assert here.check("gpus").passed
    assert any(line.startswith("the GPUs' evidence") for line in here.attested())
    assert not any("Venice's word" in line for line in here.not_attested())
    assert any(line.startswith("the GPUs' firmware") for line in here.not_attested())
    without = dataclasses.replace(here, checks=tuple(c for c in here.checks if c.name != "gpus"))
    assert any(x.startswith("the GPUs (taken on Venice's word") for x in without.not_attested())
    assert not any("GPUs" in line for line in without.attested())
    failed = dataclasses.replace(here, checks=(*here.checks, Check("gpus", False, "local", "")))
    assert failed.attested() == []  # nothing is claimed for a failed attestation
