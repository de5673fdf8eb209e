"""The channel end to end against a real Dovecot (IMAP, LMTP) and a real aiosmtpd: invitation out, reply in,
vote counted, one confirmation out; replays, reconnects after ``doveadm kick`` and UIDVALIDITY changes."""

from __future__ import annotations

import email
import email.policy
import smtplib
import time
from email.message import EmailMessage
from typing import Any

import pytest
from imapclient import IMAPClient

from bot.domain import Answer
from mail.intake import ImapIntake
from mail.sender import SmtpConfig, SmtpSender

JAN = "jan.kowalski@example.pl"


def _sender(room: Any, sink: Any) -> SmtpSender:
    return SmtpSender(
        room.services, SmtpConfig("127.0.0.1", sink.port, tls="none", from_address="glos@glos.example.org")
    )


def _parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _answer(invitation: EmailMessage, body: str, message_id: str) -> bytes:
    """What a mail client makes of "Reply": To the Reply-To, threaded, the invitation quoted below."""
    reply = EmailMessage()
    reply["From"] = f"Jan Kowalski <{JAN}>"
    reply["To"] = invitation["Reply-To"]
    reply["Subject"] = "Re: " + str(invitation["Subject"])
    reply["Message-ID"] = message_id
    reply["In-Reply-To"] = invitation["Message-ID"]
    reply["References"] = invitation["Message-ID"]
    original = invitation.get_body(("plain",))
    assert original is not None
    quoted = "\n".join("> " + line for line in original.get_content().splitlines())
    reply.set_content(f"{body}\n\nW dniu 14.04.2027 o 12:00, Głos pisze:\n{quoted}\n")
    return reply.as_bytes()


def test_invitation_reply_vote_and_confirmation_through_real_servers(
    mailroom: Any, dovecot: Any, imap_user: str, smtp_sink: Any
) -> None:
    sender = _sender(mailroom, smtp_sink)
    assert sender.send_due() == 6  # three members, two processes
    invitations = [_parse(raw) for _, rcpt, raw in smtp_sink.messages if rcpt == [JAN]]
    invitation = next(m for m in invitations if "Walne" in str(m["Subject"]))
    assert invitation["Auto-Submitted"] == "auto-generated"
    assert invitation["List-Unsubscribe"].strip().startswith("<mailto:glos+")
    assert invitation.get_body(("html",)) is not None
    assert "1 — Uchwała nr 1/2027" in invitation.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    client = dovecot.client(imap_user)
    client.append("INBOX", _answer(invitation, "uchwala1: TAK\nuchwala2: NIE\nuchwala3: TAK", "<r1@example.pl>"))
    intake = ImapIntake(dovecot.intake_config(imap_user), mailroom.processor)
    assert intake.catch_up() == 1

    ballot = mailroom.services.voting.current_ballot("walne-2027", mailroom.person(JAN))
    assert ballot == {"main": {"uchwala1": Answer.YES, "uchwala2": Answer.NO, "uchwala3": Answer.YES}}
    assert client.select_folder("INBOX")[b"EXISTS"] == 0
    assert client.select_folder("Processed")[b"EXISTS"] == 1

    assert sender.send_due() == 1
    _, recipients, raw = smtp_sink.messages[-1]
    confirmation = _parse(raw)
    assert recipients == [JAN]
    assert confirmation["In-Reply-To"] == "<r1@example.pl>"
    assert confirmation["Auto-Submitted"] == "auto-generated"
    assert confirmation["Message-ID"].endswith("@glos.example.org>")
    text = confirmation.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "za 2026 rok — TAK" in text and "Kod potwierdzenia" in text
    assert "Dzień dobry" in confirmation.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert sender.send_due() == 0, "nothing is sent twice"
    intake.close()


def test_a_replayed_message_is_counted_once_and_confirmed_once(mailroom: Any, dovecot: Any, imap_user: str) -> None:
    token = mailroom.token("walne-2027", JAN)
    raw = mailroom.reply("uchwala1: NIE\nuchwala2: NIE\nuchwala3: NIE", message_id="<same@example.pl>")
    client = dovecot.client(imap_user)
    client.append("INBOX", raw)
    client.append("INBOX", raw)
    intake = ImapIntake(dovecot.intake_config(imap_user), mailroom.processor)
    assert intake.catch_up() == 2
    assert [o.kind for o in intake.outcomes] == ["accepted", "duplicate"]
    assert len(mailroom.outbox("mail.confirmation")) == 1
    assert client.select_folder("Processed")[b"EXISTS"] == 2
    assert token  # the reply went to the member's own reply address
    intake.close()


