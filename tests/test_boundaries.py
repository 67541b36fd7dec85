"""The package's shape (issue 11 item 11): the plugin uses only the host's public plugin
contract (``runtime/plugins``, ``runtime/ai``, ``runtime/catalog``); the host imports no
plugin module; and no module imports itself back, in ``chat/`` or anywhere. Imports under
``if TYPE_CHECKING:`` and inside functions count: a lazy import is still a dependency."""

from __future__ import annotations

from pathlib import Path

from tests.support.import_graph import cycles, graph

PACKAGE = Path(__file__).parent.parent / "openclaw_venice"
CONTRACT = {"openclaw_venice.runtime.plugins", "openclaw_venice.runtime.ai",
            "openclaw_venice.runtime.catalog"}  # fmt: skip
HOST_ENTRY = "openclaw_venice.__main__"  # `python -m openclaw_venice` runs the host's command
VERSION = "openclaw_venice._version"  # the distribution's, shared by host and plugin


def is_host(module: str) -> bool:
    return module == "openclaw_venice.runtime" or module.startswith("openclaw_venice.runtime.")


def test_the_plugin_imports_only_the_host_contract() -> None:
    edges = graph(PACKAGE, "openclaw_venice")
    plugin = [m for m in edges if not is_host(m) and m != HOST_ENTRY]
    assert len(plugin) > 30 and "openclaw_venice.chat.client" in plugin
    crossing = {
        module: sorted(target for target in edges[module] if is_host(target)) for module in plugin
    }
    outside = {m: [t for t in ts if t not in CONTRACT] for m, ts in crossing.items()}
    assert {m: ts for m, ts in outside.items() if ts} == {}
    # the contract is used (the check sees real edges): the provider, the chat, the errors
    assert "openclaw_venice.runtime.plugins" in crossing["openclaw_venice.provider"]
    assert "openclaw_venice.runtime.plugins" in crossing["openclaw_venice.errors"]
    assert "openclaw_venice.runtime.ai" in crossing["openclaw_venice.chat.client"]


def test_the_host_imports_no_plugin_module() -> None:
    edges = graph(PACKAGE, "openclaw_venice")
    host = [m for m in edges if is_host(m)]
    assert "openclaw_venice.runtime.commands.chat" in host
    leaks = {m: sorted(t for t in edges[m] if not is_host(t) and t != VERSION) for m in host}
    assert {m: ts for m, ts in leaks.items() if ts} == {}


def test_no_import_cycles_in_chat_or_anywhere() -> None:
    edges = graph(PACKAGE, "openclaw_venice")
    # the edges that made today's cycle are seen: client imports turn (inside a function)
    assert "openclaw_venice.chat.turn" in edges["openclaw_venice.chat.client"]
    assert "openclaw_venice.chat.client" not in edges["openclaw_venice.chat.turn"]
    assert cycles(edges) == []


def test_the_checks_catch_what_they_look_for(tmp_path: Path) -> None:
    """The graph reader on a made-up package holding the shapes the checks must see: a
    cycle through a TYPE_CHECKING import (client.py <-> turn.py, as it was), one through a
    function-level import, ``from . import module``, and a plugin reaching into the host."""
    pkg = tmp_path / "pkg"
    (pkg / "chat").mkdir(parents=True)
    (pkg / "runtime").mkdir()
    files = {
        "__init__.py": "",
        "chat/__init__.py": "",
        "chat/client.py": "def go():\n    from .turn import run\n",
        "chat/turn.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from .client import Client\n",
        "chat/a.py": "from . import b\n",
        "chat/b.py": "def f():\n    import pkg.chat.a\n",
        "runtime/__init__.py": "",
        "runtime/secrets.py": "",
        "plugin.py": "from .runtime.secrets import resolve\n",
    }
    for name, text in files.items():
        (pkg / name).write_text(text)
    edges = graph(pkg, "pkg")
    assert cycles(edges) == [["pkg.chat.a", "pkg.chat.b"], ["pkg.chat.client", "pkg.chat.turn"]]
    assert edges["pkg.plugin"] == {"pkg.runtime.secrets"}
