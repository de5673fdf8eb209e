"""Poison never stalls the channel: a multipart nested 3,000 deep is read as headers only, and a message whose
handling fails is moved once to the quarantine folder (Maildir and a real Dovecot) with its reason, counted in
``/metrics``, listed in ``/status``, while the next messages are read as usual."""

from __future__ import annotations

import email
import mailbox
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from bot.commands.registry import COMMANDS
from bot.console import ConsoleChannel
from mail.intake import ImapIntake, MaildirIntake
from mail.parse import parse_message
from mail.processor import MailAddressing, MailProcessor, Outcome

JAN = "jan.kowalski@example.pl"


def _nested(depth: int, *, to: str = "glos@glos.example.org", sender: str = "anyone@example.net") -> bytes:
    """A multipart/mixed nested ``depth`` deep with ``TAK`` at the bottom (about 70 bytes a level)."""
    head = (
        f"From: {sender}\r\nTo: {to}\r\nSubject: Re: Zaproszenie\r\nMessage-ID: <deep{depth}@example.net>\r\n"
        "MIME-Version: 1.0\r\n"
    )
    opening = "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(depth))
    closing = "".join(f"\r\n--b{i}--" for i in reversed(range(depth)))
    return (head + opening + "Content-Type: text/plain\r\n\r\nuchwala1: TAK\r\n" + closing + "\r\n").encode()


def test_a_multipart_3000_deep_is_read_as_headers_only() -> None:
    raw = _nested(3000)
    assert len(raw) > 170_000
    mail = parse_message(raw)
    assert mail.complex and mail.text == "" and mail.sender == "anyone@example.net"


def test_a_deep_message_from_a_member_is_answered_and_records_nothing(mailroom: Any) -> None:
    raw = _nested(3000, to=mailroom.addressing.reply_to(mailroom.token("walne-2027", JAN)), sender=JAN)
    processor = MailProcessor(mailroom.services, MailAddressing("glos@glos.example.org", "glos.example.org", 1_000_000))
    outcome = processor.process(raw)
    assert (outcome.kind, outcome.folder, outcome.detail) == ("oversized", "ignored", "too-complex")
    assert mailroom.services.voting.current_ballot("walne-2027", mailroom.person(JAN)) is None
    [notice] = mailroom.outbox("mail.notice")
    assert notice.payload["subject"] == "Nie mogliśmy odczytać wiadomości"
    assert notice.payload["text"] == (
        "Dzień dobry,\n\nTwoja wiadomość ma zbyt złożoną budowę (bardzo wiele zagnieżdżonych części), więc jej nie "
        "przeczytaliśmy i nic z niej nie zapisaliśmy. Odpowiedz ponownie zwykłym tekstem, bez załączników i "
        "przekazanych wiadomości.\n\n-- \nWiadomość wysłana automatycznie przez system Głos.\n"
    )


def test_moderate_nesting_is_still_read(mailroom: Any) -> None:
    """A real client nests 3–4 levels (mixed > related > alternative): far under the limits."""
    raw = _nested(8, to=mailroom.addressing.reply_to(mailroom.token("walne-2027", JAN)), sender=JAN)
    assert parse_message(raw).text == "uchwala1: TAK"


class _Buggy(MailProcessor):
    """The real processor, with a bug that only one message triggers (as the 3,000-deep message did)."""

    def process(self, raw: bytes) -> Outcome:
        if b"X-Trigger: bug" in raw:
            raise RecursionError("maximum recursion depth exceeded")
        return super().process(raw)


def _messages(room: Any) -> list[bytes]:
    good = [
        room.reply("uchwala1: TAK\nuchwala2: TAK\nuchwala3: TAK", message_id="<good1@example.pl>"),
        room.reply("§3: Seniorzy.", sender="anna.nowak@fundacja.org.pl", slug="program-wspolpracy-2027"),
    ]
    poison = room.reply("uchwala1: NIE", message_id="<poison@example.pl>").replace(
        b"MIME-Version:", b"X-Trigger: bug\nMIME-Version:", 1
    )
    return [good[0], poison, good[1]]


