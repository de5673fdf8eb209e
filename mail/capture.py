"""Capturing outgoing mail instead of sending it, for the playground (no SMTP server, no account anywhere).

:class:`CapturingSender` is the :class:`~mail.sender.SmtpSender` itself — the same outbox claims, reply-token
expansion, :func:`~mail.compose.build_message` and smtplib serialisation — whose connection is a
:class:`MaildirRelay`: an ``smtplib.SMTP`` that never opens a socket and files each message, byte for byte as it
would go on the wire, in a Maildir folder (``.Sent`` of the intake Maildir, Maildir++). So what the playground
shows is exactly what a member would receive.

:func:`capturing_channel` builds the whole e-mail channel around it: the processor, this sender and a
:class:`~mail.intake.MaildirIntake` on the same Maildir, where the playground writes members' replies.
:class:`CaptureRunner` polls that channel from a daemon thread, like :class:`~mail.channel.MailRunner`, and can
be woken at once (after an invitation or a reply) so the playground answers without waiting a polling interval.
"""

from __future__ import annotations

import logging
import mailbox
import smtplib
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.config import MailSettings
from bot.services import Services
from mail.channel import MailChannel
from mail.intake import MaildirIntake
from mail.processor import MailAddressing, MailProcessor
from mail.sender import SmtpConfig, SmtpSender

__all__ = ["SENT_FOLDER", "CaptureRunner", "CapturingSender", "MaildirRelay", "capturing_channel", "sent_folder"]

log = logging.getLogger(__name__)

SENT_FOLDER = "Sent"
"""The Maildir++ sub-folder of the intake Maildir that holds the captured mail (the intake reads only the top)."""


def sent_folder(maildir: Path) -> mailbox.Maildir:
    """The captured mail's folder of ``maildir`` (both created when missing)."""
    box = mailbox.Maildir(maildir, create=True)
    try:
        return box.get_folder(SENT_FOLDER)
    except mailbox.NoSuchMailboxError:
        return box.add_folder(SENT_FOLDER)


class MaildirRelay(smtplib.SMTP):
    """An SMTP "connection" that delivers into a Maildir: no socket is ever opened.

    ``smtplib.SMTP.send_message`` serialises the message as for the wire (Bcc removed, CRLF line ends) and calls
    :meth:`sendmail`, which files those bytes. The relay announces SMTPUTF8 like common submission servers, so an
    address with non-ASCII characters is captured rather than refused.
    """

    def __init__(self, folder: mailbox.Maildir) -> None:
        super().__init__()  # no host: smtplib does not connect
        self.folder = folder
        self.esmtp_features = {"smtputf8": "", "8bitmime": ""}
        self.does_esmtp = True

    def ehlo_or_helo_if_needed(self) -> None:
        """Nothing to greet."""

    def sendmail(
        self,
        from_addr: str,
        to_addrs: str | Sequence[str],
        msg: Any,
        mail_options: Sequence[str] = (),
        rcpt_options: Sequence[str] = (),
    ) -> dict[str, tuple[int, bytes]]:
        """File ``msg`` (bytes or str) in the folder; no recipient is ever refused."""
        raw = msg if isinstance(msg, bytes) else str(msg).encode("utf-8")
        self.folder.add(mailbox.MaildirMessage(raw))
        return {}

    def quit(self) -> tuple[int, bytes]:
        """Nothing to close."""
        return 221, b"captured"


class CapturingSender(SmtpSender):
    """:class:`~mail.sender.SmtpSender` whose every connection is a :class:`MaildirRelay` into ``maildir``."""

    def __init__(self, services: Services, maildir: Path, from_address: str, *, worker: str = "capture") -> None:
        super().__init__(services, SmtpConfig("", 0, tls="none", from_address=from_address), worker=worker)
        self.maildir = maildir

    def _connect(self) -> smtplib.SMTP:
        return MaildirRelay(sent_folder(self.maildir))


def capturing_channel(services: Services, settings: MailSettings, maildir: Path) -> MailChannel:
    """The e-mail channel of ``settings`` (addresses, limits, folders) with mail captured in ``maildir``'s
    ``.Sent`` folder and replies read from ``maildir`` itself."""
    addressing = MailAddressing(
        settings.from_address,
        settings.reply_domain,
        settings.max_message_bytes,
        settings.token_in,
        tuple(settings.trusted_authserv_ids),
    )
    processor = MailProcessor(services, addressing)
    sender = CapturingSender(services, maildir, settings.from_address)
    intake = MaildirIntake(maildir, processor, settings.processed_folder, settings.ignored_folder)
    sent_folder(maildir)  # the folders exist before anyone looks
    return MailChannel(addressing, processor, sender, intake)


class CaptureRunner:
    """Polls a channel from a daemon thread every ``interval`` seconds, or at once when :meth:`wake` is called.

    A failed round is logged and the next one tries again (as :class:`~mail.channel.MailRunner` does);
    :attr:`rounds` counts finished rounds, so a caller can wait until its wake-up has been handled.
    """

    def __init__(self, channel: MailChannel, interval: float) -> None:
        self.channel = channel
        self.interval = interval
        self.rounds = 0
        self._active = False
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._done = threading.Condition()
        self._thread = threading.Thread(target=self._loop, name="mail-capture", daemon=True)

    def start(self) -> CaptureRunner:
        """Start polling."""
        self._thread.start()
        return self

    def wake(self) -> int:
        """Ask for a round now; returns the number of the round that will include what happened before."""
        with self._done:
            # A round running now may have read the Maildir already: then the one after it is needed.
            target = self.rounds + (2 if self._active else 1)
            self._wake.set()
        return target

    def wait_for(self, round_number: int, timeout: float) -> bool:
        """Wait until ``round_number`` rounds have finished (True) or ``timeout`` passed (False)."""
        with self._done:
            return self._done.wait_for(lambda: self.rounds >= round_number, timeout=timeout)

    def _loop(self) -> None:
        metrics = self.channel.processor.services.context.metrics
        while not self._stopping.is_set():
            with self._done:
                self._active = True
                self._wake.clear()
            try:
                read, _sent = self.channel.poll()
                metrics.inc("glos_mail_messages_total", read, doc="E-mail messages read from the mailbox.")
                metrics.set("glos_mail_last_poll_timestamp_seconds", time.time(), doc="When the mailbox was last read.")
            except Exception:
                log.exception("mail round failed; trying again in %s s", self.interval)
            with self._done:
                self.rounds += 1
                self._active = False
                self._done.notify_all()
            self._wake.wait(self.interval)

    def stop(self) -> None:
        """Stop after the current round."""
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=30)
