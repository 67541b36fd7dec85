"""The plugin contract: entry point, identity, and a register() that does no I/O."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib.metadata import entry_points

from openclaw_venice.plugin import plugin
from openclaw_venice.runtime.plugins import ENTRY_POINT_GROUP, PluginApi, load_plugins
from tests.conftest import REPO


def test_entry_point_points_at_the_plugin() -> None:
    (ep,) = [e for e in entry_points(group=ENTRY_POINT_GROUP) if e.name == "venice"]
    loaded = ep.load()
    assert loaded is plugin
    assert loaded.id == "venice" and loaded.name and loaded.description
    assert loaded.config_schema["type"] == "object"


def test_register_adds_the_venice_provider_once() -> None:
    api = PluginApi("venice")
    plugin.register(api)
    (provider,) = api.providers.values()
    assert provider.id == "venice" and provider.label == "Venice"
    assert list(provider.env_vars) == ["VENICE_API_KEY"]
    assert provider.default_base_url == "https://api.venice.ai/api/v1"
    assert provider.api == "openai-completions"
    (method,) = provider.auth_methods
    assert (method.method, method.choice, method.cli_flag) == (
        "api-key",
        "venice-api-key",
        "--venice-api-key",
    )
    assert method.label == "Venice AI API key"
    assert method.hint == "Privacy-focused (uncensored models)"
    assert method.group == "Venice AI" and method.prompt == "Enter Venice AI API key"
    assert method.profile_id == "venice:default"
    assert "https://venice.ai/settings/api" in method.note


def test_host_loads_venice_like_any_plugin() -> None:
    registry = load_plugins()
    assert "venice" in registry.providers and not registry.failures


AUDIT = textwrap.dedent(
    """
    import os, sys
    {preload}
    events = []
    watched = ("open", "socket.", "os.listdir", "os.scandir", "subprocess", "shutil")
    def hook(event, args):
        if event.startswith(watched):
            events.append(event)
    sys.addaudithook(hook)
    {action}
    sys.stdout.write(repr(events))
    """
)


def audit(preload: str, action: str) -> str:
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}  # no VENICE_API_KEY at all
    code = AUDIT.format(preload=preload, action=action)
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO, check=True
    )
    return proc.stdout


def test_register_does_no_disk_or_network_io_and_needs_no_key() -> None:
    preload = (
        "import openclaw_venice.plugin, openclaw_venice.provider\n"
        "from openclaw_venice.runtime.plugins import PluginApi"
    )
    action = (
        "api = PluginApi('venice'); openclaw_venice.plugin.plugin.register(api)\n"
        "assert 'venice' in api.providers"
    )
    assert audit(preload, action) == "[]"


def test_import_does_no_network_io() -> None:
    events = audit("", "import openclaw_venice, openclaw_venice.plugin")
    assert "socket." not in events
