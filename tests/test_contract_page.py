"""The plugin contract on one page (issue 26 item 1): docs/plugins.md is the rendering of the
docstrings of ``openclaw_venice.runtime.plugins`` (the one module a plugin imports); every
record it offers is a named tuple; the test plugins are written against the page alone; the
host closes what a provider keeps (its lifecycle) when it is done with it."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from openclaw_venice.runtime import plugins
from tests.conftest import run_cli
from tests.support import contract_page, echo_plugin

SUPPORT = Path(__file__).parent / "support"
PLUGINS = ("echo_plugin.py", "demo_plugin.py", "studio_plugin.py")


def test_the_page_is_the_rendering_of_the_contracts_docstrings() -> None:
    page = contract_page.PAGE.read_text()
    assert page == contract_page.render(), (
        "docs/plugins.md is stale: run python -m tests.support.contract_page"
    )
    for name in plugins.__all__:  # every name the module offers is on the page
        assert documented(name, page), name


def documented(name: str, page: str) -> bool:
    """A heading of its own, or a line of the error tree."""
    return bool(re.search(rf"^(### `{re.escape(name)}\b|\s*{re.escape(name)}( |$))", page, re.M))


def test_every_record_of_the_contract_is_a_named_tuple() -> None:
    """One record style: whatever record a plugin builds or reads, it is changed with
    ``_replace``; ``Context`` (the conversation) is the one mutable class."""
    classes = {n: getattr(plugins, n) for n in plugins.__all__}
    records = {
        name: value
        for name, value in classes.items()
        if inspect.isclass(value)
        and "__annotations__" in vars(value)
        and not issubclass(value, BaseException)
        and not getattr(value, "_is_protocol", False)
    }
    assert {"ModelInfo", "ModelProfile", "StreamEvent", "Balance", "ImageRequest"} <= set(records)
    assert sorted(n for n, r in records.items() if not issubclass(r, tuple)) == []
    assert "__annotations__" not in vars(plugins.Context) and "__slots__" in vars(plugins.Context)


@pytest.mark.parametrize("name", PLUGINS)
def test_the_test_plugins_import_only_what_the_page_documents(name: str) -> None:
    page = contract_page.PAGE.read_text()
    tree = ast.parse((SUPPORT / name).read_text())
    imported = [
        (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("openclaw_venice")
        for alias in node.names
    ]
    assert imported
    assert {module for module, _ in imported} == {"openclaw_venice.runtime.plugins"}
    undocumented = [n for _, n in imported if not documented(n, page)]
    assert undocumented == []


@pytest.fixture
def echo_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dist = tmp_path / "echo_openclaw-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: echo-openclaw\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[openclaw.plugins]\necho = tests.support.echo_plugin:plugin\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    echo_plugin.CLOSED.clear()


@pytest.mark.usefixtures("echo_installed")
def test_a_plugin_written_from_the_page_chats_and_is_closed_after() -> None:
    result = run_cli("chat", "-m", "echo/echo-1", "--shout", "hello there",
                     env={"ECHO_API_KEY": "echo-key-1"})  # fmt: skip
    assert result.code == 0, result.output
    assert result.stdout.strip() == "HELLO THERE"
    assert echo_plugin.CLOSED == ["session", "provider"]  # the session, then the provider
    listed = run_cli("models", "list", "--provider", "echo")
    assert "echo/echo-1" in listed.stdout
    assert echo_plugin.CLOSED == ["session", "provider"]  # nothing opened, nothing closed


def test_close_provider_contains_a_failure_and_skips_a_provider_without_aclose() -> None:
    import asyncio

    class Failing:
        id = "failing"

        async def aclose(self) -> None:
            raise RuntimeError("pool already gone\nsecond line")

    class Plain:
        id = "plain"

    assert asyncio.run(plugins.close_provider(Failing())) == (  # type: ignore[arg-type]
        "provider failing failed to close (pool already gone)"
    )
    assert asyncio.run(plugins.close_provider(Plain())) is None  # type: ignore[arg-type]


@pytest.mark.usefixtures("echo_installed")
def test_the_gateway_closes_each_session_then_each_provider_at_shutdown() -> None:
    import asyncio
    import os

    from openclaw_venice.runtime.gateway.app import Gateway, build_routes
    from openclaw_venice.runtime.host import Host

    host = Host(env={**os.environ, "ECHO_API_KEY": "echo-key-1"})
    warned: list[str] = []
    routes = build_routes(host, warned.append)
    gateway = Gateway(host, "token", routes)
    gateway.session(routes["echo"])  # a turn's session, as the first request makes it
    asyncio.run(gateway.aclose())
    assert echo_plugin.CLOSED == ["session", "provider"]
    assert routes["echo"].session is None