def test_the_intake_reconnects_after_doveadm_kick_and_catches_up(mailroom: Any, dovecot: Any, imap_user: str) -> None:
    pauses: list[float] = []
    intake = ImapIntake(dovecot.intake_config(imap_user), mailroom.processor, idle_seconds=0.5, sleep=pauses.append)
    intake.connect()
    assert intake.catch_up() == 0
    dovecot.kick(imap_user)
    dovecot.client(imap_user).append("INBOX", mailroom.reply("uchwala1: TAK\nuchwala2: TAK\nuchwala3: TAK"))
    deadline = time.monotonic() + 20
    intake.run(stop=lambda: bool(intake.outcomes) or time.monotonic() > deadline)
    assert [o.kind for o in intake.outcomes] == ["accepted"]
    assert pauses and pauses[0] == 1.0, "the lost connection was noticed and retried after a pause"
    intake.close()


def test_a_new_uidvalidity_means_reading_the_folder_again(mailroom: Any, dovecot: Any, imap_user: str) -> None:
    client = dovecot.client(imap_user)
    client.create_folder("Replies")
    for number in (1, 2):
        client.append("Replies", mailroom.reply(f"uchwala{number}: TAK", message_id=f"<old{number}@example.pl>"))
    intake = ImapIntake(dovecot.intake_config(imap_user, inbox="Replies"), mailroom.processor)
    assert intake.catch_up() == 2
    first_validity, last_uid = intake.uidvalidity, intake.last_uid
    assert last_uid == 2
    intake.close()
    client.delete_folder("Replies")
    time.sleep(1.1)  # Dovecot derives UIDVALIDITY from the clock
    client.create_folder("Replies")
    client.append("Replies", mailroom.reply("uchwala3: NIE", message_id="<new@example.pl>"))  # UID 1 again
    intake.connect()
    assert intake.uidvalidity != first_validity
    assert intake.catch_up() == 1
    assert intake.outcomes[-1].kind == "accepted"


def test_lmtp_delivery_keeps_the_token_in_delivered_to(mailroom: Any, dovecot: Any) -> None:
    """An MTA delivers glos+TOKEN@… to the glos mailbox; the member's client put only glos@… in To."""
    token = mailroom.token("walne-2027", JAN)
    message = EmailMessage()
    message["From"] = JAN
    message["To"] = "Głos <glos@glos.example.org>"
    message["Subject"] = "Re: Zaproszenie"
    message["Message-ID"] = "<lmtp1@example.pl>"
    message.set_content("uchwala1: WSTRZYMUJĘ SIĘ\nuchwala2: TAK\nuchwala3: TAK")
    with smtplib.LMTP("127.0.0.1", dovecot.lmtp_port) as lmtp:
        lmtp.send_message(message, from_addr=JAN, to_addrs=[f"glos+{token}@glos.example.org"])
    intake = ImapIntake(dovecot.intake_config("glos"), mailroom.processor)
    intake.catch_up()
    assert [o.kind for o in intake.outcomes if o.message_id == "<lmtp1@example.pl>"] == ["accepted"]
    intake.close()


@pytest.mark.dovecot
def test_without_idle_the_intake_polls(mailroom: Any) -> None:
    """A server that does not offer IDLE: the intake sleeps ``poll_seconds`` between catch-ups."""
    from mail.intake import ImapConfig
    from mail.testing import DOVECOT_MISSING, start_dovecot

    no_idle = "\nimap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE LITERAL+ UIDPLUS MOVE NAMESPACE\n"
    with start_dovecot(no_idle) as server:
        if server is None:  # like its siblings (the ``dovecot`` fixture): skip with the reason, never fail
            pytest.skip(DOVECOT_MISSING)
        client = IMAPClient("127.0.0.1", port=server.imap_port, ssl=False)
        client.login("poller", server.password)
        assert b"IDLE" not in client.capabilities()
        pauses: list[float] = []

        def sleep(seconds: float) -> None:  # the poll interval passes; meanwhile a reply arrives
            pauses.append(seconds)
            client.append("INBOX", mailroom.reply("uchwala1: TAK\nuchwala2: TAK\nuchwala3: TAK"))

        config = ImapConfig("127.0.0.1", server.imap_port, "poller", server.password, tls="none")
        intake = ImapIntake(config, mailroom.processor, poll_seconds=42, sleep=sleep)
        intake.run(stop=lambda: bool(intake.outcomes) or len(pauses) > 3)
        assert pauses == [42]
        assert [o.kind for o in intake.outcomes] == ["accepted"]
        intake.close()
