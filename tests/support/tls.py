"""TLS for the loopback server: a throwaway CA (trustme) and a certificate for localhost.

The client trusts the CA through ``SSL_CERT_FILE``, as a user behind an inspecting proxy
would configure it; nothing is added to any real trust store.
"""

from __future__ import annotations

import functools
import ssl
from pathlib import Path

import trustme

from tests.support.server import LocalServer


@functools.cache
def _ca() -> trustme.CA:
    return trustme.CA()


def https_server(names: tuple[str, ...] = ("localhost", "127.0.0.1")) -> LocalServer:
    """A started LocalServer speaking https, its certificate valid for ``names`` (localhost
    and 127.0.0.1 unless told; the handshake runs in each connection's thread, not in
    accept)."""
    server = LocalServer()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    _ca().issue_cert(*names).configure_cert(context)
    server.httpd.socket = context.wrap_socket(
        server.httpd.socket, server_side=True, do_handshake_on_connect=False
    )
    return server.start()


def https_url(server: LocalServer, host: str = "localhost") -> str:
    return f"https://{host}:{server.httpd.server_address[1]}"


def ca_file(directory: Path) -> str:
    """The CA certificate as a PEM file in ``directory``, for ``SSL_CERT_FILE``."""
    path = directory / "test-ca.pem"
    _ca().cert_pem.write_to_path(str(path))
    return str(path)
