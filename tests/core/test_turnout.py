"""Turnout counts everyone who took part: consultation authors (once each), paper ballots, and the channels add
up to the total."""

from __future__ import annotations

from collections.abc import Callable

from bot.console import ConsoleChannel
from bot.services import Services

Talk = Callable[..., list[str]]


def test_a_consultation_counts_its_authors_once(
    talk: Talk, load_example: Callable[..., str], console: Callable[..., ConsoleChannel], services: Services
) -> None:
    slug = load_example("konsultacje-program-wspolpracy-2027")
    for person, texts in {"ania": ["§1 a", "§2 b", "c"], "bartek": ["§3 d"], "celina": ["e"]}.items():
        talk(console(person), [(f"/opinia {slug} {text}", ["Dziękujemy"]) for text in texts])
    turnout = services.results.turnout(slug)
    assert (turnout.participants, turnout.by_channel) == (3, {"console": 3})
    [answer] = talk(console("moderator"), [(f"/frekwencja {slug}", [])])
    assert answer == (
        f"{services.processes.get(slug).title('pl')}: wzięły udział 3 osoby (znanych uprawnionych: 3).\n  konsola: 3\n"
        "Uczestnicy według rodzaju: mieszkańcy — 3."
    )


def test_a_paper_ballot_counts_and_the_channels_add_up(
    talk: Talk, load_example: Callable[..., str], console: Callable[..., ConsoleChannel], services: Services
) -> None:
    slug = load_example("bo-warszawa-2027")
    talk(console("ania"), [(f"/dzielnica {slug} wesola", []), (f"/glosuj {slug} 1, 10", ["Przyjęto"])])
    talk(console("moderator"), [(f"/papierowy {slug} dzielnica=wesola 2, 12", ["Wprowadzono kartę"])])
    [answer] = talk(console("moderator"), [(f"/frekwencja {slug}", [])])
    assert answer == (
        f"{services.processes.get(slug).title('pl')}: wzięły udział 2 osoby (znanych uprawnionych: 1).\n"
        "  konsola: 1\n  karta papierowa: 1\n"
        "Według dzielnic:\n  Wesoła: 2"
    )
