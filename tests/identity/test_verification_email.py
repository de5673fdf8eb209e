"""A member verifies as a resident by e-mail: one ``MIESZKANIEC:`` line in the reply, matched against the city's
register, and the same resident voting again on paper is one voter. Through the real mail processor."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

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

MEMBER = "jan.kowalski@example.pl"
SECRET = b"test-secret-key-not-for-production"  # the services fixture's key: confirmations are sealed with it


def _outbox(services: Services, purpose: str) -> list[OutboxMessage]:
    with services.context.transaction() as session:
        query = select(OutboxMessage).where(OutboxMessage.purpose == purpose)  # type: ignore[arg-type]
        return list(session.scalars(query.order_by(OutboxMessage.id)).all())  # type: ignore[arg-type]


def _reply(addressing: MailAddressing, token: str, body: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"Jan Kowalski <{MEMBER}>"
    message["To"] = addressing.reply_to(token)
    message["Subject"] = "Re: Zaproszenie"
    message["Message-ID"] = make_msgid(domain="example.pl")
    message.set_content(body)
    return message.as_bytes()


def test_an_email_line_verifies_the_member_and_paper_replaces_the_email_ballot(
    console: Callable[..., ConsoleChannel],
    say: Callable[[ConsoleChannel, str], str],
    register_csv: Path,
    verified_process: Callable[[str], str],
    services: Services,
    clock: FakeClock,
) -> None:
    slug = verified_process("bo-lublin-2027-rejestr")
    moderator = console("moderator")
    say(moderator, f"/rejestr {slug} @{register_csv}")
    services.eligibility.import_roster(slug, [RosterRow(Channel.EMAIL, MEMBER, name="Jan Kowalski")])
    addressing = MailAddressing("glos@glos.example.org", "glos.example.org")
    assert invite_roster(services, addressing, slug) == 1
    [invitation] = _outbox(services, "mail.invitation")
    assert (
        "Zanim zagłosujesz, potwierdź raz, że mieszkasz w gminie — dopisz w odpowiedzi linię: MIESZKANIEC: Imię "
        "Nazwisko, ul. Długa 12 m. 5" in invitation.payload["text"]
    )
    token = expand_tokens(invitation.payload["headers"]["Reply-To"], services.context.secret)
    token = token.split("+", 1)[1].split("@", 1)[0]
    processor = MailProcessor(services, addressing)
    # a ballot before verification is refused, and says how to verify
    processor.process(_reply(addressing, token, "city: 1, 2"))
    # a wrong address, then the right one: the ballot in the same reply is cast after the verification
    processor.process(_reply(addressing, token, "MIESZKANIEC: Jan Kowalski, ul. Krótka 1\ncity: 1, 2"))
    outcome = processor.process(_reply(addressing, token, "Mieszkaniec: Jan Kowalski, Długa 12/5\ncity: 1, 2"))
    assert outcome.kind == "accepted"
    confirmations = [open_payload(SECRET, row.payload)["text"] for row in _outbox(services, "mail.confirmation")]
    assert len(confirmations) == 3
    assert "Aby zagłosować w bo-lublin-2027, potwierdź raz, że mieszkasz w gminie" in confirmations[0], confirmations[0]
    assert "MIESZKANIEC: …" in confirmations[1] and "Nie znaleźliśmy tych danych w rejestrze" in confirmations[1]
    assert "Krótka" not in confirmations[1]  # what was typed is never quoted back (nor kept in the outbox)
    assert (
        "Potwierdzono, że mieszkasz w gminie: możesz głosować e-mailem, w Telegramie albo na papierze, a liczy się "
        "ostatni głos." in confirmations[2]
    )
    # the same resident's paper ballot, entered later, replaces the e-mail ballot
    assert say(moderator, f"/papierowy {slug} [Kowalski Jan, ul. Długa 12 m. 5] city: 3") == (
        "Wprowadzono kartę papierową do bo-lublin-2027. Pokwitowanie: RRRR-RRRR-RRRR."
    )
    services.processes.close(slug)
    city = services.results.results(slug, moderator=True).rounds[0]["city"]
    assert city.ballots == 1 and [(row.item, row.votes) for row in city.rows] == [("3", 1), ("1", 0), ("2", 0)]
    assert say(moderator, f"/weryfikacja {slug}") == "\n".join(
        [
            "Weryfikacja mieszkańców w bo-lublin-2027 (rejestr gminy) — do sprawdzenia przez komisję:",
            "Rejestr: 6 wpisów.",
            "Zweryfikowane konta: 1.",
            "Mieszkańcy potwierdzeni z więcej niż jednego konta: 0 (liczy się jeden, ostatni głos każdego).",
            "Nieudane próby weryfikacji:",
            "• e-mail, brak w rejestrze: 1 próba",
            "Głosy zastąpione późniejszym głosem tego samego mieszkańca z innego kanału:",
            "• e-mail → karta papierowa: 1 głos",
            "Dane weryfikacji zostaną usunięte 30 dni po opublikowaniu wyników. Raport nie pokazuje treści "
            "żadnego głosu.",
        ]
    )
