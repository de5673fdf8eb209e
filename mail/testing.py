"""A real Dovecot for tests and benchmarks: IMAP and LMTP on free loopback ports, any user, one password.

:func:`start_dovecot` writes a minimal ``dovecot.conf`` (static passdb and userdb, Maildir storage, no SSL,
``recipient_delimiter = +``) into a fresh folder readable by the unprivileged mail user, starts ``dovecot -F``
and waits until IMAP answers. Like Mailman's ``testing/mta.py``: the real server, started the way a test
needs it. Returns None when the binary is absent (callers skip with that reason). :meth:`DovecotServer.restart`
stops it and starts it again on the same ports and mail (a server restarted under a connected client).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "DOVECOT_MISSING",
    "DovecotServer",
    "SmtpSink",
    "dovecot_binaries",
    "free_port",
    "smtp_sink",
    "start_dovecot",
]

DOVECOT_MISSING = "dovecot is not installed (apt-get install -y dovecot-imapd dovecot-lmtpd)"
PASSWORD = "test-password"


def dovecot_binaries() -> tuple[str, str] | None:
    """Paths of ``dovecot`` and ``doveadm``, or None when they are not installed."""
    dovecot = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
    doveadm = shutil.which("doveadm") or ("/usr/bin/doveadm" if os.path.exists("/usr/bin/doveadm") else None)
    return (dovecot, doveadm) if dovecot and doveadm else None


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class DovecotServer:
    """A running Dovecot: ``imap_port``, ``lmtp_port``; every user logs in with ``password``."""

    imap_port: int
    lmtp_port: int
    config: Path
    doveadm: str
    password: str = PASSWORD
    binary: str = "dovecot"
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)  # the running one last

    def restart(self) -> float:
        """Stop the server (SIGTERM: every connection is closed) and start it again; returns the seconds it was
        not answering."""
        stopped = time.monotonic()
        current = self.processes[-1]
        current.terminate()
        current.wait(timeout=10)
        self.processes.append(_launch(self.binary, self.config, self.imap_port))
        return time.monotonic() - stopped

    def kick(self, user: str) -> None:
        """Disconnect every IMAP session of ``user`` (``doveadm kick``)."""
        subprocess.run([self.doveadm, "-c", str(self.config), "kick", user], check=True, capture_output=True)


_CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
listen = 127.0.0.1
protocols = imap lmtp
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:{root}/mail/%n/Maildir
recipient_delimiter = +
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%n
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp_port}
  }}
  unix_listener lmtp {{
    mode = 0666
  }}
}}
protocol imap {{
  mail_max_userip_connections = 200
}}
"""


@contextmanager
def start_dovecot(extra_config: str = "") -> Iterator[DovecotServer | None]:
    """A running Dovecot for the duration of the block (None without the binary); stopped and removed after.

    ``extra_config`` is appended to the configuration (e.g. ``imap_capability = …`` for a server without IDLE).
    """
    binaries = dovecot_binaries()
    if binaries is None:
        yield None
        return
    dovecot, doveadm = binaries
    # Not under pytest's tmp_path, which is private (0700): mail is stored as an unprivileged user.
    root = Path(tempfile.mkdtemp(prefix="glos-dovecot-"))
    root.chmod(0o755)
    (root / "mail").mkdir()
    (root / "mail").chmod(0o777)
    account = pwd.getpwnam("nobody") if os.getuid() == 0 else pwd.getpwuid(os.getuid())
    imap_port, lmtp_port = free_port(), free_port()
    config = root / "dovecot.conf"
    config.write_text(
        _CONFIG.format(
            root=root,
            password=PASSWORD,
            uid=account.pw_uid,
            gid=account.pw_gid,
            imap_port=imap_port,
            lmtp_port=lmtp_port,
        )
        + extra_config,
        encoding="utf-8",
    )
    server = DovecotServer(imap_port, lmtp_port, config, doveadm, binary=dovecot)
    try:
        server.processes.append(_launch(dovecot, config, imap_port))
        yield server
    finally:
        for process in server.processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def _launch(dovecot: str, config: Path, imap_port: int) -> subprocess.Popen[bytes]:
    """Start ``dovecot -F`` and wait until IMAP answers (a restart may wait for the old port to be free)."""
    process = subprocess.Popen([dovecot, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", imap_port), timeout=1).close()
            return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                output = process.stdout.read().decode() if process.stdout else ""
                raise RuntimeError(f"dovecot did not start: {output}") from None
            time.sleep(0.02)


@dataclass
class SmtpSink:
    """A real aiosmtpd server on loopback that keeps every message it receives (see :func:`smtp_sink`)."""

    port: int
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    """(envelope sender, recipients, raw message), in arrival order."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """aiosmtpd's hook: keep the message and accept it."""
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 Message accepted for delivery"

    def header_values(self, name: bytes) -> list[bytes]:
        """The values of header ``name`` over every received message."""
        prefix = name + b":"
        return [
            line[len(prefix) :].strip()
            for _, _, raw in list(self.messages)
            for line in raw.split(b"\r\n")
            if line.startswith(prefix)
        ]


@contextmanager
def smtp_sink() -> Iterator[SmtpSink]:
    """An :class:`SmtpSink` listening on a free loopback port in this process, for the block."""
    from aiosmtpd.controller import Controller  # a test dependency only

    sink = SmtpSink(free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
