"""Replies authenticate by what an attacker cannot see (mail.trust): the token only in the reply address (or the
subject), never in our Message-ID; one From address, the token's; forgeries refused, and the REAL member warned at
their own address — never the forger — in their language; DMARC verdicts only from our own trusted server."""

from __future__ import annotations

import re
from email.message import EmailMessage
from typing import Any

import pytest

from bot.domain import Channel
from bot.services.eligibility import RosterRow
from mail.invite import invite_roster
from mail.processor import MailAddressing, MailProcessor
from mail.tokens import expand_tokens

JAN = "jan.kowalski@example.pl"
WARNING_WRONG_SENDER = (
    "Dzień dobry,\n\notrzymaliśmy wiadomość w sprawie: Walne Zebranie Członków 2027 – głosowanie nad uchwałami, "
    "podpisaną Twoim adresem, i nie przyjęliśmy jej, bo {why} Nic z niej nie zapisaliśmy. Jeśli to była Twoja "
    "wiadomość, wyślij ją jeszcze raz jako odpowiedź na tę wiadomość (przyciskiem „Odpowiedz”), z adresu, na który "
    "ją dostajesz. Jeśli nie, nic nie musisz robić: Twój głos i Twoje uwagi pozostają bez zmian.\n\n"
    "-- \nWiadomość wysłana automatycznie przez system Głos.\n"
)


def _invitation(room: Any, address: str = JAN) -> Any:
    [row] = [r for r in room.outbox("mail.invitation") if r.address == address and ":walne-2027:" in r.key]
    return row


