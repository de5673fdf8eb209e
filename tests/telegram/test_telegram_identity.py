"""One person across channels, on Telegram: rosters naming Telegram accounts (numeric id or @username), and the
e-mail invitation's "Głosuj w Telegramie" deep link that links an account to the invited member in one tap."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FakeClock
from bot.domain import Channel
from bot.services import Services, build_services
from handlers.emulator import Emulator
from handlers.emulator.harness import Harness
from mail.addressing import MailAddressing
from mail.invite import invite_roster
from mail.tokens import expand_tokens

MODERATOR = 900
YES = "• 1. Uchwała nr 1/2027 w sprawie zatwierdzenia sprawozdania zarządu za 2026 rok — TAK"
NO = "• 1. Uchwała nr 1/2027 w sprawie zatwierdzenia sprawozdania zarządu za 2026 rok — NIE"
SECRET = b"test-secret-key-not-for-production"
TITLE = "Walne Zebranie Członków 2027 – głosowanie nad uchwałami"


def masked(answer: str) -> str:
    """The answer with its random receipts shown as RRRR-RRRR-RRRR."""
    return re.sub(r"\b[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}\b", "RRRR-RRRR-RRRR", answer)


def accepted(slug: str, ballot: str) -> str:
    """The whole answer to an accepted first ballot."""
    return (
        f"Przyjęto Twój głos ({TITLE}):\n{ballot}\nPokwitowanie: RRRR-RRRR-RRRR — zachowaj je; po zamknięciu "
        f"sprawdzisz, że głos policzono (/pokwitowanie {slug} RRRR-RRRR-RRRR). Głos możesz zmienić do końca "
        "głosowania."
    )


@pytest.fixture
def services(session_factory: sessionmaker[Session], clock: FakeClock) -> Services:
    """The conftest's services, knowing the emulated bot's @username (invitations link to it)."""
    built = build_services(  # type: ignore[arg-type]
        session_factory, clock, SECRET, telegram_username="glos_emulator_bot"
    )
    built.people.ensure_admins([str(MODERATOR)])
    return built


async def test_a_roster_names_telegram_accounts_by_id_and_by_username(
    telegram: Harness, emulator: Emulator, load_example: Callable[..., str]
) -> None:
    slug = load_example("uchwala-tak-nie")
    emulator.user(103, "Kasia", "pl", username="Kasia_Nowak")
    emulator.user(104, "Tomek", "pl", username="tomek_bez_listy")
    roster = "imię i nazwisko;telegram;organizacja\nAnia;101;Fundacja A\nKasia;@kasia_nowak;Stowarzyszenie B\nNikt;;\n"
    answer = await telegram.upload(MODERATOR, "lista.csv", roster.encode(), caption=f"/lista {slug}")
    assert answer == f"Dodano 2 osoby do listy {slug}; pominięto wierszy bez adresu: 1."
    assert masked(await telegram.say(103, f"/glosuj {slug} uchwala1: TAK")) == accepted(slug, YES)
    assert masked(await telegram.say(101, f"/glosuj {slug} uchwala1: NIE")) == accepted(slug, NO)
    refused = await telegram.say(104, f"/glosuj {slug} uchwala1: TAK")
    assert refused == (
        f"Nie ma Cię na liście osób uprawnionych do udziału w {slug} — biorą w nim udział tylko osoby z listy "
        "organizatora. Jeśli to pomyłka, napisz do organizatora."
    )


async def test_the_invitations_deep_link_links_the_account_in_one_tap(
    telegram: Harness, emulator: Emulator, services: Services, load_example: Callable[..., str]
) -> None:
    slug = load_example("uchwala-tak-nie")
    roster = "imię i nazwisko;email\nAnia Kowalska;ania@ngo.example.pl\n"
    await telegram.upload(MODERATOR, "lista.csv", roster.encode(), caption=f"/lista {slug}")
    addressing = MailAddressing("glos@glos.example.org", "glos.example.org")
    assert invite_roster(services, addressing, slug) == 1
    with services.context.engine.connect() as connection:
        [(payload, address)] = connection.execute(
            text("SELECT payload, address FROM outbox_message WHERE purpose = 'mail.invitation'")
        ).all()
        stored_tokens = connection.execute(text("SELECT token_hash FROM link_token")).scalars().all()
    payload = json.loads(payload) if isinstance(payload, str) else payload
    assert address == "ania@ngo.example.pl"
    # what the member receives: the sender expands the placeholder into a one-time token
    sent = json.loads(expand_tokens(json.dumps(payload), SECRET))
    link = re.search(r"https://t\.me/glos_emulator_bot\?start=(link_[A-Z2-7]{26})", sent["text"])
    assert link is not None, sent["text"]
    assert f'<a href="{link.group(0)}"' in sent["html"] and "Głosuj w Telegramie</a>" in sent["html"]
    assert link.group(1) not in json.dumps(payload) and all(link.group(1) not in value for value in stored_tokens)
    answer = await telegram.say(101, f"/start {link.group(1)}")
    assert answer == (
        "Witaj! Tu Głos — bot do konsultacji, głosowań i budżetu obywatelskiego.\n"
        "Połączono to konto Telegram z adresem ania@ngo.example.pl. Możesz głosować tutaj albo e-mailem: "
        "w każdym głosowaniu liczy się jeden, ostatni głos."
    )
    telegram_person = services.people.find(Channel.TELEGRAM, "101")
    email_person = services.people.find(Channel.EMAIL, "ania@ngo.example.pl")
    assert telegram_person is not None and email_person is not None
    assert telegram_person.person_id == email_person.person_id
    # single use: the same link again (someone it was forwarded to) links nothing
    emulator.user(105, "Obcy", "pl")
    assert (await telegram.say(105, f"/start {link.group(1)}")).endswith(
        "Ten link jest nieważny albo został już użyty. Poproś o nowe zaproszenie albo połącz adres poleceniem "
        "/email ADRES."
    )
    # the member, now on Telegram, is on the roster through the linked address
    assert masked(await telegram.say(101, f"/glosuj {slug} uchwala1: TAK")) == accepted(slug, YES)
