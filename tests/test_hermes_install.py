"""``openclaw hermes install [--uninstall]`` through the console script, and what the real
Hermes Agent (0.19.0, in this venv) then finds: every provider the host loads (Venice and a
second, non-Venice plugin), its aliases, models and fallbacks; the ``hermes_agent.plugins``
entry point without any install step."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, run_cli

HERMES_PYTHON = Path(sys.executable)
pytestmark = pytest.mark.skipif(
    sys.version_info >= (3, 14), reason="hermes-agent 0.19.0 supports Python 3.11 to 3.13"
)
PROBE = """
import json, sys
from providers import get_provider_profile, list_providers
from hermes_cli.auth import PROVIDER_REGISTRY
out = {}
for name in sys.argv[1:]:
    p = get_provider_profile(name)
    out[name] = None if p is None else {
        "name": p.name, "aliases": list(p.aliases), "base_url": p.base_url,
        "env_vars": list(p.env_vars), "fallback": list(p.fallback_models),
        "models": p.fetch_models(), "in_auth_registry": name in PROVIDER_REGISTRY,
    }
print(json.dumps(out))
"""


def demo_site(tmp_path: Path) -> dict[str, str]:
    """A second provider plugin, installed through a real entry point (see test_cli_models)."""
    dist = tmp_path / "site" / "demo_provider-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-provider\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[openclaw.plugins]\ndemo = tests.support.demo_plugin:plugin\n"
    )
    return {"PYTHONPATH": os.pathsep.join([str(tmp_path / "site"), str(REPO)])}


def probe(home: Path, env: dict[str, str], *names: str) -> dict[str, Any]:
    proc = subprocess.run(
        [str(HERMES_PYTHON), "-c", PROBE, *names],
        capture_output=True,
        text=True,
        env={**os.environ, **env, "HERMES_HOME": str(home)},
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_install_makes_every_provider_a_hermes_provider(tmp_path: Path) -> None:
    env = {**demo_site(tmp_path), "HERMES_HOME": str(tmp_path / "hh")}
    result = run_cli("hermes", "install", env=env)
    assert result.code == 0, result.output
    plugins = tmp_path / "hh" / "plugins" / "model-providers"
    for provider in ("demo", "venice"):
        assert f"wrote {plugins / provider / '__init__.py'}" in result.stdout
        assert f"wrote {plugins / provider / 'plugin.yaml'}" in result.stdout
        manifest = (plugins / provider / "plugin.yaml").read_text()
        assert "kind: model-provider" in manifest
    assert 'try: hermes -z "Say hi" --provider demo -m demo-small' in result.stdout
    found = probe(tmp_path / "hh", env, "venice", "veniceai", "venice-ai", "demo")
    venice = found["venice"]
    assert venice["aliases"] == ["veniceai", "venice-ai"]
    assert found["veniceai"] == venice and found["venice-ai"] == venice
    assert venice["in_auth_registry"] and found["venice-ai"]["in_auth_registry"]
    assert venice["env_vars"] == ["VENICE_API_KEY"]
    assert venice["base_url"] == os.environ["VENICE_BASE_URL"]  # our env/config, not a default
    # offline: the bundle; agent use only (no e2ee, no tool-less models)
    assert "kimi-k2-6" in venice["models"] and venice["models"] == venice["fallback"]
    assert not [m for m in venice["models"] if m.startswith("e2ee-")]
    assert "hermes-3-llama-3.1-405b" not in venice["models"]
    assert found["demo"]["models"] == ["demo-small", "demo-vision"]


def test_uninstall_removes_exactly_what_install_wrote(tmp_path: Path) -> None:
    home = tmp_path / "hh"
    (home / "plugins" / "model-providers" / "mine").mkdir(parents=True)
    (home / "plugins" / "model-providers" / "mine" / "NOTES.md").write_text("mine\n")
    (home / "config.yaml").write_text("model:\n  default: x\n")
    before = tree(home)
    env = {"HERMES_HOME": str(home)}
    assert run_cli("hermes", "install", env=env).code == 0
    # Hermes imports the plugin: __pycache__ appears beside it (where bytecode is written)
    probe(home, {**env, "PYTHONDONTWRITEBYTECODE": ""}, "venice")
    assert (home / "plugins" / "model-providers" / "venice" / "__pycache__").is_dir()
    result = run_cli("hermes", "install", "--uninstall", env=env)
    assert result.code == 0, result.output
    assert f"removed {home / 'plugins' / 'model-providers' / 'venice'}" in result.stdout
    assert tree(home) == before
    assert not (home / "plugins" / "model-providers" / "venice").exists()
    again = run_cli("hermes", "install", "--uninstall", env=env)
    assert again.code == 0 and "nothing to remove" in again.stdout


def test_uninstall_removes_the_directories_it_made(tmp_path: Path) -> None:
    home = tmp_path / "fresh"
    env = {"HERMES_HOME": str(home)}
    assert run_cli("hermes", "install", env=env).code == 0
    assert run_cli("hermes", "install", "--uninstall", env=env).code == 0
    assert home.exists() and list(home.iterdir()) == []


def test_a_changed_file_is_kept_and_named(tmp_path: Path) -> None:
    home = tmp_path / "hh"
    env = {"HERMES_HOME": str(home)}
    assert run_cli("hermes", "install", env=env).code == 0
    init = home / "plugins" / "model-providers" / "venice" / "__init__.py"
    init.write_text(init.read_text() + "# my tweak\n")
    result = run_cli("hermes", "install", "--uninstall", env=env)
    assert result.code == 0
    assert f"kept {init}: it changed since" in result.stderr
    assert init.read_text().endswith("# my tweak\n")
    assert not (home / "plugins" / "model-providers" / "venice" / "plugin.yaml").exists()


def test_a_folder_openclaw_did_not_write_is_left_alone(tmp_path: Path) -> None:
    home = tmp_path / "hh"
    theirs = home / "plugins" / "model-providers" / "venice"
    theirs.mkdir(parents=True)
    (theirs / "__init__.py").write_text("# someone else's venice\n")
    result = run_cli("hermes", "install", env={"HERMES_HOME": str(home)})
    assert result.code == 1
    assert result.stderr.startswith(f"Error: {theirs} exists and was not written by openclaw")
    assert (theirs / "__init__.py").read_text() == "# someone else's venice\n"
    assert sorted(p.name for p in theirs.iterdir()) == ["__init__.py"]


def test_install_twice_rewrites_its_own_files(tmp_path: Path) -> None:
    env = {"HERMES_HOME": str(tmp_path / "hh")}
    assert run_cli("hermes", "install", env=env).code == 0
    second = run_cli("hermes", "install", env=env)
    assert second.code == 0, second.output
    assert run_cli("hermes", "install", "--uninstall", env=env).code == 0
    assert list((tmp_path / "hh").iterdir()) == []


def test_the_default_home_is_dot_hermes(tmp_path: Path) -> None:
    env = {"HERMES_HOME": ""}
    result = run_cli("hermes", "install", env=env)
    assert result.code == 0, result.output
    assert (
        Path(os.environ["HOME"]) / ".hermes/plugins/model-providers/venice/plugin.yaml"
    ).exists()


def test_the_entry_point_registers_without_an_install(tmp_path: Path) -> None:
    """A Hermes that loads ``hermes_agent.plugins`` calls it with no argument; 0.19's
    general plugin loader calls its ``register(ctx)``."""
    code = (
        "import json\n"
        "from importlib.metadata import entry_points\n"
        "[ep] = [e for e in entry_points(group='hermes_agent.plugins') if e.name == 'openclaw']\n"
        "hook = ep.load()\n"
        "first = hook()\n"
        "again = hook.register(object())\n"
        "from providers import get_provider_profile\n"
        "p = get_provider_profile('venice-ai')\n"
        "print(json.dumps([first, again, p.name, 'kimi-k2-6' in p.fetch_models()]))\n"
    )
    proc = subprocess.run(
        [str(HERMES_PYTHON), "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "HERMES_HOME": str(tmp_path / "empty-home")},
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    first, again, name, has_kimi = json.loads(proc.stdout.strip().splitlines()[-1])
    assert first == ["venice"] and again == [] and name == "venice" and has_kimi
