"""The playground's pretend NGO members: the e-mail the bot captured for them, and their replies.

:class:`PlaygroundMail` runs the e-mail channel of ``glos run`` when the Telegram emulator stands in and no mail
server is configured: outgoing mail is captured (:mod:`mail.capture`) in the ``.Sent`` folder of a local
Maildir, and a member's reply is written, as a mail client would send it (RFC 5322: ``In-Reply-To``,
``References``, ``To`` the personal Reply-To address, ``From`` the member), into that Maildir's ``new/``, where
the ordinary intake and processor read it. It is the :class:`~bot.web.playground_mail.MailPane` the web page
shows; nothing here bypasses the channel: invitations are queued by :func:`~mail.invite.invite_roster` and
answers by :class:`~mail.processor.MailProcessor`.
"""

from __future__ import annotations

import email
import email.policy
import mailbox
import re
import threading
from collections.abc import Callable
from datetime import UTC
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid, parseaddr, parsedate_to_datetime
from pathlib import Path

from bot.config import Settings
from bot.domain import Channel
from bot.errors import InputError, NotFound
from bot.services import Services
from bot.services.eligibility import RosterRow
from bot.web.playground_mail import ShownMail
from mail.capture import CaptureRunner, capturing_channel, sent_folder
from mail.channel import MailChannel
from mail.invite import invite_roster

__all__ = ["DEFAULT_MAILDIR", "PlaygroundMail", "playground_maildir", "start"]

DEFAULT_MAILDIR = "glos-mail"
"""The Maildir's name beside the SQLite database (or in the working folder) when ``[mail] maildir`` is unset."""

MAX_REPLY = 20_000  # characters a pretend member may write; the processor caps messages by bytes anyway
_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"\\]+@[^@\s<>()\[\],;:\"\\]+\.[^@\s<>()\[\],;:\"\\.]+$")


def playground_maildir(settings: Settings) -> Path:
    """``[mail] maildir``, else ``glos-mail`` beside the SQLite database, else in the working folder."""
    if settings.mail.maildir:
        return Path(settings.mail.maildir)
    url = settings.storage.url
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        return Path(url.removeprefix("sqlite:///")).resolve().parent / DEFAULT_MAILDIR
    return Path.cwd() / DEFAULT_MAILDIR


def member_address(address: str) -> str:
    """``address`` lower-cased, or :class:`InputError` ``playground_mail.bad_address`` when it is not one."""
    address = address.strip().lower()
    if len(address) > 254 or not _ADDRESS.match(address):
        raise InputError("playground_mail.bad_address")
    return address


def _addresses(value: str | None) -> list[str]:
    return [found.lower() for _, found in getaddresses([value or ""]) if found]


def _text_of(message: email.message.EmailMessage) -> str:
    body = message.get_body(("plain",))
    return str(body.get_content()) if body is not None else ""


class PlaygroundMail:
    """Captured mail per member address, invitations and replies for the playground (see the module docstring).

    Messages in a Maildir never change, so each is parsed once and remembered by its key.
    """

    def __init__(self, services: Services, channel: MailChannel, runner: CaptureRunner, maildir: Path) -> None:
        self.services = services
        self.channel = channel
        self.runner = runner
        self.maildir = maildir
        self._parsed: dict[str, tuple[float, ShownMail, str]] = {}
        self._lock = threading.Lock()

    def _captured(self) -> list[tuple[float, ShownMail, str]]:
        """Every captured mail as (filed at, shown form, References), newest first."""
        folder = sent_folder(self.maildir)
        with self._lock:
            for key in folder.iterkeys():
                if key in self._parsed:
                    continue
                try:
                    raw, filed = folder.get_bytes(key), folder.get_message(key).get_date()
                except (KeyError, OSError):
                    continue
                message = email.message_from_bytes(raw, policy=email.policy.default)
                assert isinstance(message, EmailMessage)
                date = parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
                if date is not None and date.tzinfo is None:
                    date = date.replace(tzinfo=UTC)  # "-0000": formatdate(localtime=False) writes UTC
                shown = ShownMail(
                    message_id=str(message["Message-ID"] or "").strip(),
                    sender=str(message["From"] or ""),
                    to=_addresses(message["To"]),
                    subject=str(message["Subject"] or ""),
                    date=date,
                    text=_text_of(message),
                    reply_to=(_addresses(message["Reply-To"]) or [""])[0],
                )
                self._parsed[key] = (filed, shown, str(message["References"] or ""))
            entries = sorted(self._parsed.items(), key=lambda item: (item[1][0], item[0]), reverse=True)
        return [entry for _, entry in entries]

    def mails(self, address: str) -> list[ShownMail]:
        """The mail captured for ``address``, newest first."""
        wanted = member_address(address)
        return [shown for _, shown, _ in self._captured() if wanted in shown.to]

    def invite(self, address: str, slug: str, language: str) -> int:
        """Put ``address`` on the roster of ``slug`` (registered in ``language`` when new) and queue the
        invitations not sent yet; returns how many were queued (0: invited before). Sent at once."""
        address = member_address(address)
        people = self.services.people
        person = people.identify(Channel.EMAIL, address, language=language)
        if person.language != language:
            people.set_language(person.person_id, language)
        self.services.eligibility.import_roster(slug, [RosterRow(Channel.EMAIL, address)])
        queued = invite_roster(self.services, self.channel.addressing, slug)
        self.runner.wake()
        return queued

    def reply(self, address: str, message_id: str, text: str, attribution: Callable[[ShownMail], str]) -> str:
        """Write ``address``'s reply to the captured mail ``message_id`` into the Maildir's ``new/``, quoting
        the original below ``attribution(original)`` as mail clients do; returns the reply's Message-ID.

        :class:`NotFound` when no such mail was captured for ``address``; :class:`InputError` when ``text`` is
        empty or longer than :data:`MAX_REPLY`.
        """
        address = member_address(address)
        if not text.strip():
            raise InputError("playground_mail.empty_reply")
        if len(text) > MAX_REPLY:
            raise InputError("playground_mail.reply_too_long", max=MAX_REPLY)
        found = next(
            (
                (shown, references)
                for _, shown, references in self._captured()
                if shown.message_id == message_id.strip() and address in shown.to
            ),
            None,
        )
        if found is None:
            raise NotFound("playground_mail.no_such_mail")
        original, references = found
        reply = EmailMessage()
        reply["From"] = address
        reply["To"] = original.reply_to or parseaddr(original.sender)[1]
        subject = original.subject
        reply["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
        reply["Date"] = formatdate(localtime=True)
        reply["Message-ID"] = make_msgid(domain=address.rpartition("@")[2])
        reply["In-Reply-To"] = original.message_id
        reply["References"] = " ".join(part for part in (references.strip(), original.message_id) if part)
        quoted = "\n".join(f"> {line}" if line else ">" for line in original.text.splitlines())
        reply.set_content(f"{text.strip()}\n\n{attribution(original)}\n{quoted}\n")
        mailbox.Maildir(self.maildir, create=True).add(reply.as_bytes())
        self.runner.wake()
        return str(reply["Message-ID"])

    def stop(self) -> None:
        """Stop reading and capturing."""
        self.runner.stop()


def start(services: Services, settings: Settings) -> PlaygroundMail:
    """Run the e-mail channel for the playground: capture outgoing mail, read replies from the local Maildir."""
    maildir = playground_maildir(settings)
    channel = capturing_channel(services, settings.mail, maildir)
    runner = CaptureRunner(channel, settings.mail.poll_seconds).start()
    return PlaygroundMail(services, channel, runner, maildir)
