"""The remembered entry points are importlib.metadata's answer (issue 26 item 4): the start-up
bar (offline ``models list`` under 5x ``python -c pass``) needs the library's import left out
of a run, so its answer is kept with a key of what it was read from. Every step below changes
what is installed the way pip or a user does, and the answer must still be the library's;
the CLI then runs with the memory and without the library's import."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points as library
from pathlib import Path

import pytest

from openclaw_venice.runtime.entry_point_cache import FILE_NAME, EntryPoint, entry_points
from tests.conftest import OPENCLAW, REPO

GROUP = "openclaw.cache-test"


def install(site: Path, dist: str, lines: str, kind: str = "dist-info") -> Path:
    where = site / f"{dist}.{kind}"
    where.mkdir(parents=True)
    name = dist.split("-")[0]
    info = "METADATA" if kind == "dist-info" else "PKG-INFO"
    (where / info).write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (where / "entry_points.txt").write_text(f"[{GROUP}]\n{lines}\n")
    return where


def answers(cache: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    ours = [(e.name, e.value) for e in entry_points(GROUP, cache)]
    theirs = [(e.name, e.value) for e in library(group=GROUP)]
    return ours, theirs


def same(cache: Path) -> list[tuple[str, str]]:
    ours, theirs = answers(cache)
    assert ours == theirs
    assert (cache / FILE_NAME).is_file()
    return ours


def test_the_library_answer_while_distributions_come_go_and_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, later, cache = tmp_path / "site", tmp_path / "later", tmp_path / "cache"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    assert same(cache) == []
    first = install(site, "alpha-1.0", "a = tests.support.demo_plugin:plugin")
    assert same(cache) == [("a", "tests.support.demo_plugin:plugin")]

    # while nothing changes the memory is what is read: a tampered answer shows through
    text = (cache / FILE_NAME).read_text()
    (cache / FILE_NAME).write_text(text.replace('"a"', '"remembered"'))
    assert [e.name for e in entry_points(GROUP, cache)] == ["remembered"]

    second = install(site, "beta-2.0", "b = json:loads\nc = os.path")  # pip installs one more
    assert [name for name, _ in same(cache)] == ["a", "b", "c"]
    os.utime(second / "entry_points.txt", ns=(1, 1))  # edited in place, mtime set back
    (second / "entry_points.txt").write_text(f"[{GROUP}]\nb = json:dumps\n")
    assert ("b", "json:dumps") in same(cache)
    for each in first.iterdir():  # pip uninstalls one
        each.unlink()
    first.rmdir()
    assert same(cache) == [("b", "json:dumps")]
    install(site, "Beta-0.9", "older = nowhere:plugin", kind="egg-info")
    same(cache)  # one distribution per name, as the library picks it
    install(later, "gamma-1.0", "g = json:loads")
    install(later, "beta-3.0", "shadowed = nowhere:plugin")
    monkeypatch.syspath_prepend(str(later))  # a new path entry, ahead of the others
    assert ("g", "json:loads") in same(cache)
    monkeypatch.chdir(tmp_path)
    same(cache)


def test_each_group_is_asked_once_and_kept_beside_the_others(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    real = [(e.name, e.value) for e in entry_points("openclaw.plugins", cache)]
    assert real == [(e.name, e.value) for e in library(group="openclaw.plugins")]
    assert ("venice", "openclaw_venice.plugin:plugin") in real
    same(cache)
    assert [(e.name, e.value) for e in entry_points("openclaw.plugins", cache)] == real


@pytest.mark.parametrize(
    "value",
    [
        "json:loads",
        "os.path:join",
        "os:path.join",
        "json",
        "json:loads [extra]",
        "json : loads",
        "tests.support.demo_plugin:plugin",
        "no_such_module_here:plugin",
        "json:no_such_name",
        "not a valid value!",
    ],
)
def test_what_is_loaded_is_what_the_library_loads(tmp_path: Path, value: str) -> None:
    from importlib.metadata import EntryPoint as Library

    theirs: object
    try:
        theirs = Library("x", value, GROUP).load()
    except Exception as exc:
        theirs = type(exc)
    site, cache = tmp_path / "site", tmp_path / "cache"
    install(site, "delta-1.0", f"x = {value}")
    sys.path.insert(0, str(site))
    try:
        entry_points(GROUP, cache)  # asked and kept
        (ours_ep,) = entry_points(GROUP, cache)  # from the memory
    finally:
        sys.path.remove(str(site))
    assert isinstance(ours_ep, EntryPoint)
    ours: object
    try:
        ours = ours_ep.load()
    except Exception as exc:
        ours = type(exc)
    assert ours is theirs


@pytest.mark.parametrize("bad", ["", "{", "[1, 2]", '{"key": 1, "groups": {"x": 3}}'])
def test_a_memory_that_is_not_ours_is_asked_again(tmp_path: Path, bad: str) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / FILE_NAME).write_text(bad)
    same(cache)


def test_a_cache_dir_that_cannot_be_written_only_costs_the_library(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("in the way")
    ours, theirs = answers(blocked / "cache")
    assert ours == theirs


def test_another_finder_of_distributions_turns_the_memory_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Finder:
        @staticmethod
        def find_distributions(*args: object, **kwargs: object) -> list[object]:
            return []

    cache = tmp_path / "cache"
    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, Finder])
    ours, theirs = answers(cache)
    assert ours == theirs
    assert not (cache / FILE_NAME).exists()


def imports(argv: list[str], env: dict[str, str]) -> set[str]:
    proc = subprocess.run(
        argv, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60,
        env={**env, "PYTHONPROFILEIMPORTTIME": "1"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if "|" in line}


def test_models_list_remembers_and_sees_a_plugin_installed_later(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    # the plugin's module in the site dir, not the clone on the path: other tests create
    # entries at the clone's top (.hypothesis, .pytest_cache) while this one runs, and a
    # path entry that changes is rightly asked again
    (site / "demo_plugin_here.py").write_text((REPO / "tests/support/demo_plugin.py").read_text())
    env = {**os.environ, "PYTHONPATH": str(site)}
    listing = [str(OPENCLAW), "models", "list", "--json"]
    assert "importlib.metadata" in imports(listing, env)  # the first run asks the library
    assert "importlib.metadata" not in imports(listing, env)  # the next ones remember
    dist = site / "demo_provider-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-provider\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[openclaw.plugins]\ndemo = demo_plugin_here:plugin\n"
    )
    proc = subprocess.run(listing, capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0 and '"demo/demo-small"' in proc.stdout, proc.stderr


def test_a_removed_working_dir_asks_the_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    monkeypatch.setattr(sys, "path", ["", *sys.path])
    cache = tmp_path / "cache"
    ours = [(e.name, e.value) for e in entry_points("openclaw.plugins", cache)]
    assert ("venice", "openclaw_venice.plugin:plugin") in ours
    assert not (cache / FILE_NAME).exists()
