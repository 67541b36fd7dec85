"""The ``openclaw`` command: a small, provider-neutral OpenClaw-style runtime.

Each subcommand lives in ``commands/<name>.py`` with ``add_parser(subparsers)`` and is listed
in :data:`COMMANDS`; the parser stores the handler as ``args.handler(args, host) -> int``.
argparse alone reads the command line: the parser lists every command from the table and
builds (imports) only the one argparse picks. Errors of the one error tree become ``Error:
<message>``; ``--debug`` shows the traceback instead. ``openclaw --version`` is answered
before anything is imported, so it costs little more than Python itself.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from .._version import __version__
from .errors import OpenClawError, OutputError, UsageError

if TYPE_CHECKING:
    import argparse

    from .host import Host
    from .plugins import Registry

    Plugins = Registry | Callable[[], Registry | None] | None

COMMANDS = {
    "models": "list, pick and refresh models",
    "onboard": "set up a provider: API key, config, default model",
    "configure": "interactive setup menu",
    "chat": "chat with a model (streamed)",
    "hermes": "use the installed providers from Hermes Agent",
    "usage": "spend by model over recent days",
    "limits": "rate limits of your API key, and when you hit them",
    "characters": "list and look up characters to chat with",
    "image": "generate images from a prompt",
    "embed": "embedding vectors of texts, as JSON",
    "video": "generate a video (quoted, queued, downloaded)",
    "music": "generate music (quoted, queued, downloaded)",
    "sound": "generate a sound effect (quoted, queued, downloaded)",
    "speak": "text to speech, into an audio file",
    "transcribe": "speech to text, from an audio file",
    "serve": "a local OpenAI-compatible endpoint for other agent runtimes",
    "connect": "point an agent runtime's config at `openclaw serve`",
}
NEEDS_REGISTRY = {
    "onboard", "configure", "chat", "image", "embed", "usage", "limits", "characters", "video",
    "music", "sound", "speak", "transcribe",
}  # fmt: skip
#: the key options are parsed for these, as ``openclaw ACTION``s of a command with actions
KEY_ACTIONS = {("models", "status"), ("models", "attest")}
HAS_ACTIONS = {"models"}  # add_parser(sub, registry, lazy): its actions are a table too
EPILOG = "Run `openclaw COMMAND --help` for a command's options."

def build_parser(registry: Plugins = None, lazy: bool = False) -> argparse.ArgumentParser:
    """The parser of every command, made from :data:`COMMANDS`. ``registry``: the plugins
    whose options it offers (a callable is asked only when a command that needs them is
    built). ``lazy``: a command's parser is built, and its module imported, only when
    argparse picks its word (:mod:`.commands.table`), so a run imports only the command it
    runs; help and errors list every choice either way."""
    import argparse

    from .commands.table import Subcommands

    class Parser(argparse.ArgumentParser):
        """Every command's parser: ``--debug`` and ``--verbose`` are taken anywhere on the
        line (argparse reads them at each level; below the top, one not given changes
        nothing)."""

        hint: str | None = None  # whose --help to point at, when not this parser's

        def __init__(self, *args: Any, top: bool = False, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # below the top they are taken but not shown again (the top's help lists them)
            unset = False if top else argparse.SUPPRESS
            debug = "show tracebacks on errors" if top else argparse.SUPPRESS
            verbose = "say more about what happens" if top else argparse.SUPPRESS
            self.add_argument("--debug", action="store_true", default=unset, help=debug)
            self.add_argument("--verbose", "-v", action="store_true", default=unset, help=verbose)

        def error(self, message: str) -> NoReturn:
            """One ``Error:`` line and where to look, as gh does, instead of a usage dump."""
            hint = f"see `{self.hint or self.prog} --help`"
            raise SystemExit(_usage_exit(f"Error: {message}; {hint}"))

    parser = Parser(
        prog="openclaw", description="OpenClaw-style agent runtime (Python).", epilog=EPILOG,
        top=True,
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"openclaw {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", action=Subcommands)
    assert isinstance(sub, Subcommands)

    def plugins() -> Registry | None:
        return registry() if callable(registry) else registry

    def builder(name: str) -> Callable[[Subcommands], None]:
        def build(sub: Subcommands) -> None:
            parser.hint = f"openclaw {name}"  # e.g. an unknown option after the command
            module = import_module(f"{__package__}.commands.{name}")
            if name in NEEDS_REGISTRY:
                module.add_parser(sub, plugins())
            elif name in HAS_ACTIONS:
                module.add_parser(sub, plugins, lazy)
            else:
                module.add_parser(sub)

        return build

    for name, help in COMMANDS.items():
        sub.listed(name, help, builder(name))
    if not lazy:
        sub.build_all()
        parser.hint = None
    return parser


def _usage_exit(line: str) -> int:
    print(line, file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None, host: Host | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    try:
        if argv == ["--version"]:  # answered before anything else is imported
            print(f"openclaw {__version__}", file=host.stdout if host else sys.stdout)
            return 0
        _check_utf8(argv)
        if host is None:
            from .host import Host

            host = Host()
        return _run(argv, host)
    except OpenClawError as exc:
        if debug:
            raise
        _error_line(host.explain(exc) if host else str(exc), host.stderr if host else sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("\nInterrupted.", file=host.stderr if host else sys.stderr)
        return 130
    except BrokenPipeError:
        raise  # the reader went away: ``entry`` leaves quietly
    except Exception as exc:  # a bug, or the system refused: still one line unless --debug
        if debug:
            raise
        _error_line(describe(exc), host.stderr if host else sys.stderr)
        return 1


def _error_line(message: str, stream: TextIO) -> None:
    """``Error: ...``; text from a server in it cannot drive the terminal."""
    from .terminal import for_stream

    print(f"Error: {for_stream(message, stream)}", file=stream)


def _run(argv: list[str], host: Host) -> int:
    parser = build_parser(lambda: host.registry, lazy=True)
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return 2
    host.verbose = args.verbose
    command, action = args.command, getattr(args, "models_command", None)
    wants_registry = command in NEEDS_REGISTRY or (command, action) in KEY_ACTIONS
    if wants_registry and command not in ("onboard", "configure"):  # those store the key
        from .commands.key_options import take_key_options

        take_key_options(args, host)
    from . import prompts

    prompts.allowed = _is_terminal(host.stdin) and not getattr(args, "non_interactive", False)
    try:
        return int(args.handler(args, host))
    finally:
        prompts.allowed = True  # a process that goes on (tests, embedders) decides again


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or unusual: no terminal
        return False


def describe(exc: BaseException) -> str:
    """A one-line message for an exception outside the error tree."""
    from .config_file import RefusedFile

    if isinstance(exc, RefusedFile):  # a FIFO, a device, a directory: never read
        return f"{exc}; remove it, or put a regular file there"
    if isinstance(exc, PermissionError | IsADirectoryError | NotADirectoryError | FileExistsError):
        where = f" {exc.filename}" if exc.filename else ""
        return (
            f"cannot write{where}: {exc.strerror or exc}; make it writable, or point "
            "OPENCLAW_STATE_DIR (or OPENCLAW_CONFIG_PATH) and XDG_CACHE_HOME somewhere writable"
        )
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror}{where}; check it and try again (--debug shows details)"
    if isinstance(exc, UnicodeError):
        return "input is not valid UTF-8 text; convert it to UTF-8 and try again"
    return f"{type(exc).__name__}: {exc} (a bug; re-run with --debug and report it)"


def _check_utf8(argv: Sequence[str]) -> None:
    """Undecodable bytes in an argument arrive as lone surrogates: refuse them up front."""
    for number, arg in enumerate(argv, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "backslashreplace").decode("ascii", "replace")
            raise UsageError(
                f"argument {number} ({shown[:40]}) is not valid UTF-8; "
                "set a UTF-8 locale or re-type it"
            ) from None


def entry() -> None:
    """The console script. A closed pipe (``openclaw models list | head -1``) ends it quietly;
    a stdout that is closed (``>&-``) or cannot be written (a full disk) ends it with one
    line, and exit code 1."""
    if not _standard_streams():
        raise SystemExit(1)
    sys.stdout = _Stdout(sys.stdout)
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        code = 0
    except OutputError as exc:  # the last flush, after the command
        _error_line(str(exc), sys.stderr)
        code = exc.exit_code
    raise SystemExit(code)


def _standard_streams() -> bool:
    """Put /dev/null on a closed stdin, stdout or stderr, so that no file this process opens
    takes its place; False (after one line, if stderr is open) when stdout was closed:
    the output would go nowhere."""
    import os

    closed = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            closed.append(fd)
            devnull = os.open(os.devnull, os.O_RDWR)  # the lowest free number: fd itself
            if devnull != fd:
                os.dup2(devnull, fd)
                os.close(devnull)
    # Python left None where a stream was closed when it started: the stream for the run
    if 0 in closed:
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
    if 2 in closed:
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    if 1 not in closed:
        return True
    if 2 not in closed:
        print("Error: stdout is closed; run openclaw with stdout open (> /dev/null to "
              "discard its output)", file=sys.stderr)  # fmt: skip
    return False


class _Stdout:
    """``sys.stdout`` whose write errors other than a closed pipe (a full disk, an I/O
    error) are one :class:`OutputError`; stdout then goes to /dev/null, so that no later
    flush (the interpreter's, at exit) fails again."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise self._failed(exc) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise self._failed(exc) from None

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)

    def _failed(self, exc: OSError) -> OutputError:
        _silence_stdout()
        return OutputError(
            f"cannot write the output: {exc.strerror or exc}; free the disk or send stdout "
            "elsewhere"
        )


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot complain again."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
