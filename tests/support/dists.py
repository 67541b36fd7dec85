"""Plugins installed as a person's ``pip install`` leaves them: a ``*.dist-info`` directory
with ``METADATA`` and ``entry_points.txt`` on a path entry, which ``importlib.metadata`` (and
so the host) finds."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import REPO


def install(site: Path, dist: str, entry_points: str, group: str = "openclaw.plugins") -> Path:
    """``dist`` (e.g. ``studio-provider``) at version 0.1 in ``site``, with ``entry_points``
    (``name = module:object`` lines) in ``group``; returns ``site``."""
    info = site / f"{dist.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[{group}]\n{entry_points.strip()}\n")
    return site


def path_env(site: Path) -> dict[str, str]:
    """The environment of an ``openclaw`` run that sees ``site`` and this checkout."""
    return {"PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}


STUDIO = "studio = tests.support.studio_plugin:plugin"


def studio_env(tmp_path: Path, *more: str) -> dict[str, str]:
    """The studio test plugin (and ``more`` entry points) installed under ``tmp_path``, with
    its key in the environment."""
    site = install(tmp_path / "site", "studio-provider", "\n".join([STUDIO, *more]))
    return {**path_env(site), "STUDIO_API_KEY": "studio-key"}
