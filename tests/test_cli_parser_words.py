"""``openclaw`` lists every command (and action) from a table and builds only the parser of
the one argparse picks (runtime/commands/table.py; argparse alone reads the words, nothing
pre-parses them); what a user sees must be what the full parser shows: every help text and
every error lists all the choices.

Each line below runs twice in-process: as the CLI does, and with the full parser (every
command and action built). Output and exit code must match; the one allowed difference is
the pointer at the end of an error line, which names the command's own help once the
command is known (``see `openclaw models --help```).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from openclaw_venice.runtime import cli
from openclaw_venice.runtime.host import Host
from tests.conftest import run_cli

LINES = [
    [], ["--help"], ["-h", "models"], ["--help", "models"], ["--hel", "models"], ["-vh", "models"],
    ["models"], ["models", "--help"], ["models", "-h", "list"], ["models", "--hel", "list"],
    ["models", "list", "-h"], ["models", "lst"], ["models", "bogus", "list"],
    ["models", "list", "--bogus"], ["models", "set"], ["models", "--", "list"],
    ["--", "models", "list"], ["help", "models"], ["bogus", "chat"], ["modles", "list"],
    ["chat", "--help"], ["chat", "-m", "models", "--help"], ["hermes"], ["usage", "models"],
    ["-", "models"], ["-1", "models"], ["-.5", "models"],
    ["-v", "models", "lst"], ["models", "lst", "--debug"], ["--version", "models"],
]  # fmt: skip
HINT = re.compile(r"; see `openclaw[^`]*--help`$", re.MULTILINE)


def shown(argv: list[str], capsys: pytest.CaptureFixture[str], host: Host) -> tuple[Any, ...]:
    try:
        code = cli.main(argv, host)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, HINT.sub("; see --help", err)


@pytest.mark.parametrize("argv", LINES, ids=" ".join)
def test_the_parser_of_one_command_says_what_the_full_parser_says(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    host = Host()
    alone = shown(argv, capsys, host)
    full_parser = cli.build_parser
    monkeypatch.setattr(cli, "build_parser", lambda *_, **__: full_parser(host.registry))
    assert alone == shown(argv, capsys, host)


@pytest.mark.parametrize("argv", [["help", "models"], ["bogus", "chat"], ["--", "models"]])
def test_a_word_that_is_no_command_lists_every_command(argv: list[str]) -> None:
    result = run_cli(*argv)
    line = result.stderr.strip()
    assert result.code == 2 and line.count("\n") == 0
    assert "(choose from 'models', 'onboard'" in line and "'embed'" in line and "'serve'" in line
    assert line.endswith("see `openclaw --help`")


def test_help_asked_by_a_prefix_lists_every_action() -> None:
    result = run_cli("models", "--hel", "list")
    assert result.code == 0
    for action in ("list", "set", "status", "refresh", "attest"):
        assert re.search(rf"^    {action} ", result.stdout, re.MULTILINE)


@pytest.mark.parametrize("argv", [["--version"], ["--vers"], ["-v", "--version"]])
def test_the_version_answered_before_any_import_is_argparse_answer(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """``openclaw --version`` alone is answered before the host and argparse load (the one
    start-up shortcut left in cli.py: benchmarks/shortcuts.py); it says what argparse says."""
    early = shown(argv, capsys, Host())
    with pytest.raises(SystemExit) as exited:
        cli.build_parser().parse_args(argv)
    out, err = capsys.readouterr()
    assert early == (exited.value.code, out, err) == (0, f"openclaw {cli.__version__}\n", "")


@pytest.mark.parametrize(
    ("argv", "debug", "verbose"),
    [
        (["models", "list"], False, False),
        (["--debug", "models", "list"], True, False),
        (["models", "--debug", "list"], True, False),
        (["models", "list", "--debug", "-v"], True, True),
        (["-v", "models", "status", "--json"], False, True),
        (["chat", "--", "--debug", "-v"], False, False),  # after --, prompt words
        (["chat", "-m", "venice/x", "hi", "--verbose"], False, True),
    ],
)
def test_debug_and_verbose_are_read_by_argparse_anywhere(
    argv: list[str], debug: bool, verbose: bool
) -> None:
    """``--debug``/``--verbose`` work before or after the command: every parser level takes
    them (no word is moved before argparse reads the line)."""
    host = Host()
    for lazy in (True, False):
        args = cli.build_parser(lambda: host.registry, lazy=lazy).parse_args(argv)
        assert (args.debug, args.verbose) == (debug, verbose)


def test_words_after_a_double_dash_are_the_prompt() -> None:
    args = cli.build_parser(lambda: Host().registry, lazy=True).parse_args(
        ["chat", "--", "--debug", "-v"]
    )
    assert args.prompt == ["--debug", "-v"] and not args.debug and not args.verbose


@pytest.mark.parametrize("command", list(cli.COMMANDS))
def test_every_command_of_the_table_shows_the_help_the_full_parser_shows(
    command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command added to the table is built alone as it is built among all the others."""
    host = Host()
    alone = shown([command, "--help"], capsys, host)
    assert alone[0] == 0 and alone[1].startswith(f"usage: openclaw {command}")
    full_parser = cli.build_parser
    monkeypatch.setattr(cli, "build_parser", lambda *_, **__: full_parser(host.registry))
    assert alone == shown([command, "--help"], capsys, host)
