"""The public Python API: what `openclaw_venice` exports, and turns through the provider a
runtime gets from the plugin (key from the environment or the keyring)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring

import openclaw_venice
from openclaw_venice.plugin import plugin
from openclaw_venice.runtime.plugins import PluginApi
from tests.support import venice_wire
from tests.support.hygiene import CANARY
from tests.support.server import LocalServer, json_reply


def test_the_turn_types_and_errors_are_exported() -> None:
    from openclaw_venice import Context, StreamOptions, UserMessage, VeniceChat, VeniceOptions
    from openclaw_venice.chat.client import VeniceChat as Direct

    assert VeniceChat is Direct
    assert StreamOptions(venice=VeniceOptions(web_search="auto")).venice.web_search == "auto"
    assert Context(messages=[UserMessage("hi")]).messages[0].role == "user"
    assert issubclass(openclaw_venice.InsufficientBalanceError, openclaw_venice.VeniceError)
    assert set(openclaw_venice.__all__) <= set(dir(openclaw_venice))
    for name in openclaw_venice.__all__:
        assert getattr(openclaw_venice, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = openclaw_venice.Nope  # type: ignore[attr-defined]


def test_importing_the_package_loads_nothing_heavy() -> None:
    code = (
        "import sys, openclaw_venice\n"
        "heavy = {'httpx', 'pydantic', 'json5', 'keyring', 'platformdirs'} & set(sys.modules)\n"
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def registered_provider() -> openclaw_venice.VeniceProvider:
    api = PluginApi("venice")
    plugin.register(api)
    provider = api.providers["venice"]
    assert isinstance(provider, openclaw_venice.VeniceProvider)
    return provider


def test_the_registered_provider_streams_a_turn(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VENICE_API_KEY", CANARY)
    monkeypatch.setenv("VENICE_BASE_URL", server.url + "/api/v1")
    server.respond(lambda r: venice_wire.stream_reply(venice_wire.text_stream("Hello there!")))
    provider = registered_provider()
    context = openclaw_venice.Context(messages=[openclaw_venice.UserMessage("Hi")])

    async def turn() -> list[str]:
        events = [e async for e in provider.stream("venice/llama-3.3-70b", context)]
        await provider.client().aclose()
        return [e.type for e in events]

    types = asyncio.run(turn())
    assert types[0] == "start" and types[-1] == "done" and "text_delta" in types
    assert server.requests[-1].headers["authorization"] == f"Bearer {CANARY}"


def test_the_provider_finds_the_key_in_the_keyring(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring" / "keyring_pass.cfg")  # type: ignore[misc]
    keyring.set_keyring(backend)
    backend.set_password("openclaw", "VENICE_API_KEY", CANARY)
    monkeypatch.setenv("VENICE_BASE_URL", server.url + "/api/v1")
    server.respond(lambda r: venice_wire.stream_reply(venice_wire.text_stream("From keyring")))
    provider = registered_provider()
    context = openclaw_venice.Context(messages=[openclaw_venice.UserMessage("Hi")])
    try:
        message = provider.complete_sync("venice/llama-3.3-70b", context)
    finally:
        provider.client().close()
    assert message.text == "From keyring"
    assert server.requests[-1].headers["authorization"] == f"Bearer {CANARY}"


def test_the_provider_without_a_key_says_how_to_get_one(tmp_path: Path) -> None:
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring" / "empty.cfg")  # type: ignore[misc]
    keyring.set_keyring(backend)
    with pytest.raises(openclaw_venice.SecretError, match="openclaw onboard"):
        registered_provider().client()


def test_the_python_page_example_runs(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    page = (Path(__file__).parent.parent / "docs" / "python.md").read_text()
    example = page.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.setenv("VENICE_API_KEY", CANARY)
    monkeypatch.setenv("VENICE_BASE_URL", server.url + "/api/v1")
    server.respond(lambda r: venice_wire.stream_reply(venice_wire.text_stream("Hello there!")))
    out = subprocess.run(
        [sys.executable, "-c", example], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Hello there!")
    assert CANARY not in out.stdout + out.stderr, "the API key leaked into the output"
    body = server.requests[-1].json()
    assert body["model"] == "kimi-k2-6" and body["reasoning_effort"] == "low"
    assert body["venice_parameters"]["enable_web_search"] == "auto"


def test_the_python_page_example_reports_a_failed_turn(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new user's copy of the example must not print nothing and exit 0 when Venice refuses
    the turn (found by a cold trial): it prints one Error: line and exits 1."""
    page = (Path(__file__).parent.parent / "docs" / "python.md").read_text()
    example = page.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.setenv("VENICE_API_KEY", CANARY)
    monkeypatch.setenv("VENICE_BASE_URL", server.url + "/api/v1")
    server.respond(
        lambda r: json_reply({"data": [{"id": "kimi-k2-6", "type": "text", "model_spec": {}}]})
        if r.path.endswith("/models")  # the live list (public: no key needed)
        else json_reply({"error": "Authentication failed"}, status=401)
    )
    out = subprocess.run(
        [sys.executable, "-c", example], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 1, out.stdout + out.stderr
    (line,) = out.stderr.strip().splitlines()
    assert line.startswith("Error: Venice 401") and "openclaw onboard" in line
    assert CANARY not in out.stdout + out.stderr, "the API key leaked into the output"
