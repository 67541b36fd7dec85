"""``openclaw chat`` through the CLI (``run_cli``), against a local Venice-shaped server."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.support import venice_wire
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, Reply, Request, json_reply
from tests.support.terminal import Terminal

MODELS_ROW = {
    "id": "llama-3.3-70b",
    "type": "text",
    "model_spec": {"name": "Llama 3.3 70B", "availableContextTokens": 131072},
}


def venice(server: LocalServer, chat: Any) -> dict[str, str]:
    """Serve ``/models`` and ``/chat/completions``; the env that points the CLI at it."""

    def respond(request: Request) -> Reply | None:
        if request.path.endswith("/models"):
            return json_reply({"object": "list", "data": [MODELS_ROW]})
        return chat(request) if callable(chat) else chat

    server.respond(respond)
    return {"VENICE_BASE_URL": server.url + "/api/v1", "VENICE_API_KEY": CANARY}


def bodies(server: LocalServer) -> list[dict[str, Any]]:
    return [r.json() for r in server.requests if r.path.endswith("/chat/completions")]


def test_prompt_is_streamed_to_stdout(server: LocalServer) -> None:
    env = venice(server, venice_wire.stream_reply(venice_wire.text_stream("Hello there!")))
    result = run_cli("chat", "--model", "venice/llama-3.3-70b", "Say hello", env=env)
    assert result.code == 0, result.output
    assert result.stdout == "Hello there!\n"
    body = bodies(server)[0]
    assert body["messages"] == [{"role": "user", "content": "Say hello"}]
    assert body["venice_parameters"]["include_venice_system_prompt"] is False


def test_piped_stdin_is_the_prompt_and_default_model_from_config(server: LocalServer) -> None:
    env = venice(server, venice_wire.stream_reply(venice_wire.text_stream("Yes.")))
    assert run_cli("models", "set", "venice/llama-3.3-70b", env=env).code == 0
    result = run_cli("chat", input="Is this piped?\n", env=env)
    assert result.code == 0 and result.stdout == "Yes.\n"
    assert bodies(server)[0]["messages"][0]["content"] == "Is this piped?"  # no trailing newline


def test_json_output_has_usage_cost_request_id_balance(server: LocalServer) -> None:
    env = venice(server, venice_wire.stream_reply(venice_wire.text_stream("Hi")))
    result = run_cli("chat", "-m", "venice/llama-3.3-70b", "--json", "hi", env=env)
    payload = json.loads(result.stdout)
    assert payload["text"] == "Hi" and payload["stopReason"] == "stop"
    assert payload["usage"]["input"] == 12 and payload["cost"] == pytest.approx(0.00042)
    assert payload["requestId"] == "8f1e2d3c4b5a-AMS"
    assert payload["balance"] == {"usd": 12.5, "diem": 3}
    assert payload["rateLimits"]["rateLimitRemainingRequests"] == 499


def test_options_reach_the_request(server: LocalServer, tmp_path: Path) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text('{"type": "object", "properties": {"n": {"type": "integer"}}}')
    env = venice(server, venice_wire.stream_reply(venice_wire.text_stream('{"n": 3}')))
    args = ["chat", "-m", "venice/llama-3.3-70b", "--system", "Be brief.", "--max-tokens", "50",
            "--temperature", "0.2", "--web-search", "auto", "--web-citations",
            "--venice-system-prompt", "--json-schema", str(schema),
            "count"]  # fmt: skip
    assert run_cli(*args, env=env).code == 0
    body = bodies(server)[0]
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}
    assert body["max_completion_tokens"] == 50 and body["temperature"] == 0.2
    assert body["response_format"]["type"] == "json_schema"
    assert body["venice_parameters"] == {
        "include_venice_system_prompt": True,
        "enable_web_search": "auto",
        "enable_web_citations": True,
    }  # --character: tests/test_characters.py (checked with Venice first)


def test_image_to_a_text_model_is_a_one_line_error(server: LocalServer, tmp_path: Path) -> None:
    image = tmp_path / "dot.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    env = venice(server, venice_wire.stream_reply(venice_wire.text_stream()))
    result = run_cli("chat", "-m", "venice/llama-3.3-70b", "--image", str(image), "what?", env=env)
    assert result.code == 1
    assert result.stderr.strip().splitlines()[-1].startswith("Error: venice/llama-3.3-70b does")
    assert bodies(server) == []


@pytest.mark.parametrize(
    ("status", "hint"),
    [(402, "https://venice.ai/settings/api"), (401, "openclaw onboard"), (500, "try again")],
)
def test_api_errors_are_one_line(server: LocalServer, status: int, hint: str) -> None:
    env = venice(server, json_reply({"error": "no"}, status, {"Retry-After": "0"}))
    result = run_cli("chat", "-m", "venice/llama-3.3-70b", "hi", env=env)
    assert result.code == 1 and hint in result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("Error:")]


def test_missing_key_says_how_to_fix_it(server: LocalServer) -> None:
    env = venice(server, venice_wire.stream_reply(venice_wire.text_stream()))
    env["VENICE_API_KEY"] = ""
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    result = run_cli("chat", "-m", "venice/llama-3.3-70b", "hi", env=env)
    assert result.code == 1 and "openclaw onboard --auth-choice venice-api-key" in result.stderr


def test_without_a_configured_default_the_providers_default_model_answers(
    server: LocalServer,
) -> None:
    from openclaw_venice.provider import VeniceProvider

    default_row = {**MODELS_ROW, "id": VeniceProvider.default_model}
    env = venice(server, venice_wire.stream_reply(venice_wire.text_stream("Hi.")))
    server.respond(lambda r: json_reply({"data": [MODELS_ROW, default_row]})
                   if r.path.endswith("/models")
                   else venice_wire.stream_reply(venice_wire.text_stream("Hi.")))  # fmt: skip
    result = run_cli("chat", "hi", env=env)  # right after install: no config file at all
    assert result.code == 0, result.output
    assert result.stdout == "Hi.\n"
    assert bodies(server)[0]["model"] == VeniceProvider.default_model


def test_onboard_then_chat_with_the_key_from_the_keyring(server: LocalServer) -> None:
    env = venice(server, venice_wire.stream_reply(venice_wire.text_stream("Welcome.")))
    key_env = {**env, "VENICE_API_KEY": ""}
    onboard = run_cli(
        "onboard", "--non-interactive", "--auth-choice", "venice-api-key",
        "--venice-api-key", CANARY, "--set-default", env=key_env,
    )  # fmt: skip
    assert onboard.code == 0, onboard.output
    result = run_cli("chat", "-m", "venice/llama-3.3-70b", "hello", env=key_env)
    assert result.code == 0 and result.stdout == "Welcome.\n"
    assert server.requests[-1].headers["authorization"] == f"Bearer {CANARY}"


def test_terminal_session_keeps_history(server: LocalServer) -> None:
    answers = iter(["First answer.", "Second answer."])
    env = venice(server, lambda r: venice_wire.stream_reply(venice_wire.text_stream(next(answers))))
    with Terminal("chat", "-m", "venice/llama-3.3-70b", env=env) as term:
        term.read_until(b"> ")
        term.type("one\n")
        term.read_until(b"First answer.")
        term.type("two\n")
        term.read_until(b"Second answer.")
        term.type("/exit\n")
        assert term.wait() == 0
    second = bodies(server)[1]["messages"]
    assert [m["role"] for m in second] == ["user", "assistant", "user"]
    assert second[1]["content"] == "First answer."


def test_ctrl_c_stops_cleanly(server: LocalServer) -> None:
    def slow(request: Request) -> Reply:
        chunks = (venice_wire.sse([venice_wire.chunk({"content": "tick "})], False)
                  for _ in range(1000))  # fmt: skip
        return Reply(200, (time.sleep(0.02) or c for c in chunks), venice_wire.HEADERS)

    env = venice(server, slow)
    with Terminal("chat", "-m", "venice/llama-3.3-70b", "count", env=env) as term:
        term.read_until(b"tick tick")
        term.interrupt()
        output = term.read_until(b"Interrupted.")
        assert term.wait(10) == 130
    assert b"Traceback" not in output
