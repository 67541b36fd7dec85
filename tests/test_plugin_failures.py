"""A plugin that fails is contained (issue 26 item 2): one that is not a plugin (no ``id``),
one that takes another plugin's id, one whose ``register`` raises, and one that cannot be
imported are each left out with one warning; every other plugin's commands work, ``--help``
included. Installed through real entry points, beside Venice and the demo plugin."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from openclaw_venice.runtime.plugins import load_plugins
from tests.conftest import REPO, run_cli

BROKEN = textwrap.dedent(
    """
    class Shapeless:  # everything but an id
        name, description, config_schema = "Shapeless", "no id", {}

        def register(self, api):
            raise AssertionError("never called: not a plugin")


    class Twin:  # Venice's id, loaded after Venice (entry points load by name)
        id, name, description, config_schema = "venice", "Twin", "a second venice", {}

        def register(self, api):
            raise AssertionError("never called: the id is taken")


    class Raiser:
        id, name, description, config_schema = "raiser", "Raiser", "fails to register", {}

        def register(self, api):
            raise RuntimeError("cannot reach the network here\\nand a second line")


    shapeless, twin, raiser = Shapeless(), Twin(), Raiser()
    """
)
ENTRY_POINTS = """[openclaw.plugins]
demo = tests.support.demo_plugin:plugin
missing = broken_plugins_gone:plugin
raiser = broken_plugins:raiser
shapeless = broken_plugins:shapeless
zz-twin = broken_plugins:twin
"""
WARNINGS = [
    "plugin missing failed to load: No module named 'broken_plugins_gone'",
    "plugin raiser failed to register (cannot reach the network here); left out",
    "plugin shapeless is not an OpenClaw plugin (no id); left out",
    "plugin zz-twin has the id 'venice' of another plugin; left out",
]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    dist = site / "broken_plugins-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugins\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(ENTRY_POINTS)
    (site / "broken_plugins.py").write_text(BROKEN)
    return site


def test_each_broken_plugin_is_one_failure_and_the_rest_load(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(site))
    registry = load_plugins()
    assert registry.failures == WARNINGS
    assert sorted(registry.plugins) == ["demo", "venice"]
    assert sorted(registry.providers) == ["demo", "venice"]
    assert type(registry.providers["venice"]).__module__ == "openclaw_venice.provider"


@pytest.mark.parametrize(
    ("args", "loads_plugins"),
    [
        (("models", "list"), True),
        (("chat", "--help"), True),  # its options come from the providers
        (("onboard", "--help"), True),
        (("--help",), False),
    ],
)
def test_the_commands_work_with_one_warning_per_broken_plugin(
    site: Path, args: tuple[str, ...], loads_plugins: bool
) -> None:
    env = {"PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}  # a new interpreter's path
    result = run_cli(*args, env=env)
    assert result.code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if line.startswith("warning: plugin")]
    assert warned == [f"warning: {w}" for w in WARNINGS] * loads_plugins
    assert "Traceback" not in result.output


def test_models_list_shows_every_working_plugins_models(site: Path) -> None:
    env = {"PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}
    result = run_cli("models", "list", env=env)
    assert "demo/demo-small" in result.stdout and "venice/llama-3.3-70b" in result.stdout
