"""One network policy for discovery and chat: which proxy, which CA certificates.

Proxies come from the environment, as curl and httpx read it: ``HTTPS_PROXY`` (then
``ALL_PROXY``) for https URLs, ``HTTP_PROXY`` (then ``ALL_PROXY``) for http ones, lower-case
names first; ``NO_PROXY`` lists hosts (``example.com`` also covers its subdomains, ``*``
covers all) that are reached directly. ``http``, ``https``, ``socks5`` and ``socks5h``
proxies work (Tor: ``ALL_PROXY=socks5h://127.0.0.1:9050``). Plain http to loopback, the only
plain http the API key may travel over, never goes through a proxy, so a proxy never sees the
key in clear; an https request reaches it only inside a CONNECT (or SOCKS) tunnel.

Certificates: the system's defaults via certifi, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``.
One TLS context per setting is built once and shared by every client (building one reads
the whole CA bundle: tens of milliseconds).
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import ssl

    import httpx

__all__ = [
    "NetworkSettingError",
    "Route",
    "async_transport",
    "is_loopback",
    "route_for",
    "tls_context",
]

PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


class NetworkSettingError(ValueError):
    """A proxy or certificate variable that cannot be used; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Route:
    """How to reach one URL: directly (``proxy`` None) or through ``proxy``, taken from the
    variable ``source``. ``shown`` is the proxy without any user name or password."""

    proxy: str | None = None
    source: str = ""
    shown: str = ""

    def describe(self) -> str:
        return f" through the proxy {self.shown} (from {self.source})" if self.proxy else ""


def route_for(url: str, env: Mapping[str, str]) -> Route:
    """The route to ``url`` under the proxy variables in ``env``; :class:`NetworkSettingError`
    when the variable that applies is malformed or names an unsupported kind of proxy."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "http" and is_loopback(host):
        return Route()  # the key may travel in clear only here: never past a proxy
    names = ("https_proxy", "all_proxy") if parts.scheme == "https" else ("http_proxy", "all_proxy")
    for name in names:
        for variable in (name, name.upper()):
            value = (env.get(variable) or "").strip()
            if value:
                if _bypassed(host, env):
                    return Route()
                return Route(value, variable, _checked(value, variable))
    return Route()


def _checked(value: str, variable: str) -> str:
    """The proxy URL without its userinfo, once it is known to be usable."""
    problem = f"{variable} is not a usable proxy URL"
    try:
        parts = urlsplit(value)
        port = parts.port
        host = parts.hostname
    except ValueError:
        raise NetworkSettingError(f"{problem} (bad host or port); fix it or unset it") from None
    if parts.scheme not in PROXY_SCHEMES:
        kinds = ", ".join(f"{scheme}://" for scheme in PROXY_SCHEMES)
        shown = f"{parts.scheme}://" if parts.scheme else "no scheme"
        raise NetworkSettingError(f"{problem} ({shown}; use one of {kinds}); fix it or unset it")
    if not host:
        raise NetworkSettingError(f"{problem} (no host); fix it or unset it")
    if parts.scheme.startswith("socks"):
        try:
            import socksio  # noqa: F401  (httpx's SOCKS support)
        except ImportError:  # pragma: no cover (a dependency of this package)
            raise NetworkSettingError(
                f"{variable} names a SOCKS proxy but the socksio package is missing; "
                "reinstall openclaw-venice"
            ) from None
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def _bypassed(host: str, env: Mapping[str, str]) -> bool:
    """Whether ``NO_PROXY`` (or ``no_proxy``) sends ``host`` direct."""
    value = env.get("no_proxy") or env.get("NO_PROXY") or ""
    for entry in (item.strip().lower() for item in value.split(",")):
        if not entry:
            continue
        if entry == "*":
            return True
        entry = entry.lstrip(".").split(":")[0] if not entry.startswith("[") else entry
        if host == entry or host.endswith("." + entry) or _in_network(host, entry):
            return True
    return False


def _in_network(host: str, entry: str) -> bool:
    if "/" not in entry:
        return False
    try:
        return ipaddress.ip_address(host) in ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return False


@functools.lru_cache(maxsize=64)  # asked at every send; parsing an address is not free
def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def tls_context(env: Mapping[str, str]) -> ssl.SSLContext:
    """The shared TLS context for ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` (else certifi's)."""
    return _context(env.get("SSL_CERT_FILE") or None, env.get("SSL_CERT_DIR") or None)


@functools.cache
def _context(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    import ssl

    if cafile is None and capath is None:
        import certifi

        cafile = certifi.where()
    try:
        return ssl.create_default_context(cafile=cafile, capath=capath)
    except (OSError, ssl.SSLError) as exc:
        raise NetworkSettingError(
            f"SSL_CERT_FILE/SSL_CERT_DIR cannot be used ({exc.strerror or exc}); fix or unset it"
        ) from None


def async_transport(
    url: str, env: Mapping[str, str], limits: httpx.Limits | None = None
) -> httpx.AsyncBaseTransport:
    """The httpx transport for requests to ``url``: its route, the TLS context,
    ``TCP_NODELAY`` (httpx writes a request's head and body separately; without it the body
    waits for the server's delayed ACK, 15-40 ms a request), and no connection reused that
    carries an answer nobody asked for (``wire.unasked``), its connections made and read by
    ``wire.asyncio_backend``."""
    import socket

    import httpx

    from . import asyncio_backend
    from .unasked import OneAnswerPerRequest

    route = route_for(url, env)
    transport = httpx.AsyncHTTPTransport(
        verify=tls_context(env),
        limits=limits or httpx.Limits(),
        proxy=route.proxy,
        socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
    )
    asyncio_backend.install(transport)  # asyncio's own sockets, not anyio's (its module says why)
    return OneAnswerPerRequest(transport)
