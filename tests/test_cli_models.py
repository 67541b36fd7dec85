"""``openclaw models ...`` through the CLI (``run_cli``)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.support.dists import install, path_env
from tests.support.server import LocalServer, json_reply

ROWS = [
    {"id": "llama-3.3-70b", "type": "text", "model_spec": {"privacy": "private"}},
    {"id": "claude-opus-4-5", "type": "text", "model_spec": {"privacy": "anonymized"}},
    {"id": "e2ee-glm-5-1", "type": "text", "model_spec": {"capabilities": {"supportsE2EE": True}}},
]


def serve(server: LocalServer, rows: list[Any] = ROWS) -> dict[str, str]:
    server.respond(lambda r: json_reply({"data": rows}))
    return {"VENICE_BASE_URL": server.url + "/api/v1"}


def list_json(*extra: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = run_cli("models", "list", "--json", *extra, env=env)
    assert result.code == 0, result.output
    payload: dict[str, Any] = json.loads(result.stdout)
    return payload


def config_file() -> Path:
    return Path(os.environ["OPENCLAW_STATE_DIR"]) / "openclaw.json"


def test_offline_list_shows_the_bundle_and_says_so() -> None:
    result = run_cli("models", "list")
    assert result.code == 0
    assert "venice/llama-3.3-70b" in result.stdout
    assert "bundled catalog" in result.stderr  # stdout is a pipe here: it holds rows only
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1


def test_offline_json() -> None:
    payload = list_json()
    assert payload["source"] == "bundled"
    by_id = {m["id"]: m for m in payload["models"]}
    model = by_id["claude-opus-4-5"]
    assert model["ref"] == "venice/claude-opus-4-5" and model["provider"] == "venice"
    assert model["privacy"] == "anonymized" and model["input"] == ["text", "image"]
    assert set(model) >= {
        "name",
        "reasoning",
        "contextWindow",
        "maxTokens",
        "supportsTools",
        "cost",
        "tags",
    }
    assert set(model["cost"]) == {"input", "output", "cacheRead", "cacheWrite"}
    assert "qwen3-4b" not in by_id  # retired: shown with --all only
    everything = {m["id"]: m for m in list_json("--all")["models"]}
    assert "retired" in everything["qwen3-4b"]["tags"] and everything["qwen3-4b"]["replacement"]


def test_live_then_cache(server: LocalServer) -> None:
    env = serve(server)
    live = list_json(env=env)
    assert live["source"] == "live"
    assert [m["id"] for m in live["models"]] == [r["id"] for r in ROWS]
    assert "e2ee" in live["models"][2]["tags"]
    cached = list_json(env=env)
    assert cached["source"] == "cache" and len(server.requests) == 1
    refreshed = list_json("--refresh", env=env)
    assert refreshed["source"] == "live" and len(server.requests) == 2


@pytest.mark.parametrize(
    ("flag", "check"),
    [
        ("--private", lambda m: m["privacy"] == "private"),
        ("--anonymized", lambda m: m["privacy"] == "anonymized"),
        ("--vision", lambda m: "image" in m["input"]),
        ("--tools", lambda m: m["supportsTools"]),
        ("--reasoning", lambda m: m["reasoning"]),
    ],
)
def test_filters(flag: str, check: Any) -> None:
    everything = list_json()["models"]
    chosen = list_json(flag)["models"]
    assert chosen and len(chosen) < len(everything)
    assert all(check(m) for m in chosen)
    assert [m for m in everything if check(m)] == chosen


def test_set_writes_the_config_and_keeps_other_keys() -> None:
    path = config_file()
    path.parent.mkdir(parents=True)
    original = {"gateway": {"port": 18789}, "agents": {"defaults": {"workspace": "/w"}}}
    path.write_text(json.dumps(original))
    result = run_cli("models", "set", "venice/llama-3.3-70b")
    assert result.code == 0, result.output
    data = json.loads(path.read_text())
    assert data["agents"]["defaults"]["model"]["primary"] == "venice/llama-3.3-70b"
    assert data["gateway"] == {"port": 18789} and data["agents"]["defaults"]["workspace"] == "/w"
    shown = {m["id"]: m["tags"] for m in list_json()["models"]}
    assert "default" in shown["llama-3.3-70b"]


def test_set_creates_a_missing_config() -> None:
    assert run_cli("models", "set", "venice/deepseek-v3.2").code == 0
    data = json.loads(config_file().read_text())
    assert data == {"agents": {"defaults": {"model": {"primary": "venice/deepseek-v3.2"}}}}


@pytest.mark.parametrize(
    ("seed", "successor"),
    [("claude-opus-45", "claude-opus-4-5"), ("qwen3-4b", "qwen3-5-9b")],
)
def test_set_resolves_renamed_and_retired_seed_ids(seed: str, successor: str) -> None:
    result = run_cli("models", "set", f"venice/{seed}")
    assert result.code == 0
    assert f"venice/{successor}" in result.stdout and seed in result.stdout
    data = json.loads(config_file().read_text())
    assert data["agents"]["defaults"]["model"]["primary"] == f"venice/{successor}"


def test_unknown_model_is_refused_with_close_matches() -> None:
    result = run_cli("models", "set", "venice/llama-3.3-7b")
    assert result.code == 2
    (error,) = result.stderr.strip().splitlines()  # no warning: set shows no catalog
    assert error.startswith("Error: unknown model venice/llama-3.3-7b in the bundled list")
    assert "did you mean venice/llama-3.3-70b" in error
    assert not config_file().exists()


def test_unknown_provider_is_a_clear_error() -> None:
    result = run_cli("models", "list", "--provider", "nope")
    assert result.code == 2 and "no provider 'nope'" in result.stderr


def test_malformed_config_names_line_and_column() -> None:
    path = config_file()
    path.parent.mkdir(parents=True)
    path.write_text('{\n  agents: {\n    defaults: { model: "x" ,, }\n')
    before = path.read_bytes()
    result = run_cli("models", "set", "venice/llama-3.3-70b")
    assert result.code == 1 and f"{path}:3:" in result.stderr
    assert path.read_bytes() == before


def test_refresh_prints_added_and_removed(server: LocalServer) -> None:
    env = serve(server)
    assert run_cli("models", "refresh", env=env).code == 0
    serve(server, [*ROWS[:1], {"id": "newcomer", "type": "text", "model_spec": {}}])
    result = run_cli("models", "refresh", env=env)
    assert result.code == 0
    assert "+ newcomer" in result.stdout
    assert "- claude-opus-4-5" in result.stdout and "- e2ee-glm-5-1" in result.stdout


def test_refresh_offline_fails_with_one_error_line() -> None:
    result = run_cli("models", "refresh")
    assert result.code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr  # no warning about a bundle besides
    assert result.stderr.startswith("Error: could not refresh venice's models: ")
    assert "connection refused" in result.stderr and "check the connection" in result.stderr


def test_python_dash_m_works() -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "openclaw_venice", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout.startswith("openclaw ")


def test_a_second_plugin_shows_up_the_same_way(tmp_path: Path) -> None:
    demo = "demo = tests.support.demo_plugin:plugin"
    env = path_env(install(tmp_path / "site", "demo-provider", demo))
    payload = list_json(env=env)
    refs = [m["ref"] for m in payload["models"]]
    assert "demo/demo-small" in refs and "venice/llama-3.3-70b" in refs
    assert payload["sources"] == {"demo": "bundled", "venice": "bundled"}
    only = list_json("--provider", "demo", env=env)
    assert [m["ref"] for m in only["models"]] == ["demo/demo-small", "demo/demo-vision"]
    assert run_cli("models", "set", "demo/demo-vision", env=env).code == 0


def test_private_and_anonymized_together_list_both_kinds() -> None:
    """A model has one privacy: asking for both widens the list (it used to list nothing)."""

    def refs(*flags: str) -> set[str]:
        result = run_cli("models", "list", "--json", *flags)
        assert result.code == 0, result.output
        return {m["ref"] for m in json.loads(result.stdout)["models"]}

    private, anonymized = refs("--private"), refs("--anonymized")
    assert private and anonymized and not private & anonymized
    assert refs("--private", "--anonymized") == private | anonymized
    assert refs("--private", "--anonymized", "--vision") == {
        ref for ref in private | anonymized if ref in refs("--vision")
    }