def _mail(
    room: Any,
    body: str,
    *,
    sender: str = f"Jan Kowalski <{JAN}>",
    to: str = "glos@glos.example.org",
    in_reply_to: str | None = None,
    message_id: str = "<m1@example.pl>",
    extra: dict[str, str] | None = None,
    subject: str = "Re: Zaproszenie do udziału",
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for name, value in (extra or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


def _ballot(room: Any, address: str = JAN) -> Any:
    return room.services.voting.current_ballot("walne-2027", room.person(address))


def _warnings(room: Any) -> list[Any]:
    return room.outbox("mail.warning")


def test_our_message_ids_carry_no_token(mailroom: Any) -> None:
    for row in mailroom.outbox("mail.invitation"):
        headers = row.payload["headers"]
        token = mailroom.token(row.key.split(":")[1], row.address)
        assert token not in expand_tokens(headers["Message-ID"], mailroom.services.context.secret)
        assert re.fullmatch(r"<glos\.[0-9a-f]{24}@glos\.example\.org>", headers["Message-ID"])
        assert token in expand_tokens(headers["Reply-To"], mailroom.services.context.secret)


def test_a_forged_from_with_a_copied_in_reply_to_is_refused_and_the_real_member_warned(mailroom: Any) -> None:
    invitation = _invitation(mailroom)
    raw = _mail(
        mailroom,
        "uchwala1: NIE\nuchwala2: NIE\nuchwala3: NIE",
        in_reply_to=invitation.payload["headers"]["Message-ID"],
        extra={"Reply-To": "evil@attacker.example", "Return-Path": "<evil@attacker.example>"},
    )
    outcome = mailroom.processor.process(raw)
    assert (outcome.kind, outcome.folder, outcome.detail) == ("refused", "ignored", "reference-only")
    assert _ballot(mailroom) is None
    [warning] = _warnings(mailroom)
    assert warning.address == JAN, "the real address, never the forger's Reply-To or Return-Path"
    why = "nie przyszła na Twój osobisty adres odpowiedzi."
    assert warning.payload["text"] == WARNING_WRONG_SENDER.format(why=why)
    assert warning.payload["subject"] == "Nie przyjęliśmy wiadomości wysłanej w Twoim imieniu"
    # the warning carries a fresh personal reply address: Jan's real answer to it counts
    reply_to = expand_tokens(warning.payload["headers"]["Reply-To"], mailroom.services.context.secret)
    answer = _mail(mailroom, "uchwala1: TAK\nuchwala2: TAK\nuchwala3: TAK", to=reply_to, message_id="<m2@example.pl>")
    assert mailroom.processor.process(answer).kind == "accepted"
    assert _ballot(mailroom) is not None


def test_several_from_addresses_authenticate_nobody(mailroom: Any) -> None:
    raw = _mail(
        mailroom,
        "uchwala1: NIE\nuchwala2: NIE\nuchwala3: NIE",
        sender=f"{JAN}, evil@attacker.example",
        to=mailroom.addressing.reply_to(mailroom.token("walne-2027", JAN)),
    )
    outcome = mailroom.processor.process(raw)
    assert (outcome.kind, outcome.detail) == ("refused", "several-senders")
    assert _ballot(mailroom) is None
    answers = mailroom.outbox("mail.warning") + mailroom.outbox("mail.notice")
    assert [row.address for row in answers] == [JAN]
    why = f"podawała kilku nadawców naraz ({JAN}, evil@attacker.example)."
    assert answers[0].payload["text"] == WARNING_WRONG_SENDER.format(why=why)


def test_a_token_used_from_another_address_warns_its_owner_only(mailroom: Any) -> None:
    raw = _mail(
        mailroom,
        "uchwala1: NIE\nuchwala2: NIE\nuchwala3: NIE",
        sender="Ewa <ewa@evil.example>",
        to=mailroom.addressing.reply_to(mailroom.token("walne-2027", JAN)),
    )
    assert mailroom.processor.process(raw).detail == "wrong-sender"
    assert [row.address for row in mailroom.outbox() if row.purpose != "mail.invitation"] == [JAN]


def test_a_storm_of_forgeries_warns_a_member_once_a_day(mailroom: Any) -> None:
    in_reply_to = _invitation(mailroom).payload["headers"]["Message-ID"]
    for number in range(5):
        raw = _mail(mailroom, "NIE", in_reply_to=in_reply_to, message_id=f"<f{number}@evil.example>")
        assert mailroom.processor.process(raw).kind == "refused"
    assert len(_warnings(mailroom)) == 1


def test_an_english_member_is_warned_in_english(mailroom: Any) -> None:
    john = "john.smith@example.com"
    mailroom.services.people.set_language(mailroom.person(john), "en")
    raw = _mail(
        mailroom,
        "uchwala1: NIE",
        sender=f"John <{john}>",
        in_reply_to=_invitation(mailroom, john).payload["headers"]["Message-ID"],
    )
    mailroom.processor.process(raw)
    [warning] = _warnings(mailroom)
    assert warning.address == john
    assert warning.payload["subject"] == "A message sent in your name was not accepted"
    assert "because it was not sent to your personal reply address. Nothing in it was recorded." in " ".join(
        warning.payload["text"].split()
    )


def _trusting(room: Any, **changes: Any) -> MailProcessor:
    addressing = MailAddressing(
        "glos@glos.example.org", "glos.example.org", 200_000, trusted_authserv_ids=("mx.glos.example.org",), **changes
    )
    return MailProcessor(room.services, addressing)


@pytest.mark.parametrize(
    ("results", "kind"),
    [
        ("mx.glos.example.org; dkim=pass header.d=example.pl; dmarc=pass header.from=example.pl", "accepted"),
        ("evil.example; dmarc=pass header.from=example.pl", "refused"),  # not our server: a forged verdict
        ("mx.glos.example.org; dmarc=none header.from=example.pl", "refused"),
    ],
)
def test_a_reply_to_from_counts_only_when_our_server_proved_the_sender(mailroom: Any, results: str, kind: str) -> None:
    raw = _mail(
        mailroom,
        "uchwala1: TAK\nuchwala2: TAK\nuchwala3: NIE",
        in_reply_to=_invitation(mailroom).payload["headers"]["Message-ID"],
        extra={"Authentication-Results": results},
    )
    assert _trusting(mailroom).process(raw).kind == kind
    assert (_ballot(mailroom) is not None) == (kind == "accepted")


def test_dmarc_fail_from_our_server_refuses_even_the_right_token(mailroom: Any) -> None:
    raw = _mail(
        mailroom,
        "uchwala1: TAK",
        to=mailroom.addressing.reply_to(mailroom.token("walne-2027", JAN)),
        extra={"Authentication-Results": "mx.glos.example.org; spf=fail; dmarc=fail (p=reject) header.from=example.pl"},
    )
    outcome = _trusting(mailroom).process(raw)
    assert (outcome.kind, outcome.detail) == ("refused", "dmarc-fail")
    [warning] = _warnings(mailroom)
    assert "serwer pocztowy nie potwierdził, że wysłano ją z Twojej skrzynki" in warning.payload["text"]


def test_an_untrusted_dmarc_fail_below_ours_is_not_read(mailroom: Any) -> None:
    """Only our server's header counts; a header added further away (below ours) saying fail changes nothing."""
    message = _mail(
        mailroom,
        "uchwala1: TAK\nuchwala2: TAK\nuchwala3: NIE",
        to=mailroom.addressing.reply_to(mailroom.token("walne-2027", JAN)),
        extra={"Authentication-Results": "mx.glos.example.org; dmarc=pass header.from=example.pl"},
    )
    message = message.replace(
        b"Authentication-Results:",
        b"Authentication-Results: relay.example; dmarc=fail\nAuthentication-Results:",
        1,
    )
    # the first header is now the relay's (as if spoofed on top of ours): with a trusted id only ours is read
    assert _trusting(mailroom).process(message).kind == "accepted"


def test_the_token_can_travel_in_the_subject(mailroom: Any) -> None:
    """``token_in = "subject"``: the Reply-To is the plain address; the subject carries ``[#TOKEN]``."""
    addressing = MailAddressing("glos@glos.example.org", "glos.example.org", 200_000, token_in="subject")
    mailroom.services.eligibility.import_roster(
        "program-wspolpracy-2027", [RosterRow(Channel.EMAIL, "nowy@example.pl")]
    )
    invite_roster(mailroom.services, addressing, "program-wspolpracy-2027")
    [row] = [r for r in mailroom.outbox("mail.invitation") if r.address == "nowy@example.pl"]
    secret = mailroom.services.context.secret
    assert row.payload["headers"]["Reply-To"] == "glos@glos.example.org"
    subject = expand_tokens(row.payload["subject"], secret)
    assert re.fullmatch(r"Zaproszenie do udziału: .+ \[#[a-z2-7]{26}\]", subject)
    raw = _mail(
        mailroom,
        "§3: Proszę dopisać seniorów.",
        sender="Nowy <nowy@example.pl>",
        subject="Re: " + subject,
        message_id="<s1@example.pl>",
    )
    assert MailProcessor(mailroom.services, addressing).process(raw).kind == "accepted"
    forged = _mail(
        mailroom, "§3: Nie.", sender="Nowy <nowy@example.pl>", subject="Re: Zaproszenie", message_id="<s2@x>"
    )
    assert MailProcessor(mailroom.services, addressing).process(forged).kind == "refused"
