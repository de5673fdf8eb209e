"""``glos serve`` with several workers in a child process on loopback, for the scale-out tests and benchmark.

:class:`Cluster` writes a configuration (PostgreSQL store, webhook mode against a Bot API at ``api_url`` — the
emulator —, a free loopback port, a short leader retry), starts ``glos serve`` in a new session, and waits until
every worker listens and one of them leads. Workers announce themselves on stdout (``worker N (pid P): URL``),
which is how :meth:`Cluster.worker_pids` knows them; :meth:`Cluster.leader_pid` asks PostgreSQL who holds the
leader lock (:data:`bot.scheduling.leader.WHO_LEADS`).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Self

from sqlalchemy import create_engine, text

from bot.scheduling.leader import WHO_LEADS
from bot.web.serve import free_port

__all__ = ["SECRET", "WEBHOOK_SECRET", "Cluster"]

SECRET = "scaleout-secret-key-0123456789abcdef"
WEBHOOK_SECRET = "scaleout-webhook-secret"
_WORKER = re.compile(r"worker (\d+) \(pid (\d+)\): ")


class Cluster:
    """A running ``glos serve`` (see the module docstring)."""

    def __init__(
        self, folder: Path, db_url: str, api_url: str, token: str, *, workers: int, retry: float = 1.0
    ) -> None:
        self.folder = folder
        self.db_url = db_url
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / "serve.log"
        self.config = folder / "glos.toml"
        self.config.write_text(
            "[bot]\nadmins = []\nload_examples = false\n"
            f"[storage]\nurl = {_toml(db_url)}\n"
            f'[telegram]\nmode = "webhook"\napi_url = {_toml(api_url)}\n'
            f'[web]\nhost = "127.0.0.1"\nport = {self.port}\npublic_url = "{self.url}"\nworkers = {workers}\n'
            f"[scheduler]\nleader_retry_seconds = {retry}\n",
            encoding="utf-8",
        )
        self.env = {
            **os.environ,
            "GLOS_TELEGRAM__TOKEN": token,
            "GLOS_TELEGRAM__WEBHOOK_SECRET": WEBHOOK_SECRET,
            "GLOS_BOT__SECRET_KEY": SECRET,
        }
        self.process: subprocess.Popen[bytes] | None = None
        self._engine = create_engine(db_url)

    def start(self, timeout: float = 90) -> Self:
        """Start ``glos serve`` and wait until every worker listens and one leads."""
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from bot.cli import main; main()", "--config", str(self.config), "serve"],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.folder,
                start_new_session=True,  # its workers are in its process group: stop() ends them all
            )
        deadline = time.monotonic() + timeout
        while len(self.worker_pids()) < self.workers or self.leader_pid() is None:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"glos serve did not start:\n{self.output()}")
            time.sleep(0.2)
        return self

    def output(self) -> str:
        """What ``glos serve`` and its workers printed so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def worker_pids(self) -> dict[int, int]:
        """The newest pid of each worker index that announced itself."""
        return {int(index): int(pid) for index, pid in _WORKER.findall(self.output())}

    def leader_pid(self) -> int | None:
        """The pid of the worker holding the leader lock, if one of ours does."""
        ours = set(self.worker_pids().values())
        with self._engine.connect() as connection:
            names = [row[0] for row in connection.execute(text(WHO_LEADS))]
        pids = [int(name.split(":", 1)[1]) for name in names if name.split(":", 1)[1].isdigit()]
        return next((pid for pid in pids if pid in ours), None)

    def stop(self) -> int | None:
        """SIGTERM ``glos serve`` (it stops its workers), SIGKILL the group after 40 s; its exit status."""
        self._engine.dispose()
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # nothing of it may outlive the test
        return self.process.returncode


def _toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
