"""A 404 names the URL that had nothing and points at the base URL; only a chat turn's 404
may say the model is gone (found by a newcomer: usage, balance, embed, image and a wrong base
URL all said "the model is gone")."""

from __future__ import annotations

import pytest

from tests.conftest import run_cli
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, json_reply


def nothing_but_models(server: LocalServer) -> dict[str, str]:
    """A server where only the model lists exist (as at a wrong base URL that still lists)."""
    server.respond(
        lambda r: (
            json_reply({"data": []}, 404)
            if not r.path.endswith("/models")
            else json_reply({"error": "Not Found"}, 404)
        )
    )
    return {"VENICE_BASE_URL": server.url + "/wrong/v1", "VENICE_API_KEY": CANARY}


@pytest.mark.parametrize(
    ("args", "endpoint"),
    [
        (["usage"], "GET {url}/wrong/v1/billing/usage-analytics"),
        (["embed", "some text"], "POST {url}/wrong/v1/embeddings"),
        (["image", "a fox", "-o", "fox.png"], "POST {url}/wrong/v1/image/generate"),
    ],
    ids=["usage", "embed", "image"],
)
def test_a_404_names_the_endpoint_and_the_base_url(
    server: LocalServer,
    args: list[str],
    endpoint: str,
    tmp_path: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(str(tmp_path))
    result = run_cli(*args, env=nothing_but_models(server))
    assert result.code == 1, result.output
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert endpoint.format(url=server.url) in line
    assert "check the base URL (VENICE_BASE_URL, or baseUrl in the config)" in line
    assert "model" not in line.split(";", 1)[1]


def test_a_chat_404_may_blame_the_model_and_still_names_the_base_url(server: LocalServer) -> None:
    env = nothing_but_models(server)
    result = run_cli("chat", "-m", "venice/llama-3.3-70b", "hi", env=env)
    assert result.code == 1, result.output
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert f"offers no venice/llama-3.3-70b at POST {server.url}/wrong/v1/chat/completions" in line
    assert "the model may be retired" in line and "or the base URL" in line
