"""Re-onboarding keeps what the user wrote (``${VAR}``s, their own model rows) and drops
the catalog rows earlier versions froze into the file; ``${NAME}`` works in every string."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import json5

from openclaw_venice.catalog import load_bundle
from openclaw_venice.provider import model_config_entry
from openclaw_venice.runtime.catalog import Cost
from tests.conftest import run_cli
from tests.support import venice_wire
from tests.support.hygiene import CANARY, allow_secret_in
from tests.support.server import LocalServer, Reply, Request, json_reply

ONBOARD = ("onboard", "--auth-choice", "venice-api-key", "--non-interactive")
BUNDLE = load_bundle()


def config_path() -> Path:
    return Path(os.environ["OPENCLAW_STATE_DIR"]) / "openclaw.json"


def write_config(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def frozen_row(model_id: str, **changes: Any) -> dict[str, Any]:
    """A row as an earlier version of this package wrote it (with that version's price)."""
    model = next(m for m in (*BUNDLE.models, *BUNDLE.retired) if m.id == model_id)
    return model_config_entry(model._replace(replacement=None, **changes))


def live(server: LocalServer, rows: list[dict[str, Any]]) -> dict[str, str]:
    def respond(request: Request) -> Reply:
        if request.path.endswith("/models"):
            return json_reply({"data": rows})
        return venice_wire.stream_reply(venice_wire.text_stream("ok"))

    server.respond(respond)
    return {"VENICE_BASE_URL": server.url + "/api/v1"}


def priced(model_id: str, input_usd: float, output_usd: float) -> dict[str, Any]:
    pricing = {"input": {"usd": input_usd}, "output": {"usd": output_usd}}
    return {"id": model_id, "type": "text", "model_spec": {"pricing": pricing}}


def listed(env: dict[str, str], *extra: str) -> dict[str, dict[str, Any]]:
    result = run_cli("models", "list", "--json", "--refresh", *extra, env=env)
    assert result.code == 0, result.output
    models = json.loads(result.stdout)["models"]
    ids = [m["id"] for m in models]
    assert len(ids) == len(set(ids)), f"an id shown twice: {ids}"
    return {m["id"]: m for m in models}


def sent_models(server: LocalServer) -> list[str]:
    return [r.json()["model"] for r in server.requests if r.path.endswith("/chat/completions")]


def test_reonboard_after_the_live_list_changed(server: LocalServer) -> None:
    """Onboarded by an earlier version (rows frozen in the file, one of them a model Venice
    has since retired); Venice then changes a price and retires another model."""
    mine = {"id": "my-finetune", "name": "My fine-tune", "contextWindow": 8000}
    override = {"id": "llama-3.3-70b", "maxTokens": 1000}
    old_rows = [
        frozen_row("llama-3.3-70b", cost=Cost(0.1, 0.2)),
        frozen_row("qwen3-4b", cost=Cost(0.05, 0.15)),  # retired since: successor qwen3-5-9b
        frozen_row("kimi-k2-6"),
        mine,
        override,
    ]
    write_config(
        "// my config\n"
        + json.dumps({"models": {"providers": {"venice": {"models": old_rows}}}}, indent=2)
    )
    env = live(server, [priced("llama-3.3-70b", 0.7, 2.8), priced("qwen3-5-9b", 0.1, 0.4)])
    env["VENICE_API_KEY"] = CANARY
    first = run_cli(*ONBOARD, env=env)
    assert first.code == 0, first.output
    written = json5.loads(config_path().read_text())["models"]["providers"]["venice"]["models"]
    assert written == [mine, override]  # the user's rows stay, as written; ours are gone
    assert "// my config" in config_path().read_text()

    seen = listed(env)
    assert list(seen) == ["llama-3.3-70b", "qwen3-5-9b", "my-finetune"]
    assert seen["llama-3.3-70b"]["cost"]["input"] == 0.7  # Venice's price, not the frozen one
    assert seen["llama-3.3-70b"]["maxTokens"] == 1000  # the user's row wins
    assert "kimi-k2-6" not in seen  # not listed by Venice now
    assert "configured" in seen["my-finetune"]["tags"]

    result = run_cli("chat", "-m", "venice/qwen3-4b", "hi", env=env)
    assert result.code == 0, result.output
    assert "venice/qwen3-4b was retired; using its replacement venice/qwen3-5-9b" in result.stderr
    assert sent_models(server) == ["qwen3-5-9b"]  # the retired id is never sent

    # Venice changes again: a price goes up, qwen3-5-9b is retired in favour of kimi-k2-6
    env.update(live(server, [priced("llama-3.3-70b", 0.9, 3.0), priced("kimi-k2-6", 1, 4)]))
    again = run_cli(*ONBOARD, env=env)
    assert again.code == 0, again.output
    after = json5.loads(config_path().read_text())["models"]["providers"]["venice"]["models"]
    assert after == [mine, override]
    seen = listed(env)
    assert seen["llama-3.3-70b"]["cost"]["input"] == 0.9
    assert list(seen) == ["llama-3.3-70b", "kimi-k2-6", "my-finetune"]
    assert "qwen3-5-9b" not in seen and "qwen3-5-9b" in listed(env, "--all")


def test_references_are_kept_by_onboarding() -> None:
    path = write_config(
        """{
  // endpoint and key come from my environment
  models: { providers: { venice: {
    baseUrl: "${MY_URL}",
    apiKey: "${MY_KEY}",
    models: [{ id: "my-model", name: "${MODEL_NAME}" }],
  } } },
  agents: { defaults: { model: { primary: "${MY_MODEL}" } } },
}
"""
    )
    env = {
        "MY_URL": "http://127.0.0.1:9/api/v1",
        "MY_KEY": CANARY,
        "MODEL_NAME": "Mine",
        "MY_MODEL": "venice/llama-3.3-70b",
    }
    for _ in range(2):
        result = run_cli(*ONBOARD, env=env)
        assert result.code == 0, result.output
        text = path.read_text()
        venice = json5.loads(text)["models"]["providers"]["venice"]
        assert venice["baseUrl"] == "${MY_URL}"
        assert venice["apiKey"] == "${MY_KEY}"
        assert venice["models"] == [{"id": "my-model", "name": "${MODEL_NAME}"}]
        assert json5.loads(text)["agents"]["defaults"]["model"]["primary"] == "${MY_MODEL}"
        assert "http://127.0.0.1:9" not in text and CANARY not in text
        assert "// endpoint and key come from my environment" in text
    assert "venice/llama-3.3-70b (unchanged)" in result.stdout
    del env["MY_KEY"]  # the key onboarding found in MY_KEY went to the keyring, under MY_KEY
    status = run_cli("models", "status", "--json", env=env)
    assert status.code == 0, status.output
    assert json.loads(status.stdout)["providers"]["venice"]["keySource"] == "keyring"


def test_a_new_key_goes_where_the_config_reference_points() -> None:
    write_config('{"models": {"providers": {"venice": {"apiKey": "${MY_KEY}"}}}}')
    result = run_cli(*ONBOARD, "--venice-api-key", CANARY)
    assert result.code == 0, result.output
    assert json5.loads(config_path().read_text())["models"]["providers"]["venice"]["apiKey"] == (
        "${MY_KEY}"
    )
    status = run_cli("models", "status", "--json")
    assert json.loads(status.stdout)["providers"]["venice"]["keySource"] == "keyring"


def test_a_literal_key_in_the_config_moves_to_the_keyring() -> None:
    path = write_config(json.dumps({"models": {"providers": {"venice": {"apiKey": CANARY}}}}))
    allow_secret_in(path)  # the user wrote it there (the .bak must not keep it: see
    # test_onboard_backup.py)
    result = run_cli(*ONBOARD)
    assert result.code == 0, result.output
    text = config_path().read_text()
    assert CANARY not in text
    assert json5.loads(text)["models"]["providers"]["venice"]["apiKey"] == "${VENICE_API_KEY}"


def test_the_default_model_may_be_a_reference(server: LocalServer) -> None:
    write_config('{agents: {defaults: {model: {primary: "${MY_MODEL}"}}}}')
    env = live(server, [{"id": "llama-3.3-70b", "type": "text", "model_spec": {}}])
    env.update({"MY_MODEL": "venice/llama-3.3-70b", "VENICE_API_KEY": CANARY})
    status = run_cli("models", "status", env=env)
    assert "Default model: venice/llama-3.3-70b" in status.stdout
    result = run_cli("chat", "hi", env=env)
    assert result.code == 0, result.output
    assert sent_models(server) == ["llama-3.3-70b"]
    assert "default" in listed(env)["llama-3.3-70b"]["tags"]


def test_the_string_form_and_aliases_may_hold_references(server: LocalServer) -> None:
    write_config(
        '{agents: {defaults: {model: "${MY_MODEL}",'
        ' models: {"venice/llama-3.3-70b": {alias: "${NICK}"}}}}}'
    )
    env = live(server, [{"id": "llama-3.3-70b", "type": "text", "model_spec": {}}])
    env.update({"MY_MODEL": "fast", "NICK": "fast", "VENICE_API_KEY": CANARY})
    result = run_cli("chat", "hi", env=env)
    assert result.code == 0, result.output
    assert sent_models(server) == ["llama-3.3-70b"]


def test_a_missing_variable_in_the_default_model_names_it_and_its_path() -> None:
    write_config('{agents: {defaults: {model: {primary: "${MY_MODEL}"}}}}')
    result = run_cli("chat", "hi", env={"VENICE_API_KEY": CANARY})
    assert result.code != 0
    (line,) = result.stderr.strip().splitlines()
    assert "MY_MODEL" in line and "agents.defaults.model.primary" in line
