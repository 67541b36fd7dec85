"""Every command that sends a key takes the provider's key option, as `onboard` and `chat` do
(found by a newcomer: `--venice-api-key` existed only on those two). The option comes from the
provider's auth method, so the host names no provider."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer
from tests.support.venice_extras import venice_extras


@pytest.mark.parametrize(
    "args",
    [["usage"], ["embed", "some text"], ["image", "a fox", "-o", "fox.png"], ["models", "status"]],
    ids=["usage", "embed", "image", "models status"],
)
def test_the_key_option_is_the_key_sent(
    server: LocalServer, args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    server.respond(venice_extras())
    env = {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": ""}  # none stored
    result = run_cli(*args, "--venice-api-key", CANARY, env=env)
    assert result.code == 0, result.output
    keyed = [r for r in server.requests if "authorization" in r.headers]
    assert keyed and {r.headers["authorization"] for r in keyed} == {f"Bearer {CANARY}"}


def test_models_status_says_the_key_came_from_the_option(server: LocalServer) -> None:
    server.respond(venice_extras())
    env = {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": "from-the-environment"}
    result = run_cli("models", "status", "--json", "--venice-api-key", CANARY, env=env)
    assert result.code == 0, result.output
    assert json.loads(result.stdout)["providers"]["venice"]["keySource"] == "flag"


def test_the_option_is_in_each_commands_help() -> None:
    for args in (["usage"], ["embed"], ["image"], ["models", "status"], ["models", "attest"]):
        result = run_cli(*args, "--help")
        assert result.code == 0 and "--venice-api-key KEY" in result.stdout, args
