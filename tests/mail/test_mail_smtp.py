"""The SMTP sender over STARTTLS and implicit TLS (a real aiosmtpd with a self-signed certificate), and a
refused recipient that fails only its own message."""

from __future__ import annotations

import email
import email.policy
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from bot.domain import Channel
from mail.sender import SmtpConfig, SmtpSender
from mail.testing import free_port


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (openssl)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


class _Handler:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes, bool]] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        encrypted = server.transport.get_extra_info("ssl_object") is not None
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.original_content), encrypted))
        return "250 OK"


@pytest.fixture(params=["starttls", "ssl"])
def tls_server(request: pytest.FixtureRequest, certificate: tuple[Path, Path]) -> Iterator[tuple[str, int, _Handler]]:
    """aiosmtpd requiring STARTTLS, or speaking implicit TLS."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    handler = _Handler()
    port = free_port()
    if request.param == "starttls":
        controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True)
    else:
        controller = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=context)
    controller.start()
    try:
        yield request.param, port, handler
    finally:
        controller.stop()


def test_confirmations_go_out_encrypted_and_a_refused_recipient_fails_alone(
    mailroom: Any, tls_server: tuple[str, int, _Handler], certificate: tuple[Path, Path]
) -> None:
    mode, port, handler = tls_server
    outbox = mailroom.services.outbox
    outbox.enqueue(
        key="test:nobody",
        channel=Channel.EMAIL,
        address="nobody@example.pl",
        purpose="mail.notice",
        payload={"subject": "x", "text": "x", "html": "", "headers": {}},
    )
    config = SmtpConfig("127.0.0.1", port, tls=mode, from_address="glos@glos.example.org", ca_file=str(certificate[0]))
    sent = SmtpSender(mailroom.services, config).send_due()
    assert sent == 6  # the six invitations; the unknown recipient is refused
    assert all(encrypted for _, _, encrypted in handler.messages)
    recipients = sorted(rcpt[0] for rcpt, _, _ in handler.messages)
    assert "nobody@example.pl" not in recipients and "jan.kowalski@example.pl" in recipients
    first = email.message_from_bytes(handler.messages[0][1], policy=email.policy.default)
    assert first["Auto-Submitted"] == "auto-generated"
    stats = outbox.stats(Channel.EMAIL)
    assert stats.unsent == 1  # the refused one waits for its retry (and is given up after the last attempt)
