"""Who may use the gateway: the bearer token (a 0600 file under the state dir, compared in
constant time) and the loopback check on ``Host`` and ``Origin`` (a web page cannot reach
the gateway through DNS rebinding, nor post to it from another origin)."""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
#: a bind to every address: clients on the network name this machine by an address literal
WILDCARD_ADDRESSES = frozenset({"0.0.0.0", "::"})
TOKEN_BYTES = 32


def token_path(state_dir: Path) -> Path:
    return state_dir / "gateway" / "token"


def load_token(path: Path) -> str:
    """The token in ``path``; made (random, readable by the user alone) when missing, and
    its file made private again if someone widened it."""
    from ..config_file import read_regular
    from ..plugins import make_private_dir

    make_private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        token = read_regular(path, 4096).decode("ascii", errors="replace").strip()
        if len(token) >= 32:
            return token
        path.unlink()  # empty or cut short: a new one
        return load_token(path)
    token = "ocg-" + secrets.token_urlsafe(TOKEN_BYTES)
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(token + "\n")
    return token


def authorized(headers: Mapping[str, str], token: str) -> bool:
    """``Authorization: Bearer <token>``, compared in constant time."""
    value = headers.get("authorization", "")
    scheme, _, given = value.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode("utf-8", "replace"), token.encode("ascii"))


def host_name(value: str) -> str:
    """The name in a ``Host`` header (``[::1]:8645`` -> ``::1``)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:].partition("]")[0]
    return value.rpartition(":")[0] if value.count(":") == 1 else value


def local_request(headers: Mapping[str, str], allowed: Iterable[str] = ()) -> str | None:
    """Why the request is refused (a ``Host`` or ``Origin`` that is not this machine or an
    ``allowed`` name), or None."""
    names = LOOPBACK_NAMES | {a.lower() for a in allowed}
    host = headers.get("host")
    if host is None or not (
        host_name(host) in names or (names & WILDCARD_ADDRESSES and _address(host_name(host)))
    ):
        return "the Host header must name this machine (localhost, 127.0.0.1 or [::1])"
    origin = headers.get("origin")
    if origin is not None:
        try:
            name = urlsplit(origin).hostname
        except ValueError:
            name = None
        if name not in names:
            return "requests from web pages of other origins are refused"
    return None


def _address(name: str) -> bool:
    """Whether ``name`` is an IP address literal: DNS rebinding needs a domain name, so an
    address in ``Host`` is a client that connected to that address."""
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True
