"""A refused key (401) says where the key came from and what to do about that source (found by
a newcomer: an exported VENICE_API_KEY overrode the key just onboarded, and the 401 sent them
back to `onboard`, which changed nothing)."""

from __future__ import annotations

from tests.conftest import run_cli
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, json_reply

MODEL = "venice/llama-3.3-70b"


def refusing(server: LocalServer, message: str = "Authentication failed") -> dict[str, str]:
    server.respond(
        lambda r: (
            json_reply({"data": []}, 503)
            if r.path.endswith("/models")
            else json_reply({"error": message}, 401, {"CF-RAY": "8f00-FRA"})
        )
    )
    return {"VENICE_BASE_URL": server.url + "/api/v1"}


def error_line(stderr: str) -> str:
    (line,) = [line for line in stderr.splitlines() if line.startswith("Error:")]
    return line


def test_a_key_from_the_environment_is_named_with_how_to_unset_it(server: LocalServer) -> None:
    env = {**refusing(server), "VENICE_API_KEY": CANARY}
    result = run_cli("chat", "-m", MODEL, "hi", env=env)
    assert result.code == 1
    line = error_line(result.stderr)
    assert line.startswith("Error: Venice 401: Authentication failed (request id 8f00-FRA); ")
    assert "the key came from VENICE_API_KEY in your environment" in line
    assert "`unset VENICE_API_KEY`" in line


def test_a_key_from_the_keyring_says_so_and_how_to_replace_it(server: LocalServer) -> None:
    env = {**refusing(server), "VENICE_API_KEY": ""}
    onboard = run_cli(
        "onboard", "--non-interactive", "--auth-choice", "venice-api-key",
        "--venice-api-key", CANARY, env=env,
    )  # fmt: skip
    assert onboard.code == 0, onboard.output
    for args in (["chat", "-m", MODEL, "hi"], ["usage"], ["embed", "text"]):
        result = run_cli(*args, env=env)
        assert result.code == 1, result.output
        line = error_line(result.stderr)
        assert "the key came from the system keyring (service openclaw, VENICE_API_KEY)" in line
        assert "store a new one with `openclaw onboard --auth-choice venice-api-key`" in line
        assert "unset" not in line


def test_a_key_given_as_an_option_is_named(server: LocalServer) -> None:
    env = {**refusing(server), "VENICE_API_KEY": ""}
    result = run_cli("chat", "-m", MODEL, "--venice-api-key", CANARY, "hi", env=env)
    assert result.code == 1
    assert "the key given with --venice-api-key was refused" in error_line(result.stderr)


def test_a_plan_refusal_is_not_blamed_on_the_key(server: LocalServer) -> None:
    env = {
        **refusing(server, "This model is only available to Pro users"),
        "VENICE_API_KEY": CANARY,
    }
    line = error_line(run_cli("chat", "-m", MODEL, "hi", env=env).stderr)
    assert "upgrade to Venice Pro" in line and "the key came from" not in line