def _status(room: Any, tmp_path: Path) -> str:
    """What a moderator reads from /status on the console."""
    room.services.people.ensure_admins(["console:moderator"])
    moderator = ConsoleChannel(room.services, COMMANDS, "moderator", downloads=tmp_path, language="pl")
    return "\n".join(moderator.handle("/status"))


def _metrics(room: Any) -> str:
    from bot.config import Settings
    from bot.web.app import create_web_app

    return TestClient(create_web_app(room.services, Settings())).get("/metrics").text


def test_maildir_quarantines_the_poison_once_and_reads_the_rest(mailroom: Any, tmp_path: Path) -> None:
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    for raw in _messages(mailroom):
        box.add(raw)
    intake = MaildirIntake(tmp_path / "Maildir", _Buggy(mailroom.services, mailroom.addressing))
    outcomes = intake.catch_up()
    assert sorted(outcome.kind for outcome in outcomes) == ["accepted", "accepted"]
    assert len(box) == 0, "nothing is left to be read again every round"
    [quarantined] = list(box.get_folder("Quarantine"))
    assert quarantined["X-Glos-Quarantine"] == "RecursionError: maximum recursion depth exceeded"
    assert quarantined["Message-ID"] == "<poison@example.pl>"
    assert intake.catch_up() == []
    assert 'glos_mail_messages{outcome="quarantined",detail="RecursionError: maximum recursion depth exceeded"} 1' in (
        _metrics(mailroom)
    )
    status = _status(mailroom, tmp_path)
    assert (
        "⚠️ W kwarantannie poczty jest 1 wiadomość, której nie udało się przetworzyć (przeniesiona do folderu "
        "kwarantanny; nic z niej nie zapisano). Ostatnie:\n"
        "• 14.04.2027, 12:00 — <poison@example.pl>: RecursionError: maximum recursion depth exceeded"
    ) in status


def test_imap_quarantines_the_poison_once_and_reads_the_rest(
    mailroom: Any, dovecot: Any, imap_user: str, tmp_path: Path
) -> None:
    client = dovecot.client(imap_user)
    for raw in _messages(mailroom):
        client.append("INBOX", raw)
    intake = ImapIntake(dovecot.intake_config(imap_user), _Buggy(mailroom.services, mailroom.addressing))
    assert intake.catch_up() == 2
    assert client.select_folder("INBOX")[b"EXISTS"] == 0
    assert client.select_folder("Processed")[b"EXISTS"] == 2
    assert client.select_folder("Quarantine")[b"EXISTS"] == 1
    [data] = client.fetch(client.search(["ALL"]), ["BODY.PEEK[]"]).values()
    quarantined = email.message_from_bytes(data[b"BODY[]"])
    assert quarantined["X-Glos-Quarantine"] == "RecursionError: maximum recursion depth exceeded"
    intake.close()
    again = ImapIntake(dovecot.intake_config(imap_user), _Buggy(mailroom.services, mailroom.addressing))
    assert again.catch_up() == 0, "a restart does not read the poison again"
    assert "W kwarantannie poczty jest 1 wiadomość" in _status(mailroom, tmp_path)


def test_a_transient_store_error_leaves_the_message_for_the_next_round(mailroom: Any, tmp_path: Path) -> None:
    from sqlalchemy.exc import OperationalError

    class _Down(MailProcessor):
        def process(self, raw: bytes) -> Outcome:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(mailroom.reply("uchwala1: TAK"))
    assert MaildirIntake(tmp_path / "Maildir", _Down(mailroom.services, mailroom.addressing)).catch_up() == []
    assert len(box) == 1
    assert len(box.get_folder("Quarantine")) == 0
    assert [o.kind for o in MaildirIntake(tmp_path / "Maildir", mailroom.processor).catch_up()] == ["accepted"]
