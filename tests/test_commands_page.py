"""docs/commands.md says it lists "every command of `openclaw`": hold it to the commands
``openclaw --help`` lists, as a reader would check (review25 found speak, transcribe, video,
music and sound missing from it)."""

from __future__ import annotations

import re
import subprocess

from tests.conftest import OPENCLAW, REPO


def test_every_command_of_openclaw_help_has_a_row_in_docs_commands() -> None:
    shown = subprocess.run([str(OPENCLAW), "--help"], capture_output=True, text=True, check=True)
    listed = re.search(r"COMMAND\n(.*?)\n\n", shown.stdout, re.S)
    assert listed is not None, shown.stdout
    commands = [line.split()[0] for line in listed.group(1).splitlines()]
    assert commands[0] == "models"
    assert "speak" in commands
    assert len(commands) >= 17
    page = (REPO / "docs" / "commands.md").read_text()
    rows = set(re.findall(r"^\| `openclaw ([a-z-]+)", page, re.M))
    assert [name for name in commands if name not in rows] == []
