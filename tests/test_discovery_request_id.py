"""A failed ``GET /models`` that Venice answered carries Venice's request id (its CF-RAY
header), as chat errors do, and the failure shown to the user names it: what support asks
for. A failure without an answer (nothing listening) has none."""

from __future__ import annotations

import pytest

from openclaw_venice.discovery import fetch_model_rows
from openclaw_venice.errors import DiscoveryError
from openclaw_venice.identity import USER_AGENT
from tests.conftest import run_cli
from tests.support.server import LocalServer, Reply, Request

RAY = "8f1e2d3c4b5a6978-AMS"
JSON = {"Content-Type": "application/json"}
ANSWERS: dict[str, tuple[Reply, int]] = {  # Venice's answer -> attempts made
    "503, retried": (Reply(503, b"", {"CF-RAY": RAY}), 3),
    "404": (Reply(404, b'{"error": "not found"}', {"CF-RAY": RAY, **JSON}), 1),
    "not JSON": (Reply(200, b"<html>maintenance</html>", {"CF-RAY": RAY}), 1),
    "no models": (Reply(200, b'{"data": []}', {"CF-RAY": RAY, **JSON}), 1),
    "too large": (Reply(200, b"[" * (17 * 2**20), {"CF-RAY": RAY, **JSON}), 1),
}


@pytest.mark.parametrize("case", list(ANSWERS))
def test_the_error_carries_the_request_id(server: LocalServer, case: str) -> None:
    reply, attempts = ANSWERS[case]
    server.respond(lambda request: reply)
    with pytest.raises(DiscoveryError) as caught:
        fetch_model_rows(server.url + "/api/v1", user_agent=USER_AGENT, on_retry=None)
    assert caught.value.request_id == RAY
    assert str(caught.value).endswith(f"(request id {RAY})")
    assert len(server.requests) == attempts


def test_each_attempt_names_its_own_answer(server: LocalServer) -> None:
    """Retried: the id is the last answer's, the one that made discovery give up."""
    rays = iter(["ray-first", "ray-second", "ray-last"])

    def respond(request: Request) -> Reply:
        return Reply(502, b"", {"CF-RAY": next(rays)})

    server.respond(respond)
    with pytest.raises(DiscoveryError) as caught:
        fetch_model_rows(server.url + "/api/v1", user_agent=USER_AGENT, on_retry=None)
    assert caught.value.request_id == "ray-last"


def test_no_answer_no_request_id() -> None:
    with pytest.raises(DiscoveryError) as caught:  # port 9 (discard): nothing listens
        fetch_model_rows("http://127.0.0.1:9/api/v1", user_agent=USER_AGENT)
    assert caught.value.request_id is None and "request id" not in str(caught.value)


def test_the_cli_names_it_where_discovery_failed(server: LocalServer) -> None:
    server.respond(lambda request: Reply(404, b"", {"CF-RAY": RAY}))
    env = {"VENICE_BASE_URL": server.url + "/api/v1"}
    listed = run_cli("models", "list", "--refresh", env=env)
    assert listed.code == 0
    [warning] = [line for line in listed.stderr.splitlines() if line.startswith("warning: ")]
    assert warning == (
        f"warning: Venice model discovery failed: HTTP 404 (request id {RAY}); "
        "showing the bundled catalog"
    )  # the id's parentheses are the only ones: none around the reason
    refreshed = run_cli("models", "refresh", env=env)
    assert refreshed.code == 1
    [line] = refreshed.stderr.splitlines()
    assert line.startswith("Error: could not refresh venice's models: ")
    assert f"HTTP 404 (request id {RAY})" in line
