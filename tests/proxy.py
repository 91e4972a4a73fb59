"""A TCP proxy on a free loopback port that a test can make misbehave, for database and Redis faults.

`stall()` is a database that stops answering while staying connected: every socket stays open
and new connections are accepted, but not a byte moves either way. `refuse()` is a server that
is down: open connections are cut and new ones closed at once. `forward()` puts it right.
"""

from __future__ import annotations

import select
import socket
import threading

from servers import HOST
from servers import free_port


class Proxy:
    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = free_port()
        self.mode = "forward"
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server((HOST, self.port))
        self._listener.settimeout(0.2)
        self._running = True
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def forward(self) -> None:
        self.mode = "forward"

    def stall(self) -> None:
        self.mode = "stall"

    def refuse(self) -> None:
        self.mode = "refuse"
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            _close(*pair)

    def close(self) -> None:
        self._running = False
        self._thread.join()
        self._listener.close()
        self.refuse()

    def _accept(self) -> None:
        while self._running:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            if self.mode == "refuse":
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, server))
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        other = {client: server, server: client}
        try:
            while self._running and self.mode != "refuse":
                if self.mode == "stall":  # hold everything: the bytes wait in the kernel's buffers
                    select.select([], [], [], 0.05)
                    continue
                readable, _, _ = select.select([client, server], [], [], 0.05)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    other[sock].sendall(data)
        except OSError:
            return
        finally:
            _close(client, server)


def _close(*sockets: socket.socket) -> None:
    for sock in sockets:
        try:
            sock.close()
        except OSError:
            pass
