"""Serving an ASGI app (the web app, the Bot API emulator, a webhook) with uvicorn from a daemon thread."""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any, Self

import uvicorn

__all__ = ["ThreadedServer", "free_port"]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on at the moment (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class ThreadedServer:
    """Serve any ASGI app on ``host:port`` (0 = a free port) with uvicorn from a daemon thread."""

    def __init__(self, asgi: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port or free_port(host)
        config = uvicorn.Config(asgi, host=host, port=self.port, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://host:port``."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        """Start serving; returns when the port accepts connections."""
        self._thread = threading.Thread(target=self._serve, name=f"asgi-{self.port}", daemon=True)
        self._thread.start()
        for _ in range(500):
            if self._server.started:
                return self
            if not self._thread.is_alive():
                raise RuntimeError(f"could not listen on {self.url}")
            threading.Event().wait(0.01)
        raise RuntimeError(f"{self.url} did not start in 5 s")

    def _serve(self) -> None:
        asyncio.run(self._server.serve())

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
