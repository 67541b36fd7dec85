"""Real proxies on 127.0.0.1 for tests: an HTTP CONNECT proxy and a SOCKS5 proxy.

Each relays bytes between the client and a server on 127.0.0.1 (``localhost`` is resolved
to it, by the proxy: that is what ``socks5h`` asks for) and records what it saw: ``heads``,
what it read in clear before the tunnel (the CONNECT request, or the SOCKS handshake), and
``tunnelled``, every byte the client sent through the tunnel. A request that is not a tunnel
(an http proxy asked to forward ``GET http://...``) is recorded in ``heads`` and refused.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable
from contextlib import suppress

LOCAL_NAMES = {"localhost": "127.0.0.1", "127.0.0.1": "127.0.0.1"}


class TunnelProxy:
    def __init__(self, kind: str) -> None:
        assert kind in ("http", "socks5")
        self.kind = kind
        self.heads: list[bytes] = []
        self.targets: list[tuple[str, int]] = []  # (host as the client named it, port)
        self.address_types: list[int] = []  # SOCKS ATYP: 1 IPv4, 3 a name, 4 IPv6
        self._tunnelled: list[bytes] = []
        self._lock = threading.Lock()
        self._sock = socket.create_server(("127.0.0.1", 0), backlog=64)
        self._threads: list[threading.Thread] = []
        self._closing = threading.Event()

    @property
    def port(self) -> int:
        return int(self._sock.getsockname()[1])

    @property
    def url(self) -> str:
        return f"{self.kind}://127.0.0.1:{self.port}"

    @property
    def tunnelled(self) -> bytes:
        with self._lock:
            return b"".join(self._tunnelled)

    def start(self) -> TunnelProxy:
        self._spawn(self._accept)
        return self

    def stop(self) -> None:
        self._closing.set()
        self._sock.close()

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            self._spawn(self._serve, client)

    def _serve(self, client: socket.socket) -> None:
        with client, suppress(OSError):
            upstream = self._http_tunnel(client) if self.kind == "http" else self._socks(client)
            if upstream is None:
                return
            with upstream:
                self._spawn(self._pipe, upstream, client, False)
                self._pipe(client, upstream, True)

    def _http_tunnel(self, client: socket.socket) -> socket.socket | None:
        head = b""
        while b"\r\n\r\n" not in head:
            data = client.recv(4096)
            if not data:
                return None
            head += data
        head, _, rest = head.partition(b"\r\n\r\n")
        self._record_head(head + b"\r\n\r\n")
        method, target, _ = head.split(b"\r\n")[0].decode("latin-1").split(" ", 2)
        if method != "CONNECT":
            client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return None
        host, _, port = target.rpartition(":")
        upstream = self._connect(host.strip("[]"), int(port))
        if upstream is None:
            client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return None
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        if rest:
            self._record_tunnelled(rest)
            upstream.sendall(rest)
        return upstream

    def _socks(self, client: socket.socket) -> socket.socket | None:
        version, count = _exactly(client, 2)
        methods = _exactly(client, count)
        self._record_head(bytes([version, count]) + methods)
        if version != 5 or 0 not in methods:
            client.sendall(b"\x05\xff")
            return None
        client.sendall(b"\x05\x00")  # no authentication
        request = _exactly(client, 4)
        _, command, _, address_type = request
        if address_type == 1:
            raw = _exactly(client, 4)
            host = socket.inet_ntoa(raw)
        elif address_type == 3:
            raw = _exactly(client, 1)
            raw += _exactly(client, raw[0])
            host = raw[1:].decode("idna")
        else:
            raw = _exactly(client, 16)
            host = socket.inet_ntop(socket.AF_INET6, raw)
        port_bytes = _exactly(client, 2)
        self._record_head(request + raw + port_bytes)
        with self._lock:
            self.address_types.append(address_type)
        upstream = self._connect(host, struct.unpack("!H", port_bytes)[0]) if command == 1 else None
        if upstream is None:
            client.sendall(b"\x05\x05\x00\x01" + bytes(6))  # connection refused
            return None
        client.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") + port_bytes)
        return upstream

    def _connect(self, host: str, port: int) -> socket.socket | None:
        with self._lock:
            self.targets.append((host, port))
        address = LOCAL_NAMES.get(host)
        if address is None:  # the suite never leaves this machine
            return None
        try:
            return socket.create_connection((address, port), timeout=10)
        except OSError:
            return None

    def _pipe(self, source: socket.socket, sink: socket.socket, record: bool) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                if record:
                    self._record_tunnelled(data)
                sink.sendall(data)
        with suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def _record_head(self, data: bytes) -> None:
        with self._lock:
            self.heads.append(data)

    def _record_tunnelled(self, data: bytes) -> None:
        with self._lock:
            self._tunnelled.append(data)


def _exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        piece = sock.recv(size - len(data))
        if not piece:
            raise ConnectionError("the client went away mid-handshake")
        data += piece
    return data
