"""The README's test command on a fresh clone without ``../shared`` beside it.

The tests that read Venice's real data (``../shared/venice-api``) are run from a copy of the
suite placed where no ``../shared`` exists: they must pass or skip, saying why, never fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

#: how a module reaches ../shared: the path itself, or the conftest constant for it
NAMES_SHARED = re.compile(r'SHARED_API|"shared"')
#: support modules that go on without it by design (``spec_errors`` is [] without the spec);
#: the modules using them are slow fuzz and load tests, left out to keep this test short
SAFE = {"requests_schema"}


def modules_reading_shared(tests: Path) -> list[str]:
    """Test modules that name ../shared or import (through others) a support module that does."""
    texts = {p.stem: p.read_text() for p in (tests / "support").glob("*.py")}
    readers = {name for name, text in texts.items() if NAMES_SHARED.search(text)}
    while True:
        via = re.compile(rf"tests\.support(?:\.| import )(?:{'|'.join(readers)})\b")
        more = {name for name, text in texts.items() if via.search(text)} - readers - SAFE
        if not more:
            break
        readers |= more
    return sorted(
        f"tests/{path.name}"
        for path in tests.glob("test_*.py")
        if path.name != Path(__file__).name
        and (NAMES_SHARED.search(text := path.read_text()) or via.search(text))
    )


def test_tests_reading_shared_data_skip_and_say_why_without_it(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    shutil.copytree(REPO / "tests", clone / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "fixtures", clone / "fixtures")
    shutil.copytree(REPO / "docs", clone / "docs")  # tests/test_docs_commands.py reads them
    shutil.copy(REPO / "pyproject.toml", clone)
    shutil.copy(REPO / "README.md", clone)
    modules = modules_reading_shared(clone / "tests")
    assert "tests/test_chat_request.py" in modules and "tests/test_conformance.py" in modules
    assert not (tmp_path / "shared").exists()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
             "--basetemp", str(tmp_path / "inner"), *modules],
            cwd=clone, capture_output=True, text=True, timeout=600,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )  # fmt: skip
    finally:  # the copy of tests/support/hygiene.py holds the canary the end-of-run scan seeks
        shutil.rmtree(clone)
    summary = proc.stdout[-3000:]
    assert proc.returncode == 0, summary
    assert " failed" not in summary and " error" not in summary, summary
    assert "is absent: run with ../shared beside the checkout" in proc.stdout, summary
