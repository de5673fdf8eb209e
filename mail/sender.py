"""The SMTP sender: claims e-mail rows from the shared outbox, sends them, marks them sent or failed.

One SMTP connection per batch (``ssl``: implicit TLS; ``starttls``: upgraded; ``none``: plain, for loopback
tests). A failure of one message (refused recipient) marks that row failed and goes on; a failure of the
connection releases the rest of the batch for the outbox's backoff. Reply-token placeholders in the payload
are expanded here, just before sending (see :mod:`mail.tokens`). Each message is marked as being sent right
before it is handed to the server, so one interrupted by a crash is given up, not sent twice (at-most-once
across crashes, see :mod:`bot.services.outbox`); the Message-ID is fixed in the payload.
"""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
from dataclasses import dataclass

from bot.domain import Channel
from bot.services import Services
from mail.compose import build_message
from mail.tokens import expand_tokens

__all__ = ["SmtpConfig", "SmtpSender"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to submit mail; ``tls`` is ``ssl``, ``starttls`` or ``none``."""

    host: str
    port: int
    tls: str = "starttls"
    user: str = ""
    password: str = ""
    from_address: str = "glos@example.org"
    timeout: float = 30.0
    ca_file: str | None = None  # a private CA (self-signed relays, tests); None: the system's trust store


class SmtpSender:
    """Sends due e-mail outbox rows; :meth:`send_due` is one round."""

    def __init__(self, services: Services, config: SmtpConfig, *, worker: str = "smtp") -> None:
        self.services = services
        self.config = config
        self.worker = worker

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        context = ssl.create_default_context(cafile=config.ca_file)
        if config.tls == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout, context=context)
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
            if config.tls == "starttls":
                client.starttls(context=context)
        if config.user:
            client.login(config.user, config.password)
        return client

    def send_due(self, limit: int = 100) -> int:
        """Claim and send up to ``limit`` messages; returns how many were sent."""
        outbox = self.services.outbox
        claimed = outbox.claim(Channel.EMAIL, worker=self.worker, limit=limit)
        if not claimed:
            return 0
        sent = 0
        try:
            client = self._connect()
        except (OSError, smtplib.SMTPException) as error:
            for message in claimed:
                outbox.mark_failed(message.id, f"connect: {error}")
            log.warning("SMTP connection failed: %s", error)
            return 0
        try:
            for index, message in enumerate(claimed):
                try:
                    payload = json.loads(expand_tokens(json.dumps(message.payload), self.services.context.secret))
                    mime = build_message(payload, sender=self.config.from_address, recipient=message.address)
                except Exception as error:  # a malformed payload must not stop the rest of the queue
                    log.exception("outbox message %s cannot be built", message.id)
                    outbox.mark_failed(message.id, f"bad payload: {error}")
                    continue
                # From here it may arrive: a crash before mark_sent gives it up rather than send it twice.
                outbox.mark_sending(message.id, worker=self.worker)
                try:
                    client.send_message(mime, from_addr=self.config.from_address, to_addrs=[message.address])
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as error:
                    outbox.mark_failed(message.id, f"{type(error).__name__}: {error}")
                    continue
                except (OSError, smtplib.SMTPException) as error:
                    for rest in claimed[index:]:
                        outbox.mark_failed(rest.id, f"{type(error).__name__}: {error}")
                    log.warning("SMTP failed mid-batch: %s", error)
                    return sent
                outbox.mark_sent(message.id, worker=self.worker)
                sent += 1
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()
        return sent
