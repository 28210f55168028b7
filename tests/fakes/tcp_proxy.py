"""A TCP proxy in front of a real server (PostgreSQL), to stop or freeze it for one test only.

``stop()`` closes the listener and every connection: the server is gone (connection refused).
``freeze()`` keeps accepting connections but passes no byte either way: the server is there
and never answers, as a paused or wedged database is. ``resume()`` undoes either; connections
accepted while frozen are then joined to the server, as a resumed server would serve them.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from typing import Self

from tests.fakes.upstream import free_port


class TcpProxy:
    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._lock = threading.Lock()
        self._frozen = False
        # Connections accepted so far, for tests that count a client's attempts.
        self.accepted = 0
        self._listener: socket.socket | None = None
        # Each client socket and its server socket (None while frozen since it was accepted).
        self._pairs: dict[socket.socket, socket.socket | None] = {}
        self._selector = selectors.DefaultSelector()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tcp proxy", daemon=True)

    def start(self) -> Self:
        self._listen()
        self._thread.start()
        return self

    def freeze(self) -> None:
        with self._lock:
            self._frozen = True
            for client, server in self._pairs.items():
                self._unwatch(client, server)

    def stop(self) -> None:
        with self._lock:
            self._frozen = False
            if self._listener is not None:
                self._selector.unregister(self._listener)
                self._listener.close()
                self._listener = None
            for client, server in self._pairs.items():
                self._unwatch(client, server)
                for sock in (client, server):
                    if sock is not None:
                        sock.close()
            self._pairs.clear()

    def resume(self) -> None:
        with self._lock:
            self._frozen = False
            if self._listener is None:
                self._listen()
            for client in list(self._pairs):
                self._join(client)

    def close(self) -> None:
        self.stop()
        self._closed.set()
        self._thread.join(timeout=5)
        self._selector.close()

    def _listen(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port))
        listener.setblocking(False)
        self._listener = listener
        self._selector.register(listener, selectors.EVENT_READ)

    def _join(self, client: socket.socket) -> None:
        server = self._pairs.get(client)
        if server is None:
            server = socket.create_connection(self.target)
            server.setblocking(False)
            self._pairs[client] = server
        self._selector.register(client, selectors.EVENT_READ, server)
        self._selector.register(server, selectors.EVENT_READ, client)

    def _unwatch(self, client: socket.socket, server: socket.socket | None) -> None:
        for sock in (client, server):
            if sock is not None:
                with contextlib.suppress(KeyError, ValueError):
                    self._selector.unregister(sock)

    def _run(self) -> None:
        while not self._closed.is_set():
            events = self._selector.select(timeout=0.05)
            with self._lock:
                for key, _ in events:
                    sock = key.fileobj
                    assert isinstance(sock, socket.socket)
                    if sock is self._listener:
                        self._accept(sock)
                    elif isinstance(key.data, socket.socket) and sock.fileno() != -1:
                        self._pump(sock, key.data)

    def _accept(self, listener: socket.socket) -> None:
        try:
            client, _ = listener.accept()
        except BlockingIOError:
            return
        client.setblocking(False)
        self.accepted += 1
        self._pairs[client] = None
        if not self._frozen:
            self._join(client)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            data = source.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        try:
            if not data:
                raise ConnectionResetError
            sink.setblocking(True)
            sink.sendall(data)
            sink.setblocking(False)
        except OSError:
            self._drop(source, sink)

    def _drop(self, one: socket.socket, other: socket.socket) -> None:
        client = one if one in self._pairs else other
        self._unwatch(client, self._pairs.pop(client, None))
        one.close()
        other.close()
