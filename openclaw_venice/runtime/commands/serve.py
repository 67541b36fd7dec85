"""``openclaw serve``: a local OpenAI-compatible endpoint (``/v1``) for other agent runtimes,
every turn through the host's providers and their rules; ``--status`` says whether one runs.

It listens on 127.0.0.1 only unless ``--bind`` says otherwise, asks for the bearer token kept
in ``<state dir>/gateway/token`` (0600), and stops at Ctrl-C or SIGTERM: every answer in
progress ends at once (its upstream stream closed), exit 0.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError

if TYPE_CHECKING:
    from ..host import Host

DEFAULT_PORT = 8645
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "serve", help="a local OpenAI-compatible endpoint for other agent runtimes"
    )
    parser.add_argument(
        "--port", type=_port, default=DEFAULT_PORT,
        help=f"the port to listen on (default {DEFAULT_PORT}; 0 picks a free one)",
    )  # fmt: skip
    parser.add_argument(
        "--bind", metavar="ADDRESS", default="127.0.0.1",
        help="listen on ADDRESS instead of 127.0.0.1 (exposes your providers to that network)",
    )  # fmt: skip
    parser.add_argument(
        "--max-connections", type=_count, metavar="N",
        help="upstream requests in flight per provider (default: the provider's setting)",
    )  # fmt: skip
    parser.add_argument("--status", action="store_true", help="say whether the gateway runs")
    parser.set_defaults(handler=run)


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"expected a port number 0 to 65535, got {text!r}")
    return int(text)


def state_file(host: Host, port: int | None = None) -> Path:
    """A running gateway's record: one per port, so one gateway's stop leaves another's
    (``serve.json``: the single record of earlier versions, still read by ``--status``)."""
    name = "serve.json" if port is None else f"serve-{port}.json"
    return host.state_dir / "gateway" / name


def run(args: argparse.Namespace, host: Host) -> int:
    if args.status:
        return status(host)
    import asyncio
    import socket

    from ..gateway.app import Gateway, build_routes
    from ..gateway.guard import WILDCARD_ADDRESSES, load_token, token_path
    from ..gateway.media import media_providers

    path = token_path(host.state_dir)
    token = load_token(path)
    routes = build_routes(host, host.warn)
    if not routes:
        raise UsageError("no provider has an API key to serve with; run `openclaw onboard` first")
    exposed = args.bind not in LOOPBACK
    allowed: tuple[str, ...] = (args.bind,) if exposed else ()
    if args.bind in WILDCARD_ADDRESSES:  # clients on the network may name this machine too
        allowed = (args.bind, socket.gethostname())
    keys = {provider_id: route.key for provider_id, route in routes.items()}
    media = media_providers(host, keys, host.warn)
    gateway = Gateway(host, token, routes, allowed, host.warn, args.max_connections, media)
    return asyncio.run(_serve(host, gateway, args.bind, args.port, path, exposed))


async def _serve(
    host: Host, gateway: Any, bind: str, port: int, token_file: Path, exposed: bool
) -> int:
    import asyncio
    import signal

    from ..gateway.http import Server

    server = Server(gateway.handle)
    try:
        address, bound = await server.start(bind, port)
    except OSError as exc:
        import errno

        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {port} on {bind} is taken (another `openclaw serve`? "
                "`openclaw serve --status` says); pass --port N to use another"
            ) from None
        raise UsageError(f"cannot listen on {bind}:{port}: {exc.strerror or exc}") from None
    shown = f"[{address}]" if ":" in address else address
    url = f"http://{shown}:{bound}/v1"
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    record = state_file(host, bound)
    _write_state(record, {"pid": os.getpid(), "url": url})
    try:
        host.out(f"Serving {', '.join(gateway.routes)} at {url} (bearer token in {token_file})")
        if exposed:
            host.warn(
                f"listening on {bind}: anyone who can reach it and has the token can use your "
                "providers and their balance"
            )
        host.stdout.flush()
        import gc

        # what start-up made (modules, catalog, routes) leaves every later collection: the
        # gateway's collections during a burst of 500 turns 200-280 -> 90-120 ms (docs/speed.md)
        gc.collect()
        gc.freeze()
        await stop.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        await server.stop()
        await gateway.aclose()
        if _read_state(record) == (os.getpid(), url):  # a later run on this port keeps its own
            record.unlink(missing_ok=True)
    host.err("Stopped.")
    return 0


def _write_state(path: Path, data: dict[str, Any]) -> None:
    from ..plugins import make_private_dir

    make_private_dir(path.parent)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        json.dump(data, file)
    temporary.replace(path)


def status(host: Host) -> int:
    """Whether a gateway of this state dir runs: its records, their processes, their ports."""
    directory = state_file(host).parent
    try:
        records = sorted(directory.glob("serve*.json"))
    except OSError:
        records = []
    found = [run for run in map(_read_state, records) if run is not None]
    running = [(pid, url) for pid, url in found if _alive(pid) and _answers(url)]
    for pid, url in running:
        host.out(f"openclaw serve is running at {url} (pid {pid})")
    if running:
        return 0
    if found:
        host.out("openclaw serve is not running (its last run did not stop cleanly)")
    else:
        host.out("openclaw serve is not running")
    return 1


def _read_state(record: Path) -> tuple[int, str] | None:
    """The pid and URL a record names; None when there is no readable record."""
    from ..config_file import read_regular

    try:
        data = json.loads(read_regular(record, 1 << 16))
        return int(data["pid"]), str(data["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _answers(url: str) -> bool:
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), 2):
            return True
    except OSError:
        return False
