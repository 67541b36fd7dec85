"""The real Hermes Agent (``hermes-agent`` 0.19.0 from the test extra) drives the plugin:
``openclaw hermes install`` writes the plugin folders, then the installed ``hermes`` console
script runs turns against a Venice stand-in on 127.0.0.1. Each test asserts what reached
"Venice" (bodies, headers) and what Hermes printed.

Hermes 0.19.0 facts these tests stand on (read from its wheel): provider plugins are folders
``$HERMES_HOME/plugins/model-providers/<name>/``; ``hermes -z`` prints only the final answer;
``hermes chat -Q -q`` is the quiet one-query mode that also passes ``agent.reasoning_effort``.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from openclaw_venice.identity import USER_AGENT
from openclaw_venice.runtime.secrets import keyring_set
from tests.conftest import run_cli
from tests.support import venice_wire as wire
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer
from tests.support.venice_standin import (
    LIVE_MAX_TOKENS,
    LIVE_USD_IN,
    LIVE_USD_OUT,
    MODEL,
    assert_no_fingerprint,
    chats,
    read_file_turn,
    venice,
)

HERMES = Path(sys.executable).with_name("hermes")
pytestmark = pytest.mark.skipif(
    sys.version_info >= (3, 14), reason="hermes-agent 0.19.0 supports Python 3.11 to 3.13"
)


@pytest.fixture
def hermes_home(tmp_path: Path) -> Path:
    home = tmp_path / "hermes-home"
    result = run_cli("hermes", "install", env={"HERMES_HOME": str(home)})
    assert result.code == 0, result.output
    return home


def hermes(
    server: LocalServer,
    home: Path,
    *args: str,
    key: str | None = CANARY,
    base_url_env: bool = True,
    timeout: float = 300,
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Run the installed ``hermes`` with ``--usage-file``; returns the process and report."""
    assert HERMES.exists(), "hermes-agent is not installed: pip install -e '.[test]'"
    work = home.parent / "work"
    work.mkdir(exist_ok=True)
    usage = home.parent / "usage.json"
    env = {
        **os.environ,
        "HERMES_HOME": str(home),
        "VENICE_BASE_URL": server.url + "/api/v1",
    }
    env.pop("VENICE_API_KEY", None)
    if not base_url_env:
        env.pop("VENICE_BASE_URL")
    if key is not None:
        env["VENICE_API_KEY"] = key
    proc = subprocess.run(
        [str(HERMES), *args, "--usage-file", str(usage)]
        if args[0] == "-z"
        else [str(HERMES), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    assert CANARY not in proc.stdout + proc.stderr, "the API key leaked into Hermes' output"
    report = json.loads(usage.read_text()) if usage.exists() else {}
    return proc, report


def test_a_plain_turn_follows_venices_rules(server: LocalServer, hermes_home: Path) -> None:
    server.respond(venice([wire.text_stream("Hi from Venice!")]))
    proc, report = hermes(server, hermes_home, "-z", "Say hi", "--provider", "venice", "-m", MODEL)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "Hi from Venice!\n"
    [request] = chats(server)
    body = request.json()
    assert_no_fingerprint(request)
    # not "AsyncOpenAI/Python 2.x" (the SDK, its version and Python's): our own
    assert request.headers["user-agent"] == USER_AGENT
    assert body["model"] == MODEL
    assert body["venice_parameters"] == {"include_venice_system_prompt": False}
    assert body["max_tokens"] == LIVE_MAX_TOKENS  # the live catalog's limit for the model
    assert "reasoning_effort" not in body  # none configured: the model's default
    session = report["session_id"]
    assert body["prompt_cache_key"] == hashlib.sha256(session.encode()).hexdigest()[:32]
    assert session not in request.body.decode()
    assert body["messages"][-1] == {"role": "user", "content": "Say hi"}
    assert body["tools"], "Hermes offers its agent tools"
    # Hermes' cost estimate uses our catalog's live prices (12 prompt, 5 completion tokens)
    assert report["cost_source"] == "provider_models_api"
    expected = (12 * LIVE_USD_IN + 5 * LIVE_USD_OUT) / 1_000_000
    assert report["estimated_cost_usd"] == pytest.approx(expected)
    # the catalog answered Hermes' metadata questions: no probing of other endpoints
    probes = [
        r.path for r in server.requests if r.path != "/api/v1/models" and r not in chats(server)
    ]
    assert probes == []


def test_a_reasoning_turn_clamps_the_effort(server: LocalServer, hermes_home: Path) -> None:
    (hermes_home / "config.yaml").write_text("agent:\n  reasoning_effort: xhigh\n")
    thinking = [
        wire.chunk({"role": "assistant", "content": ""}),
        wire.chunk({"reasoning_content": "The user greets me. "}),
        wire.chunk({"reasoning_content": "I greet back."}),
        wire.chunk({"content": "Hello, thinker!"}),
        wire.chunk({}, "stop"),
        wire.usage_chunk(),
    ]
    server.respond(venice([thinking]))
    proc, _ = hermes(server, hermes_home, "-z", "Say hi", "--provider", "venice", "-m", MODEL)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "Hello, thinker!\n"  # the reasoning is not printed as the answer
    [request] = chats(server)
    body = request.json()
    assert body["reasoning_effort"] == "high"  # xhigh clamped to kimi-k2-6's highest
    assert "disable_thinking" not in body["venice_parameters"]
    assert_no_fingerprint(request)


def test_thinking_off_sends_disable_thinking(server: LocalServer, hermes_home: Path) -> None:
    config = "agent:\n  reasoning_effort: none\nmodel:\n  max_tokens: 999999\n"
    (hermes_home / "config.yaml").write_text(config)
    server.respond(venice([wire.text_stream("No thoughts, just hi.")]))
    proc, _ = hermes(
        server, hermes_home, "chat", "-Q", "-q", "Say hi", "--provider", "venice", "-m", MODEL
    )
    assert proc.returncode == 0, proc.stderr
    assert "No thoughts, just hi." in proc.stdout
    [request] = chats(server)
    body = request.json()
    assert body["venice_parameters"] == {
        "include_venice_system_prompt": False,
        "disable_thinking": True,
    }
    assert body["reasoning_effort"] == "none"
    assert body["max_tokens"] == LIVE_MAX_TOKENS  # Hermes' configured 999999, brought down


def test_a_tool_using_turn(server: LocalServer, hermes_home: Path) -> None:
    work = hermes_home.parent / "work"
    work.mkdir()
    (work / "notes.txt").write_text("the secret word is pineapple\n")
    server.respond(venice([read_file_turn(), wire.text_stream("The word is pineapple.")]))
    proc, report = hermes(
        server,
        hermes_home,
        "-z",
        "What is the secret word in notes.txt?",
        "-m",
        MODEL,
        "--provider",
        "venice",
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "The word is pineapple.\n"
    first, second = chats(server)
    assert "read_file" in [t["function"]["name"] for t in first.json()["tools"]]
    messages = second.json()["messages"]
    assistant = next(m for m in messages if m.get("tool_calls"))
    assert assistant["tool_calls"][0]["function"]["name"] == "read_file"
    [result] = [m for m in messages if m["role"] == "tool"]
    assert result["tool_call_id"] == "call_1"
    assert "pineapple" in result["content"]
    for request in (first, second):
        assert_no_fingerprint(request)
        assert request.json()["venice_parameters"] == {"include_venice_system_prompt": False}
        assert request.json()["prompt_cache_key"] == first.json()["prompt_cache_key"]
    assert report["api_calls"] == 2


def test_the_key_comes_from_our_keyring(server: LocalServer, hermes_home: Path) -> None:
    assert keyring_set("VENICE_API_KEY", SecretStr(CANARY))
    server.respond(venice([wire.text_stream("Keyring works.")]))
    proc, _ = hermes(
        server, hermes_home, "-z", "Say hi", "--provider", "venice", "-m", MODEL, key=None
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "Keyring works.\n"
    [request] = chats(server)
    assert request.headers["authorization"] == f"Bearer {CANARY}"


def test_without_any_key_hermes_names_the_variable(server: LocalServer, hermes_home: Path) -> None:
    server.respond(venice([]))
    proc, _ = hermes(
        server, hermes_home, "-z", "Say hi", "--provider", "venice", "-m", MODEL, key=None
    )
    assert proc.returncode != 0
    assert "VENICE_API_KEY" in proc.stderr
    assert chats(server) == []


def test_a_model_without_function_calling_gets_the_turn_without_tools(
    server: LocalServer, hermes_home: Path
) -> None:
    """Hermes offers its tools on every turn; Venice fails a whole request with tools for a
    model without function calling, so the bridge leaves them out (as our own client does)."""
    server.respond(venice([wire.text_stream("Hello without tools.")]))
    proc, _ = hermes(
        server, hermes_home, "-z", "Say hi", "--provider", "venice", "-m", "hermes-3-llama-3.1-405b"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "Hello without tools.\n"
    [request] = chats(server)
    body = request.json()
    assert "tools" not in body
    assert body["model"] == "hermes-3-llama-3.1-405b"
    assert body["max_tokens"] == 12288  # its limit in the catalog


def test_the_key_handed_to_hermes_stays_out_of_its_tools_commands(
    server: LocalServer, hermes_home: Path
) -> None:
    """The keyring's key goes into the Hermes process's environment; Hermes strips the
    provider's key variable from what its terminal tool runs."""
    assert keyring_set("VENICE_API_KEY", SecretStr(CANARY))
    command = json.dumps({"command": 'echo "key=[${VENICE_API_KEY:-unset}]"'})
    call = {"index": 0, "id": "call_env", "type": "function"}
    tool_turn = [
        wire.chunk({"role": "assistant", "content": None}),
        wire.chunk(
            {"tool_calls": [{**call, "function": {"name": "terminal", "arguments": command}}]}
        ),
        wire.chunk({}, "tool_calls"),
        wire.usage_chunk(40, 20),
    ]
    server.respond(venice([tool_turn, wire.text_stream("Done.")]))
    proc, _ = hermes(
        server, hermes_home, "-z", "Show the key", "--provider", "venice", "-m", MODEL, key=None
    )
    assert proc.returncode == 0, proc.stderr
    first, second = chats(server)
    assert first.headers["authorization"] == f"Bearer {CANARY}"
    [result] = [m for m in second.json()["messages"] if m["role"] == "tool"]
    assert "key=[unset]" in result["content"]
    assert CANARY not in second.body.decode()


def test_an_e2ee_model_is_never_sent_in_the_clear(server: LocalServer, hermes_home: Path) -> None:
    """Hermes cannot do Venice's E2EE (key exchange, attestation): the turn is refused before
    anything is sent, for a listed e2ee model and for one the catalog does not know."""
    server.respond(venice([wire.text_stream("should not happen")]))
    for model in ("e2ee-glm-5-1", "e2ee-model-from-the-future"):
        proc, _ = hermes(server, hermes_home, "-z", "Say hi", "--provider", "venice", "-m", model)
        assert "end-to-end encrypted" in proc.stdout + proc.stderr
        assert "should not happen" not in proc.stdout
    assert chats(server) == []


def test_the_base_url_comes_from_our_config(
    server: LocalServer, hermes_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No ``VENICE_BASE_URL``: the endpoint is the one our config file names (with a comment
    and a ``${VAR}``, as a person writes it)."""
    config = Path(os.environ["OPENCLAW_STATE_DIR"]) / "openclaw.json"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "{\n  // where Venice is\n"
        "  models: {providers: {venice: {baseUrl: '${STAND_IN}/api/v1'}}},\n}\n"
    )
    monkeypatch.setenv("STAND_IN", server.url)
    server.respond(venice([wire.text_stream("Configured endpoint.")]))
    proc, _ = hermes(
        server, hermes_home, "-z", "Say hi", "--provider", "venice", "-m", MODEL, base_url_env=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "Configured endpoint.\n"
    [request] = chats(server)
    assert request.json()["venice_parameters"] == {"include_venice_system_prompt": False}


# A Hermes plugin of the test's own (Hermes' plugin interface: a folder with plugin.yaml and
# register(ctx), enabled in config.yaml) that moves Hermes' clock 301 s on as a request goes
# out: for agent.model_metadata, whose ``time.time()`` dates its 300 s endpoint cache
# (_ENDPOINT_MODEL_CACHE_TTL in hermes-agent 0.19.0), the request took over five minutes, as
# a long reasoning turn can.
CLOCK_PLUGIN = '''
import time as real_time

from agent import model_metadata


class Later:
    """The time module, 301 s later."""

    def __getattr__(self, name):
        return getattr(real_time, name)

    def time(self):
        return real_time.time() + 301


def _five_minutes_pass(**_):
    model_metadata.time = Later()


def register(ctx):
    ctx.register_hook("pre_api_request", _five_minutes_pass)
'''


def test_prices_reach_hermes_after_its_metadata_cache_expired(
    server: LocalServer, hermes_home: Path
) -> None:
    plugin = hermes_home / "plugins" / "clock"
    plugin.mkdir(parents=True)
    (plugin / "plugin.yaml").write_text("name: clock\nversion: 1.0.0\n")
    (plugin / "__init__.py").write_text(CLOCK_PLUGIN)
    (hermes_home / "config.yaml").write_text("plugins:\n  enabled:\n    - clock\n")
    server.respond(venice([wire.text_stream("Hi, five minutes later.")]))
    proc, report = hermes(server, hermes_home, "-z", "Say hi", "--provider", "venice", "-m", MODEL)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "Hi, five minutes later.\n"
    [request] = chats(server)
    assert request.json()["max_tokens"] == LIVE_MAX_TOKENS
    # the estimate made after the (five-minute) request still has our catalog's live prices
    assert report["cost_source"] == "provider_models_api"
    expected = (12 * LIVE_USD_IN + 5 * LIVE_USD_OUT) / 1_000_000
    assert report["estimated_cost_usd"] == pytest.approx(expected)
    # and Hermes did not ask /models again to refill its cache: its one listing with the key
    # is the one every run makes at start (before the request; test_a_plain_turn sees it too)
    listings = [r for r in server.requests if r.path == "/api/v1/models"]
    assert sum("authorization" in r.headers for r in listings) == 1
