"""Exit status, one rule for every command (found by a newcomer: usage errors exited 1 or 2):
2 when the command line asks for what cannot be (an unknown option, command, choice, model or
provider, a bad value, a file named that cannot be used), 1 for everything else (config, key,
network, the provider refusing), 0 on success. The rule is in docs/commands.md."""

from __future__ import annotations

import pytest

from tests.conftest import REPO, run_cli
from tests.support.hygiene import CANARY

COMMAND_LINE_MISTAKES = [
    "nope",
    "chat --thinking ultra hi",
    "chat --max-tokens 0 hi",
    "chat -m venice/no-such-model hi",
    "chat -m nope/model hi",
    "chat --image missing.png hi",
    "models set venice/no-such-model",
    "models set nope/model",
    "models list --provider nope",
    "models list --type nope",
    "image a-fox -o fox.txt",
    "image a-fox --size 1",
    "image a-fox -m nope/model",
    "embed -m venice/no-such-model text",
    "usage --days 0",
    "onboard --auth-choice nope",
]


@pytest.mark.parametrize("line", COMMAND_LINE_MISTAKES)
def test_a_command_line_mistake_exits_2_with_one_line(line: str) -> None:
    result = run_cli(*line.split(), env={"VENICE_API_KEY": CANARY})
    assert result.code == 2, result.output
    assert result.stderr.strip().splitlines()[-1].startswith("Error: ")


def test_a_failure_that_is_not_the_command_line_exits_1() -> None:
    result = run_cli("chat", "hi", env={"VENICE_API_KEY": CANARY})  # Venice unreachable
    assert result.code == 1, result.output


def test_the_rule_is_documented() -> None:
    page = " ".join((REPO / "docs" / "commands.md").read_text().split())
    assert "exits 2 when the command line asks for what cannot be" in page
