"""An adversarial review of the identity checks (issue 21 item 1). Compose tricks: an
attacker whose compose reaches the enclave (a genuine dstack OS measures it, Intel signs the
quote) hides an image from the line-based reader with YAML forms docker compose accepts (a
flow mapping, an explicit ``?`` key, an escaped key, a ``#`` inside quotes), pulls services
from elsewhere (``extends``, ``include``), has dstack run a bash script instead of the compose
(``runner``), or lets the operator's encrypted env set docker compose's own variables
(``COMPOSE_FILE``, ``DOCKER_HOST``). Each fails ``compose_images`` with one line; the real
compose still passes (tests/test_tee_identity.py). Text no UTF-8 encoder takes (a lone
surrogate, sent as a JSON escape) is a failed check, not a traceback."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from openclaw_venice.tee import AttestationReport, verify_attestation
from openclaw_venice.tee.policy import POLICY_FILE_NAME, load_policy
from tests.support.fake_enclave import FakeEnclave
from tests.support.fake_td import another_td, venice_td
from tests.support.fake_tdx import TestPki

pytest_plugins = ("tests.support.enclave_fixtures",)  # pki

MODEL = "e2ee-qwen3-5-122b-a10b"
EVIL = "evil/agent@sha256:" + "ab" * 32
GIT = "https://github.com/attacker/evil.git"


def with_service(yaml: str) -> str:
    """The real app compose with ``yaml`` (indented as a service) added first."""
    value = json.loads(venice_td().app_compose)
    text = value["docker_compose_file"]
    value["docker_compose_file"] = text.replace("services:\n", "services:\n" + yaml, 1)
    return json.dumps(value, indent=4)


def with_top_level(yaml: str) -> str:
    value = json.loads(venice_td().app_compose)
    value["docker_compose_file"] = yaml + value["docker_compose_file"]
    return json.dumps(value, indent=4)


def with_runner(runner: str) -> str:
    value = json.loads(venice_td().app_compose)
    value["runner"] = runner
    value["bash_script"] = f"docker run {EVIL}"
    return json.dumps(value, indent=4)


def with_allowed_env(name: str) -> str:
    value = json.loads(venice_td().app_compose)
    value["allowed_envs"] = [*value["allowed_envs"], name]
    return json.dumps(value, indent=4)


TRICKS = {
    "a build in a flow mapping": with_service(f"  evil: {{build: {GIT}}}\n"),
    "an image after a # in quotes (no comment)": with_service(
        f'  evil: {{labels: {{a: "x #"}}, image: {EVIL}}}\n'
    ),
    "an image under an explicit key": with_service(f"  evil:\n    ? image\n    : {EVIL}\n"),
    "an image key spelled with an escape": with_service(f'  evil:\n    "imag\\u0065": {EVIL}\n'),
    "a build key spelled with an escape": with_service(f'  evil:\n    "bu\\x69ld": {GIT}\n'),
    "a service extending another file's": with_service(
        "  evil:\n    extends:\n      file: /dstack/.host-shared/evil.yaml\n      service: x\n"
    ),
    "a top-level include": with_top_level(f"include:\n  - {GIT}\n"),
    "dstack's bash runner instead of the compose": with_runner("bash"),
    "the operator may set COMPOSE_FILE (another compose)": with_allowed_env("COMPOSE_FILE"),
    "the operator may set DOCKER_HOST (another daemon)": with_allowed_env("DOCKER_HOST"),
}


@pytest.mark.parametrize("trick", list(TRICKS))
def test_a_compose_trick_hiding_an_image_is_refused(pki: TestPki, trick: str) -> None:
    nonce = os.urandom(32)
    enclave = FakeEnclave(pki, td=another_td(compose=TRICKS[trick]))
    report = verify_attestation(
        enclave.document(MODEL, nonce.hex()), nonce=nonce, model=MODEL,
        collateral=pki.collateral(), root_ca_der=pki.root_der,
        nvidia_root_sha256=enclave.nvidia.root_sha256,
    )  # fmt: skip
    check = report.check("compose_images")
    assert not check.passed, check.detail
    assert not report.passed
    assert "\n" not in check.detail and check.detail.endswith("pick another model")
    # every other check holds: only the compose check stands between it and a sealed prompt
    assert [c.name for c in report.failures()] == ["compose_images"]


def _verify(pki: TestPki, edit: Callable[[dict[str, Any]], None]) -> AttestationReport:
    nonce = os.urandom(32)
    enclave = FakeEnclave(pki)
    doc = json.loads(json.dumps(enclave.document(MODEL, nonce.hex())))
    edit(doc)
    return verify_attestation(
        json.dumps(doc), nonce=nonce, model=MODEL, collateral=pki.collateral(),
        root_ca_der=pki.root_der, nvidia_root_sha256=enclave.nvidia.root_sha256,
    )  # fmt: skip


def _compose(doc: dict[str, Any]) -> None:
    doc["info"]["tcb_info"]["app_compose"] = "{\ud800}"


def _event_name(doc: dict[str, Any]) -> None:
    doc["event_log"][-1]["event"] = "\ud800"
    doc["info"]["tcb_info"]["event_log"] = doc["event_log"]


@pytest.mark.parametrize(
    ("edit", "check"),
    [(_compose, "compose_hash"), (_event_name, "event_log")],
    ids=["compose", "event"],
)
def test_a_lone_surrogate_is_a_failed_check_not_a_traceback(
    pki: TestPki, edit: Callable[[dict[str, Any]], None], check: str
) -> None:
    report = _verify(pki, edit)
    assert not report.check(check).passed
    assert not report.passed


def test_a_user_policy_file_that_admits_a_td_says_so_in_the_report(
    pki: TestPki, tmp_path: Path
) -> None:
    """The file that widens trust is named on every report it shaped (a chat prints the
    report's warnings once per model), so trust is never widened in silence."""
    mrtd = os.urandom(48)
    enclave = FakeEnclave(pki, td=another_td(mrtd=mrtd))
    known = load_policy().os_images[0]  # the real kernel, boot and OS image; another firmware
    image = {"name": "dstack-next", "mrtd": mrtd.hex(), "rtmr1": known.rtmr1.hex(),
             "rtmr2": known.rtmr2.hex(), "osImageHash": known.os_image_hash.hex()}  # fmt: skip
    path = tmp_path / POLICY_FILE_NAME
    path.write_text(json.dumps({"format": 1, "osImages": [image]}))
    nonce = os.urandom(32)
    report = verify_attestation(
        enclave.document(MODEL, nonce.hex()), nonce=nonce, model=MODEL,
        collateral=pki.collateral(), root_ca_der=pki.root_der, identity=load_policy(path),
        nvidia_root_sha256=enclave.nvidia.root_sha256,
    )  # fmt: skip
    assert report.passed, report.summary()
    assert [w for w in report.warnings if str(path) in w] == [
        f"identity policy: the packaged one with {path} on top"
    ]
    plain = _verify(pki, lambda doc: None)
    assert plain.passed and not [w for w in plain.warnings if "identity policy" in w]
