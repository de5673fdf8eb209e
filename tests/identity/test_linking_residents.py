"""One verified resident is one person: linking two accounts verified as *different* residents is refused (both
ballots keep counting, each for its resident); two accounts of the *same* resident hold one ballot and are one in
the turnout, before and after they are linked. Chat through the console channel, the e-mail code by the outbox."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.clock import FakeClock
from bot.console import ConsoleChannel
from bot.domain import Channel, ProcessKind
from bot.scheduling.policy import SchedulePolicy
from bot.scheduling.publishing import send_summary
from bot.scheduling.reminders import select_recipients
from bot.services import Services
from bot.services.sealing import open_payload
from mail.tokens import expand_tokens
from storage.models import Ballot, OutboxMessage

ADDRESS = "jan.kowalski@example.pl"
Say = Callable[[ConsoleChannel, str], str]


def _email_voter(services: Services, slug: str, resident: str, ballot: str) -> int:
    """A member who verifies and votes by e-mail (the services the mail processor calls); returns the person."""
    person = services.people.identify(Channel.EMAIL, ADDRESS).person_id
    services.verification.verify(slug, person, Channel.EMAIL, resident)
    services.voting.cast(slug, person, ballot, Channel.EMAIL)
    return person


def _link(services: Services, say: Say, user: ConsoleChannel) -> str:
    """``/email ADRES``, the code read from the queued message as the sender expands it, ``/email KOD``."""
    say(user, f"/email {ADDRESS}")
    with services.context.transaction() as session:
        query = select(OutboxMessage).where(OutboxMessage.purpose == "link.code")  # type: ignore[arg-type]
        row = session.scalars(query.order_by(OutboxMessage.id.desc())).first()  # type: ignore[union-attr]
        assert row is not None
        text = expand_tokens(str(open_payload(services.context.secret, row.payload)["text"]), services.context.secret)
    code = re.search(r"Kod: (\d{6})", text)
    assert code is not None
    return say(user, f"/email {code.group(1)}")


def _city(services: Services, slug: str) -> tuple[int, list[tuple[str, int]]]:
    city = services.results.results(slug, moderator=True).rounds[0]["city"]
    return city.ballots, [(row.item, row.votes) for row in city.rows if row.votes]


def test_linking_two_different_verified_residents_is_refused_and_both_ballots_count(
    console: Callable[..., ConsoleChannel],
    say: Say,
    register_csv: Path,
    verified_process: Callable[[str], str],
    services: Services,
    clock: FakeClock,
) -> None:
    slug = verified_process("bo-lublin-2027-rejestr")
    moderator = console("moderator")
    say(moderator, f"/rejestr {slug} @{register_csv}")
    ania = console("ania")
    say(ania, f"/mieszkaniec {slug} Anna Nowak, al. Racławickie 3/14")
    say(ania, f"/glosuj {slug} city: 1")
    clock.advance(timedelta(hours=1))
    jan = _email_voter(services, slug, "Jan Kowalski, ul. Długa 12 m. 5", "city: 2")
    assert _link(services, say, ania) == (
        f"Nie połączono: w {slug} to konto i ten adres potwierdziły dwóch różnych mieszkańców, a jedna osoba to "
        "jeden mieszkaniec. Oba głosy nadal się liczą, każdy za swojego mieszkańca. Jeśli to pomyłka, zgłoś się do "
        "komisji."
    )
    # nothing moved: the address is still Jan's, each resident's ballot is theirs
    found = services.people.find(Channel.EMAIL, ADDRESS)
    assert found is not None and found.person_id == jan
    assert services.voting.current_ballot(slug, jan) is not None
    assert say(ania, f"/moj_glos {slug}").startswith("Twój głos (Budżet Obywatelski Lublina 2027):")
    services.processes.close(slug)
    assert _city(services, slug) == (2, [("1", 1), ("2", 1)])
    assert services.results.turnout(slug).participants == 2


def test_two_accounts_of_one_resident_are_one_voter_in_the_count_and_the_turnout(
    console: Callable[..., ConsoleChannel],
    say: Say,
    register_csv: Path,
    verified_process: Callable[[str], str],
    services: Services,
    clock: FakeClock,
) -> None:
    slug = verified_process("bo-lublin-2027-rejestr")
    moderator = console("moderator")
    say(moderator, f"/rejestr {slug} @{register_csv}")
    ania = console("ania")
    say(ania, f"/mieszkaniec {slug} Anna Nowak, al. Racławickie 3/14")
    say(ania, f"/glosuj {slug} city: 1")
    clock.advance(timedelta(hours=1))
    # the same resident, from an e-mail address not linked to the chat: her ballot is replaced
    _email_voter(services, slug, "NOWAK anna; Aleja Racławickie 3 / 14", "city: 2")
    turnout = (
        f"{services.processes.get(slug).title('pl')}: wzięła udział 1 osoba (znanych uprawnionych: 2).\n  e-mail: 1"
    )
    assert say(moderator, f"/frekwencja {slug}") == turnout
    # a third account, then a paper ballot of the same resident: still one, now on paper
    kasia = console("kasia")
    say(kasia, f"/mieszkaniec {slug} Anna Nowak, Racławickie 3 m. 14")
    clock.advance(timedelta(hours=1))
    say(kasia, f"/glosuj {slug} city: 3")
    assert say(moderator, f"/frekwencja {slug}") == (
        f"{services.processes.get(slug).title('pl')}: wzięła udział 1 osoba (znanych uprawnionych: 3).\n  konsola: 1"
    )
    assert say(moderator, f"/papierowy {slug} [Anna Nowak, Racławickie 3 m. 14] city: 1, 2") == (
        f"Wprowadzono kartę papierową do {slug}. Pokwitowanie: RRRR-RRRR-RRRR."
    )
    assert say(moderator, f"/frekwencja {slug}") == (
        f"{services.processes.get(slug).title('pl')}: wzięła udział 1 osoba (znanych uprawnionych: 3).\n"
        "  karta papierowa: 1"
    )
    # linking two of her accounts is allowed (one resident) and changes nothing in the count
    assert _link(services, say, ania).startswith(f"Połączono adres {ADDRESS} z tym kontem.")
    services.processes.close(slug)
    assert _city(services, slug) == (1, [("1", 1), ("2", 1)])
    assert services.results.turnout(slug).participants == 1


def test_name_and_number_of_one_register_line_are_one_resident_and_no_replaced_ballot_is_kept(
    console: Callable[..., ConsoleChannel],
    say: Say,
    register_csv: Path,
    verified_process: Callable[[str], str],
    services: Services,
    clock: FakeClock,
) -> None:
    """The register line "Anna Nowak; al. Racławickie 3/14; LU-000002" is one resident whether she gives her name
    and address or her number (they were two voters with two counted ballots). The process is secret: a replaced
    ballot is deleted, not kept as a revision, yet the committee still sees how many were replaced from which
    channel."""
    slug = verified_process("bo-lublin-2027-rejestr")
    moderator = console("moderator")
    say(moderator, f"/rejestr {slug} @{register_csv}")
    ania = console("ania")
    say(ania, f"/mieszkaniec {slug} Anna Nowak, al. Racławickie 3/14")
    say(ania, f"/glosuj {slug} city: 1")
    clock.advance(timedelta(hours=1))
    _email_voter(services, slug, "LU-000002", "city: 2")  # her number, from an address not linked to the chat
    clock.advance(timedelta(hours=1))
    say(ania, f"/glosuj {slug} city: 3")  # back in the chat
    say(ania, f"/glosuj {slug} city: 1, 3")  # a change on the same channel is not a replacement across channels
    with services.context.engine.connect() as connection:
        stored = connection.execute(select(Ballot.channel, Ballot.cast_at, Ballot.revision)).all()  # type: ignore[call-overload]
    assert stored == [(None, None, 1)]  # one row, nothing of the three replaced ballots, no channel, no time
    assert say(moderator, f"/frekwencja {slug}") == (
        f"{services.processes.get(slug).title('pl')}: wzięła udział 1 osoba (znanych uprawnionych: 2).\n  konsola: 1"
    )
    assert say(moderator, f"/weryfikacja {slug}") == "\n".join(
        [
            f"Weryfikacja mieszkańców w {slug} (rejestr gminy) — do sprawdzenia przez komisję:",
            "Rejestr: 6 wpisów.",
            "Zweryfikowane konta: 2.",
            "Mieszkańcy potwierdzeni z więcej niż jednego konta: 1 (liczy się jeden, ostatni głos każdego).",
            "Nieudanych prób weryfikacji nie było.",
            "Głosy zastąpione późniejszym głosem tego samego mieszkańca z innego kanału:",
            "• konsola → e-mail: 1 głos",
            "• e-mail → konsola: 1 głos",
            "Dane weryfikacji zostaną usunięte 30 dni po opublikowaniu wyników. Raport nie pokazuje treści "
            "żadnego głosu.",
        ]
    )
    services.processes.close(slug)
    assert _city(services, slug) == (1, [("1", 1), ("3", 1)])


def test_a_verified_residents_own_ballot_reaches_my_data_and_your_projects(
    console: Callable[..., ConsoleChannel],
    say: Say,
    register_csv: Path,
    verified_process: Callable[[str], str],
    services: Services,
) -> None:
    """A verified resident's ballot is under the resident's key: /moje_dane and the "your projects" summary
    looked it up under the person's key and found nothing."""
    slug = verified_process("bo-lublin-2027-rejestr")
    moderator = console("moderator")
    say(moderator, f"/rejestr {slug} @{register_csv}")
    person = _email_voter(services, slug, "Anna Nowak, al. Racławickie 3/14", "city: 1, 2")
    assert services.privacy.export(person)["ballots"] == [{"process": slug, "round": 1, "ballot": {"city": ["1", "2"]}}]
    say(moderator, f"/zamknij {slug}")
    say(moderator, f"/opublikuj {slug}")
    send_summary(services, slug, SchedulePolicy())
    with services.context.transaction() as session:
        query = select(OutboxMessage).where(OutboxMessage.purpose == "yours")  # type: ignore[arg-type]
        assert [row.person_id for row in session.scalars(query).all()] == [person]


