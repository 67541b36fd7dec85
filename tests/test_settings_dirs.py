"""The cache dir the host reads without platformdirs is platformdirs' own answer.

``runtime/settings.cache_dir`` answers the usual Linux environment itself (importing
platformdirs costs a twentieth of an offline ``openclaw models list``) and asks platformdirs
for everything else; these cases hold that shortcut to the library's answers, so a
platformdirs release that changes its rules shows up here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import platformdirs
import pytest

from openclaw_venice.runtime.settings import APP_NAME, cache_dir

CASES = {
    "XDG_CACHE_HOME absolute": {"XDG_CACHE_HOME": "/srv/cache", "HOME": "/home/ada"},
    "XDG_CACHE_HOME with a trailing slash": {"XDG_CACHE_HOME": "/srv/cache/", "HOME": "/h"},
    "XDG_CACHE_HOME relative (ignored)": {"XDG_CACHE_HOME": "cache", "HOME": "/home/ada"},
    "XDG_CACHE_HOME empty": {"XDG_CACHE_HOME": "", "HOME": "/home/ada"},
    "HOME only": {"HOME": "/home/ada"},
    "HOME is the root": {"HOME": "/"},
    "HOME is the root written twice": {"HOME": "//"},
    "HOME with trailing slashes": {"HOME": "/home/ada//"},
    "XDG_CACHE_HOME with dots": {"XDG_CACHE_HOME": "/srv/../cache/.", "HOME": "/h"},
    "XDG_CACHE_HOME with a tilde": {"XDG_CACHE_HOME": "~/cache", "HOME": "/home/ada"},
    "HOME relative": {"HOME": "relative/home"},
    "Android-looking": {"ANDROID_DATA": "/data", "ANDROID_ROOT": "/system", "HOME": "/h"},
}


@pytest.mark.parametrize("env", CASES.values(), ids=CASES.keys())
def test_the_cache_dir_is_platformdirs_answer(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("XDG_CACHE_HOME", "HOME", "ANDROID_DATA", "ANDROID_ROOT", "SHELL", "PREFIX"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    expected = Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
    assert cache_dir() == expected


def cache_dir_in_a_subprocess(env: dict[str, str]) -> list[str]:
    """``cache_dir()`` of a fresh process, whether that loaded platformdirs, and then
    platformdirs' own answer there."""
    code = (
        "import sys; from openclaw_venice.runtime.settings import cache_dir;"
        " print(cache_dir()); print('platformdirs' in sys.modules);"
        " import platformdirs; print(platformdirs.user_cache_dir('openclaw', appauthor=False))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True,
        text=True, check=True,
    ).stdout.split()  # fmt: skip


@pytest.mark.skipif(sys.platform != "linux", reason="the shortcut is for Linux")
def test_the_usual_environment_does_not_load_platformdirs(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "c")}
    expected = str(tmp_path / "c" / APP_NAME)
    assert cache_dir_in_a_subprocess(env) == [expected, "False", expected]


@pytest.mark.skipif(sys.platform != "linux", reason="the shortcut is for Linux")
def test_a_relative_xdg_cache_home_is_left_to_platformdirs(tmp_path: Path) -> None:
    """Releases of platformdirs we accept disagree on it: 4.11.8 began to ignore it, earlier
    ones take it as it is. The shortcut does not guess."""
    env = {"HOME": str(tmp_path), "XDG_CACHE_HOME": "relative/cache"}
    ours, loaded, theirs = cache_dir_in_a_subprocess(env)
    assert loaded == "True" and ours == theirs
