"""Serving an ASGI app (the web app, the Bot API emulator, a webhook) with uvicorn from a daemon thread.

With ``reuse_port`` the listening socket is bound with ``SO_REUSEPORT``: several bot processes (``glos serve``
with ``[web] workers``) listen on one port and the kernel spreads incoming connections across them. A port held
by a process that did not ask for ``SO_REUSEPORT`` still refuses the bind.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any, Self

import uvicorn

__all__ = ["PortTaken", "ThreadedServer", "free_port"]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on at the moment (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class PortTaken(RuntimeError):
    """``host:port`` is held by another process (``str()`` says which)."""


class ThreadedServer:
    """Serve any ASGI app on ``host:port`` (0 = a free port) with uvicorn from a daemon thread.

    The listening socket is bound here, before uvicorn starts, so a taken port is one :class:`PortTaken` for the
    caller to word, never uvicorn's ``ERROR: [Errno 98]`` in the log.
    """

    def __init__(self, asgi: Any, host: str = "127.0.0.1", port: int = 0, *, reuse_port: bool = False) -> None:
        self.host = host
        self.port = port
        self.reuse_port = reuse_port
        config = uvicorn.Config(asgi, host=host, port=port, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://host:port``."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        """Bind and start serving; returns when the port accepts connections. :class:`PortTaken` when the port
        is held by another process."""
        sock = self._bind()
        self.port = int(sock.getsockname()[1])
        self._thread = threading.Thread(target=self._serve, args=(sock,), name=f"asgi-{self.port}", daemon=True)
        self._thread.start()
        for _ in range(500):
            if self._server.started:
                return self
            if not self._thread.is_alive():
                raise RuntimeError(f"could not serve on {self.url}")
            threading.Event().wait(0.01)
        raise RuntimeError(f"{self.url} did not start in 5 s")

    def probe(self) -> None:
        """Bind ``host:port`` and let it go again: :class:`PortTaken` if another process holds it."""
        self._bind().close()

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        # SO_REUSEADDR only lets a restarted bot take its port back from connections in TIME_WAIT: a port some
        # process listens on still refuses the bind (unless both asked for SO_REUSEPORT).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError as error:
            sock.close()
            raise PortTaken(f"{self.host}:{self.port} is taken ({error.strerror})") from error
        sock.set_inheritable(False)
        return sock

    def _serve(self, sock: socket.socket) -> None:
        asyncio.run(self._server.serve(sockets=[sock]))

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
