"""``/email ADRES`` and ``/email KOD`` through the console channel, the code travelling by real SMTP (aiosmtpd):
short, expiring, limited attempts, never stored or queued in plain."""

from __future__ import annotations

import email
import re
from collections.abc import Callable
from datetime import timedelta
from email.message import Message

from sqlalchemy import text

from bot.clock import FakeClock
from bot.console import ConsoleChannel
from bot.domain import Channel
from bot.services import Services
from mail.sender import SmtpConfig, SmtpSender
from mail.testing import smtp_sink

Say = Callable[[ConsoleChannel, str], str]


def _body(raw: bytes) -> str:
    message: Message = email.message_from_bytes(raw)
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8").replace("\r\n", "\n")
    raise AssertionError("no text part")


def test_a_resident_links_an_address_with_a_code_sent_by_smtp(
    console: Callable[..., ConsoleChannel], say: Say, services: Services, clock: FakeClock
) -> None:
    ania = console("ania")
    assert say(ania, "/email") == "Napisz /email ADRES, a wyślemy na ten adres kod; potem napisz /email KOD."
    assert say(ania, "/email ania@example") == (
        "„ania@example” nie wygląda na adres e-mail. Napisz na przykład: /email jan.kowalski@example.pl"
    )
    assert say(ania, "/email 123456") == "Najpierw napisz /email ADRES — wyślemy na ten adres kod."
    assert say(ania, "/email Ania@Example.PL") == (
        "Wysłaliśmy kod na adres ania@example.pl. Wpisz go tutaj: /email KOD. Kod jest ważny do 20.06.2027, 12:15."
    )
    with services.context.engine.connect() as connection:
        queued = connection.execute(text("SELECT payload FROM outbox_message WHERE purpose = 'link.code'")).scalar_one()
        stored = connection.execute(text("SELECT code_hash FROM link_code")).scalar_one()
    with smtp_sink() as sink:
        sender = SmtpSender(services, SmtpConfig("127.0.0.1", sink.port, tls="none", from_address="glos@example.org"))
        assert sender.send_due() == 1
    [(_, recipients, raw)] = sink.messages
    assert recipients == ["ania@example.pl"]
    body = _body(raw)
    code = re.search(r"Kod: (\d{6})", body)
    assert code is not None
    assert body.strip() == (
        "Ktoś — zapewne Ty — chce połączyć ten adres z kontem w Telegramie w bocie Głos.\n\n"
        f"Kod: {code.group(1)}\n\n"
        f"Wpisz w Telegramie: /email {code.group(1)}\n"
        "Kod jest ważny do 20.06.2027, 12:15. Jeśli to nie Ty, zignoruj tę wiadomość — bez kodu nic się nie stanie."
    )
    # neither the queued message nor the code table holds the code
    assert code.group(1) not in str(queued) and code.group(1) not in stored
    wrong = "000000" if code.group(1) != "000000" else "111111"
    assert say(ania, f"/email {wrong}") == "To nie jest ten kod. Zostały 4 próby."
    assert say(ania, f"/email {code.group(1)[:3]} {code.group(1)[3:]}") == (
        "Połączono adres ania@example.pl z tym kontem. Teraz jesteś jedną osobą w Telegramie i e-mailem: w każdym "
        "głosowaniu liczy się jeden, ostatni głos."
    )
    person = services.people.find(Channel.EMAIL, "ania@example.pl")
    assert person is not None and person.person_id == ania.caller().person_id
    assert say(ania, "/email ania@example.pl") == "Adres ania@example.pl jest już połączony z tym kontem."


def test_codes_expire_and_wrong_guesses_use_them_up(
    console: Callable[..., ConsoleChannel], say: Say, services: Services, clock: FakeClock
) -> None:
    bartek = console("bartek")
    say(bartek, "/email bartek@example.pl")
    clock.advance(timedelta(minutes=16))
    assert say(bartek, "/email 123456") == "Ten kod wygasł. Napisz /email ADRES jeszcze raz, a wyślemy nowy."
    say(bartek, "/email bartek@example.pl")
    answers = [say(bartek, f"/email {guess:06d}") for guess in range(6)]
    assert answers[-1] == "Za dużo błędnych prób — ten kod już nie działa. Napisz /email ADRES, a wyślemy nowy."
    assert answers[3] == "To nie jest ten kod. Została 1 próba."
    for _ in range(3):
        say(bartek, "/email bartek@example.pl")
    assert say(bartek, "/email bartek@example.pl") == "Dziś wysłaliśmy już 5 kodów. Spróbuj jutro."
