"""Wiring of the e-mail channel from the ``[mail]`` settings: processor, SMTP sender and intake.

Nothing happens on import; :func:`mail_channel` builds the parts around the core services the composition
root made. Passwords come from the settings (which take them from ``GLOS_MAIL__IMAP_PASSWORD`` /
``GLOS_MAIL__SMTP_PASSWORD``), never from the example file.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bot.config import MailSettings
from bot.services import Services
from mail.intake import ImapConfig, ImapIntake, MaildirIntake
from mail.processor import MailAddressing, MailProcessor
from mail.sender import SmtpConfig, SmtpSender

__all__ = ["MailChannel", "MailRunner", "mail_channel"]

log = logging.getLogger(__name__)


@dataclass
class MailChannel:
    """The channel's parts: ``intake`` is IMAP, or Maildir when ``[mail] maildir`` is set."""

    addressing: MailAddressing
    processor: MailProcessor
    sender: SmtpSender
    intake: ImapIntake | MaildirIntake

    def poll(self) -> tuple[int, int]:
        """One round: read what has arrived, then send what is queued; returns (read, sent)."""
        if isinstance(self.intake, ImapIntake):
            read = self.intake.catch_up()
            self.intake.close()
        else:
            read = len(self.intake.catch_up())
        return read, self.send_all()

    def send_all(self) -> int:
        """Send queued e-mail until nothing is due; returns how many were sent."""
        total = 0
        while sent := self.sender.send_due():
            total += sent
        return total


def mail_channel(services: Services, settings: MailSettings) -> MailChannel:
    """The channel's parts for ``settings``."""
    addressing = MailAddressing(
        settings.from_address,
        settings.reply_domain,
        settings.max_message_bytes,
        settings.token_in,
        tuple(settings.trusted_authserv_ids),
    )
    processor = MailProcessor(services, addressing)
    sender = SmtpSender(
        services,
        SmtpConfig(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_tls,
            settings.smtp_user,
            settings.smtp_password.get_secret_value() if settings.smtp_password else "",
            settings.from_address,
        ),
    )
    intake: ImapIntake | MaildirIntake
    if settings.maildir:
        intake = MaildirIntake(
            Path(settings.maildir),
            processor,
            settings.processed_folder,
            settings.ignored_folder,
            settings.quarantine_folder,
        )
    else:
        config = ImapConfig(
            settings.imap_host,
            settings.imap_port,
            settings.imap_user,
            settings.imap_password.get_secret_value() if settings.imap_password else "",
            settings.imap_tls,
            settings.inbox_folder,
            settings.processed_folder,
            settings.ignored_folder,
            quarantine=settings.quarantine_folder,
        )
        intake = ImapIntake(config, processor, idle_seconds=settings.idle_seconds, poll_seconds=settings.poll_seconds)
    return MailChannel(addressing, processor, sender, intake)


class MailRunner:
    """Polls the mailbox and sends queued mail from a daemon thread (for ``glos run``); errors are logged and
    the next round tries again, so a mail server that is down never stops the bot."""

    def __init__(self, channel: MailChannel, interval: float) -> None:
        self.channel = channel
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="mail", daemon=True)

    def start(self) -> MailRunner:
        """Start polling."""
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                read, _sent = self.channel.poll()
                metrics = self.channel.processor.services.context.metrics
                metrics.inc("glos_mail_messages_total", read, doc="E-mail messages read from the mailbox.")
                metrics.set("glos_mail_last_poll_timestamp_seconds", time.time(), doc="When the mailbox was last read.")
            except Exception:
                log.exception("mail round failed; trying again in %s s", self.interval)
            self._stop.wait(self.interval)

    def stop(self) -> None:
        """Stop after the current round."""
        self._stop.set()
        self._thread.join(timeout=30)