def test_no_account_of_a_resident_who_voted_is_reminded(
    console: Callable[..., ConsoleChannel],
    say: Say,
    register_csv: Path,
    verified_process: Callable[[str], str],
    services: Services,
) -> None:
    """Her Telegram account's participation was dropped when she voted again by e-mail (turnout counts her once):
    the reminder must not take that for "has not voted"."""
    slug = verified_process("bo-lublin-2027-rejestr")
    say(console("moderator"), f"/rejestr {slug} @{register_csv}")
    telegram = services.people.identify(Channel.TELEGRAM, "1001").person_id
    services.verification.verify(slug, telegram, Channel.TELEGRAM, "Anna Nowak, al. Racławickie 3/14")
    services.voting.cast(slug, telegram, "city: 1", Channel.TELEGRAM)
    _email_voter(services, slug, "Anna Nowak, Racławickie 3 m. 14", "city: 2")
    process_id = services.processes.get(slug).id
    with services.context.reading() as connection:
        reminded = {recipient.person_id for recipient in select_recipients(connection, process_id, ProcessKind.BUDGET)}
    assert telegram not in reminded


def test_a_roster_pairing_two_different_verified_residents_is_skipped(
    console: Callable[..., ConsoleChannel],
    say: Say,
    register_csv: Path,
    verified_process: Callable[[str], str],
    services: Services,
) -> None:
    slug = verified_process("bo-lublin-2027-rejestr")
    say(console("moderator"), f"/rejestr {slug} @{register_csv}")
    anna = services.people.identify(Channel.TELEGRAM, "1001").person_id
    services.verification.verify(slug, anna, Channel.TELEGRAM, "Anna Nowak, al. Racławickie 3/14")
    services.voting.cast(slug, anna, "city: 1", Channel.TELEGRAM)
    jan = _email_voter(services, slug, "Jan Kowalski, ul. Długa 12 m. 5", "city: 2")
    assert services.linking.pair_roster([(ADDRESS, "1001")]) == 0
    found = services.people.find(Channel.EMAIL, ADDRESS)
    assert found is not None and found.person_id == jan != anna
    assert services.results.turnout(slug).participants == 2
