"""Linking two identities that both voted: one ballot stays counted — the most recent — the other is retired, and
the person is told which one counts. The e-mail ballot goes through the real mail processor, the chat ballot
through the console channel, the code by the outbox."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import select

from bot.clock import FakeClock
from bot.console import ConsoleChannel
from bot.domain import Channel
from bot.services import Services
from bot.services.eligibility import RosterRow
from bot.services.sealing import open_payload
from mail.invite import invite_roster
from mail.processor import MailAddressing, MailProcessor
from mail.tokens import expand_tokens
from storage.models import OutboxMessage

ADDRESS = "ania@fundacja.example.pl"
Say = Callable[[ConsoleChannel, str], str]


def _payloads(services: Services, purpose: str) -> list[dict[str, object]]:
    with services.context.transaction() as session:
        query = select(OutboxMessage).where(OutboxMessage.purpose == purpose)  # type: ignore[arg-type]
        rows = session.scalars(query.order_by(OutboxMessage.created_at)).all()  # type: ignore[arg-type]
        return [open_payload(services.context.secret, row.payload) for row in rows]


def _vote_by_email(services: Services, slug: str, body: str) -> None:
    """The roster member's invitation, and their reply with ``body``, through the mail processor."""
    addressing = MailAddressing("glos@glos.example.org", "glos.example.org")
    services.eligibility.import_roster(slug, [RosterRow(Channel.EMAIL, ADDRESS, name="Ania")])
    invite_roster(services, addressing, slug)
    [invitation] = _payloads(services, "mail.invitation")
    headers = invitation["headers"]
    assert isinstance(headers, dict)
    token = expand_tokens(headers["Reply-To"], services.context.secret).split("+", 1)[1].split("@", 1)[0]
    message = EmailMessage()
    message["From"] = f"Ania <{ADDRESS}>"
    message["To"] = addressing.reply_to(token)
    message["Subject"] = "Re: Zaproszenie"
    message["Message-ID"] = make_msgid(domain="example.pl")
    message.set_content(body)
    assert MailProcessor(services, addressing).process(message.as_bytes()).kind == "accepted"


def _link(services: Services, say: Say, ania: ConsoleChannel) -> str:
    """``/email ADRES``, the code read from the queued message as the sender expands it, ``/email KOD``."""
    say(ania, f"/email {ADDRESS}")
    mail = _payloads(services, "link.code")[-1]
    code = re.search(r"Kod: (\d{6})", expand_tokens(str(mail["text"]), services.context.secret))
    assert code is not None
    return say(ania, f"/email {code.group(1)}")


def _counted(services: Services, slug: str) -> list[tuple[str, int]]:
    services.processes.close(slug)
    main = services.results.results(slug, moderator=True).rounds[0]["main"]
    return [(row.item, row.votes) for row in main.rows if row.votes]


def test_the_most_recent_ballot_counts_after_linking_and_the_person_is_told(
    console: Callable[..., ConsoleChannel],
    say: Say,
    services: Services,
    clock: FakeClock,
    load_example: Callable[..., str],
) -> None:
    slug = load_example("zielony-budzet-wieliczka")
    _vote_by_email(services, slug, "1, 3")
    clock.advance(timedelta(hours=2))
    ania = console("ania")
    say(ania, f"/glosuj {slug} 2")
    assert _link(services, say, ania) == (
        f"Połączono adres {ADDRESS} z tym kontem. Teraz jesteś jedną osobą w Telegramie i e-mailem: w każdym "
        "głosowaniu liczy się jeden, ostatni głos.\n"
        f"W {slug} były dwa Twoje głosy: liczy się ostatni, oddany w konsoli; głos oddany e-mailem nie jest już "
        "liczony."
    )
    assert _counted(services, slug) == [("2", 1)]


def test_an_older_chat_ballot_gives_way_to_the_newer_email_one_until_the_person_votes_again(
    console: Callable[..., ConsoleChannel],
    say: Say,
    services: Services,
    clock: FakeClock,
    load_example: Callable[..., str],
) -> None:
    slug = load_example("zielony-budzet-wieliczka")
    ania = console("ania")
    say(ania, f"/glosuj {slug} 2")
    clock.advance(timedelta(hours=2))
    _vote_by_email(services, slug, "1, 3")
    assert _link(services, say, ania).endswith(
        f"W {slug} były dwa Twoje głosy: liczy się ostatni, oddany e-mailem; głos oddany w konsoli nie jest już "
        "liczony."
    )
    # the e-mail ballot is hers now: /moj_glos shows it (it showed nothing, the absorbed identity's ballot being
    # under that identity's key), and withdrawing it works
    assert say(ania, f"/moj_glos {slug}") == (
        "Twój głos (Zielony Budżet Gminy Wieliczka 2027):\n• 1. Ogród deszczowy przy Szkole Podstawowej nr 1\n"
        "• 3. Sto drzew dla Wieliczki"
    )
    clock.advance(timedelta(hours=1))
    say(ania, f"/glosuj {slug} 4")  # the one person's next ballot replaces the e-mail one
    assert _counted(services, slug) == [("4", 1)]
