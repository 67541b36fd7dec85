"""One way to resolve the provider's settings (issue 11 item 10): ``VeniceProvider.stream``
and ``.complete`` (the Python runtime's way in) honour the config file's ``baseUrl`` and find
the key in the same order as the ``openclaw`` command, shown by sending both through the
same setups to a loopback server and comparing what arrived."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring

from openclaw_venice import Context, UserMessage, VeniceProvider
from openclaw_venice.runtime.plugins import host_api_key, host_context, provider_cache_dir
from tests.conftest import run_cli
from tests.support import venice_wire
from tests.support.hygiene import CANARY, allow_secret_in
from tests.support.server import LocalServer, Reply, Request, json_reply

OTHER = CANARY + "-other"  # a second key: which one arrives says which source won


def answer(request: Request) -> Reply:
    if request.path.endswith("/models"):
        row = {"id": "llama-3.3-70b", "type": "text", "model_spec": {"name": "Llama"}}
        return json_reply({"object": "list", "data": [row]})
    return venice_wire.stream_reply(venice_wire.text_stream("ok"))


def write_config(state: Path, config: dict[str, Any]) -> None:
    """The user's config file; one that holds a key (a literal ``apiKey``, an ``env`` block)
    is a secret store the user chose, declared as such to the hygiene scan."""
    state.mkdir(parents=True, exist_ok=True)
    path = state / "openclaw.json"
    text = json.dumps(config)
    path.write_text(text)
    if CANARY in text:
        allow_secret_in(path)


def python_turn(provider: VeniceProvider) -> None:
    context = Context(messages=[UserMessage("hi")])

    async def turns() -> None:
        await provider.complete("venice/llama-3.3-70b", context)
        async for _ in provider.stream("venice/llama-3.3-70b", context):
            pass
        await provider.client().aclose()

    asyncio.run(turns())


def chats(server: LocalServer) -> list[Request]:
    return [r for r in server.requests if r.path.endswith("/chat/completions")]


@pytest.fixture
def no_base_url_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VENICE_BASE_URL")


@pytest.mark.usefixtures("no_base_url_env")
def test_the_configured_base_url_is_used_from_python_and_the_cli(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch, isolated_env: dict[str, str]
) -> None:
    server.respond(answer)
    state = Path(isolated_env["OPENCLAW_STATE_DIR"])
    provider_block = {"baseUrl": "${MY_PROXY}/api/v1", "apiKey": "${VENICE_API_KEY}"}
    write_config(state, {"models": {"providers": {"venice": provider_block}}})
    monkeypatch.setenv("MY_PROXY", server.url)
    monkeypatch.setenv("VENICE_API_KEY", CANARY)
    python_turn(VeniceProvider())
    assert [r.path for r in chats(server)] == ["/api/v1/chat/completions"] * 2
    result = run_cli("chat", "-m", "venice/llama-3.3-70b", "hi")
    assert result.code == 0, result.output
    assert len(chats(server)) == 3
    # VENICE_BASE_URL still comes first, for both
    monkeypatch.setenv("VENICE_BASE_URL", "http://127.0.0.1:9/api/v1")
    assert host_context(VeniceProvider()).config["baseUrl"] == server.url + "/api/v1"
    assert VeniceProvider().client().base_url == "http://127.0.0.1:9/api/v1"


def set_keyring(tmp_path: Path, values: dict[str, str]) -> None:
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring" / "keyring_pass.cfg")  # type: ignore[misc]
    keyring.set_keyring(backend)
    for name, value in values.items():
        backend.set_password("openclaw", name, value)


SETUPS: dict[str, tuple[dict[str, str], dict[str, Any], dict[str, str], str]] = {
    # name: (env, config, keyring, the key that must arrive)
    "env over keyring": ({"VENICE_API_KEY": CANARY}, {}, {"VENICE_API_KEY": OTHER}, CANARY),
    "the variable apiKey names": (
        {"TEAM_VENICE_KEY": CANARY, "VENICE_API_KEY": OTHER},
        {"models": {"providers": {"venice": {"apiKey": "${TEAM_VENICE_KEY}"}}}},
        {},
        CANARY,
    ),
    "config env block over keyring": (
        {}, {"env": {"VENICE_API_KEY": CANARY}}, {"VENICE_API_KEY": OTHER}, CANARY,
    ),
    "keyring over a literal apiKey": (
        {}, {"models": {"providers": {"venice": {"apiKey": OTHER}}}},
        {"VENICE_API_KEY": CANARY}, CANARY,
    ),
    "a literal apiKey": ({}, {"models": {"providers": {"venice": {"apiKey": CANARY}}}}, {}, CANARY),
}  # fmt: skip


@pytest.mark.parametrize("setup", SETUPS)
def test_the_key_is_found_in_the_clis_order(
    setup: str,
    server: LocalServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    isolated_env: dict[str, str],
) -> None:
    env, config, in_keyring, expected = SETUPS[setup]
    server.respond(answer)
    monkeypatch.delenv("VENICE_BASE_URL")
    config = json.loads(json.dumps(config))
    config.setdefault("models", {}).setdefault("providers", {}).setdefault("venice", {})
    config["models"]["providers"]["venice"]["baseUrl"] = server.url + "/api/v1"
    write_config(Path(isolated_env["OPENCLAW_STATE_DIR"]), config)
    set_keyring(tmp_path, in_keyring)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert host_api_key(VeniceProvider()).get_secret_value() == expected
    python_turn(VeniceProvider())
    keyring_file = {"PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
                    "XDG_DATA_HOME": str(tmp_path / "keyring-home")}  # fmt: skip
    if in_keyring:  # the CLI subprocess reads the same file through keyrings.alt's default
        keyring_dir = Path(keyring_file["XDG_DATA_HOME"]) / "python_keyring"
        keyring_dir.mkdir(parents=True)
        (keyring_dir / "keyring_pass.cfg").write_bytes(
            (tmp_path / "keyring" / "keyring_pass.cfg").read_bytes()
        )
    result = run_cli("chat", "-m", "venice/llama-3.3-70b", "hi", env=keyring_file)
    assert result.code == 0, result.output
    keys = [r.headers["authorization"] for r in chats(server)]
    assert keys == [f"Bearer {expected}"] * 3


def test_the_cache_dir_is_the_hosts(isolated_env: dict[str, str]) -> None:
    ctx = host_context(VeniceProvider())
    assert ctx.cache_dir == provider_cache_dir("venice")
    assert (
        ctx.cache_dir == Path(isolated_env["XDG_CACHE_HOME"]) / "openclaw" / "providers" / "venice"
    )


@pytest.mark.usefixtures("no_base_url_env")
def test_the_context_shows_no_key(
    isolated_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A literal ``apiKey`` in the config block, and a key in the env, stay out of the
    context's repr (a runtime may log it)."""
    block = {"baseUrl": "http://127.0.0.1:9/api/v1", "apiKey": CANARY}
    write_config(
        Path(isolated_env["OPENCLAW_STATE_DIR"]), {"models": {"providers": {"venice": block}}}
    )
    monkeypatch.setenv("VENICE_API_KEY", CANARY)
    ctx = host_context(VeniceProvider())
    assert ctx.config["apiKey"] == CANARY  # it is there, for the provider
    assert CANARY not in repr(ctx) and CANARY not in str(ctx)
    assert CANARY not in repr(VeniceProvider().client())
