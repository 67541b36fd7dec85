"""Attestation documents are read within bounds (issue 21, item 8): JSON nested too deep
anywhere in the document, or in the JSON texts its strings carry (``nvidia_payload``,
``info.tcb_info``, ``event_log``, ``vm_config``), is a failed check, never a
``RecursionError``; through a chat turn it ends the turn before any chat request."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from openclaw_venice.tee import verify_attestation
from openclaw_venice.tee.jsontext import MAX_DEPTH, JsonTextError, check_document, parse_json
from tests.support.fake_enclave import e2ee_turn
from tests.support.tee_capture import capture, collateral

DEEP = 100_000  # far past Python's recursion limit


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def verify(document: Any) -> Any:
    real = capture()
    return verify_attestation(
        document, nonce=real.nonce, model=real.model, collateral=collateral(),
        at=real.captured_at,
    )  # fmt: skip


def in_field(*path: str, text: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = text

    return change


def in_payload(doc: dict[str, Any]) -> None:
    payload = json.loads(doc["nvidia_payload"])
    payload["evidence_list"][0]["arch"] = json.loads(nested(MAX_DEPTH + 5))
    doc["nvidia_payload"] = json.dumps(payload)


def tcb_info_text(doc: dict[str, Any]) -> None:
    tcb = dict(doc["info"]["tcb_info"]) if isinstance(doc["info"]["tcb_info"], dict) else {}
    tcb["extra"] = "x"
    doc["info"]["tcb_info"] = json.dumps(tcb)[:-1] + ', "deep": ' + nested(DEEP) + "}"


def deep_actions(doc: dict[str, Any]) -> None:
    """The workload attestation's action log, as a Python structure 100,000 deep (moved here
    from tests/test_tee_pinned_fields.py: the document is refused at the door)."""
    nested: Any = "x"
    for _ in range(DEEP):
        nested = [nested]
    doc["compose_manager_attestation"]["actions"][-1]["tag"] = nested


CASES: dict[str, Callable[[dict[str, Any]], None]] = {
    "compose_manager_attestation.actions": deep_actions,
    "nvidia_payload, as text": in_field("nvidia_payload", text=nested(DEEP)),
    "nvidia_payload, inside": in_payload,
    "event_log": in_field("event_log", text=nested(DEEP)),
    "info.tcb_info": tcb_info_text,
    "info.vm_config": in_field("info", "vm_config", text="[" * DEEP),
    "an unknown field": in_field("extra", text=" " + nested(500)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_deep_json_in_a_string_is_a_failed_check(case: str) -> None:
    doc = copy.deepcopy(capture().document)
    CASES[case](doc)
    report = verify(doc)
    assert not report.passed
    assert report.checks[0].name == "document" and not report.checks[0].passed
    assert report.summary().startswith("attestation check 'document' failed: refused: JSON")


def test_a_deep_document_is_a_failed_check() -> None:
    body = capture().body
    deep = body[:-1] + b', "deep": ' + nested(DEEP).encode() + b"}"
    report = verify(deep)
    assert report.check("document").detail == f"refused: JSON nested deeper than {MAX_DEPTH} levels"
    assert not report.passed
    mapping = copy.deepcopy(capture().document)
    inner: list[Any] = []
    mapping["deep"] = inner
    for _ in range(5_000):  # a Python caller's own structure, as deep
        inner.append([])
        inner = inner[0]
    assert verify(mapping).check("document").passed is False


def test_the_real_document_is_within_the_limits() -> None:
    check_document(capture().document)
    assert verify(capture().body).passed
    assert "document" not in {c.name for c in verify(capture().body).checks}


def test_parse_json_never_raises_recursion_error() -> None:
    for text in (nested(DEEP), '{"a":' * DEEP, '[{"a":' * DEEP):
        with pytest.raises(JsonTextError, match="nested deeper"):
            parse_json(text)
    with pytest.raises(JsonTextError, match="not JSON"):
        parse_json("{not json")
    assert parse_json(nested(MAX_DEPTH)) is not None


pytest_plugins = ("tests.support.enclave_fixtures",)  # pki, enclave


def test_a_chat_turn_against_a_deep_document_ends_before_any_request(server: Any, pki: Any) -> None:
    from openclaw_venice import errors
    from tests.support.fake_enclave import FakeEnclave

    enclave = FakeEnclave(pki, mutate=in_field("nvidia_payload", text=nested(DEEP)))
    enclave.install(server)
    events, _ = e2ee_turn(server, pki, enclave)
    assert [e.type for e in events] == ["error"]
    assert isinstance(events[0].error, errors.AttestationError)
    assert str(events[0].error).startswith("attestation check 'document' failed: refused: JSON")
    assert [r for r in server.requests if r.path.endswith("/chat/completions")] == []


# -- a dripping /tee/attestation cannot hold a chat turn ------------------------------------


def dripping_attestation(server: Any, pki: Any, drip: Any) -> Any:
    from tests.support.fake_enclave import FakeEnclave

    enclave = FakeEnclave(pki)
    enclave.install(server)
    answer = server._responder

    def respond(request: Any) -> Any:
        if request.path.endswith("/tee/attestation"):
            return drip(request)
        return answer(request)

    server.respond(respond)
    return enclave


@pytest.mark.parametrize("drip", ["headers", "body"])
def test_a_dripping_attestation_ends_the_turn_at_its_timeout(
    drip: str, server: Any, pki: Any
) -> None:
    from openclaw_venice import errors
    from tests.support.drip import body_drip, headers_drip

    responder = headers_drip(0.05) if drip == "headers" else body_drip()
    enclave = dripping_attestation(server, pki, responder)
    events, took = e2ee_turn(server, pki, enclave, total_timeout=1.5)
    assert [e.type for e in events] == ["error"]
    assert isinstance(events[0].error, errors.VeniceTimeoutError)
    assert str(events[0].error) == (
        "the enclave's attestation was not verified within --timeout 1.5 s; nothing was sent. "
        "Try again"
    )
    assert 1.4 < took < 6
    assert [r for r in server.requests if r.path.endswith("/chat/completions")] == []


def test_without_a_timeout_the_attestation_still_has_a_deadline(
    server: Any, pki: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openclaw_venice.chat import e2ee

    monkeypatch.setattr(e2ee, "ATTESTATION_DEADLINE", 1.0)
    from tests.support.drip import body_drip

    enclave = dripping_attestation(server, pki, body_drip())
    events, took = e2ee_turn(server, pki, enclave)
    assert str(events[0].error).startswith("the enclave's attestation was not verified within 1 s")
    assert 0.9 < took < 6


def test_a_stalled_answer_after_attestation_still_ends_at_the_timeout(
    server: Any, pki: Any
) -> None:
    """--timeout bounds the whole turn: attestation, then the chat request (given what the
    attestation left of it)."""
    from openclaw_venice import errors
    from tests.support.drip import keep_alive_forever
    from tests.support.fake_enclave import FakeEnclave

    enclave = FakeEnclave(pki)
    enclave.install(server, chat=keep_alive_forever())
    events, took = e2ee_turn(server, pki, enclave, total_timeout=3.0)
    assert events[-1].type == "error"
    assert isinstance(events[-1].error, errors.VeniceTimeoutError)
    assert 2.9 < took < 8
