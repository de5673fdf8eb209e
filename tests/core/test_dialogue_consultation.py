"""A public consultation of a draft cooperation programme: opinions on § sections, moderation, responses."""

from __future__ import annotations

from collections.abc import Callable

from bot.clock import FakeClock
from bot.console import ConsoleChannel
from bot.domain import ModerationStatus, ResponseStatus
from bot.services import Services

Talk = Callable[..., list[str]]


def test_an_ngo_comments_on_sections_and_the_office_answers_each_opinion(
    talk: Talk, load_example: Callable[..., str], console: Callable[..., ConsoleChannel], services: Services
) -> None:
    slug = load_example("konsultacje-program-wspolpracy-2027")
    fundacja = console("fundacja-razem")
    moderator = console("moderator")
    talk(
        fundacja,
        [
            (f"/start {slug}", ["Konsultacje społeczne", "§1", "§3", "/opinia"]),
            ("/opinia §3 Proszę dopisać zasadę jawności w konkursach.", ["Opinia nr 1 do §3 (", "czeka na moderację"]),
            ("/opinia Cały program jest zbyt ogólny.", ["Opinia nr 2 (", "czeka na moderację"]),
            ("/opinia §99 Coś", ["nie ma części 99"]),
            ("/opinia §3", ["Napisz treść opinii"]),
            ("/opinia " + "x" * 4001, ["za długa"]),
            ("/glosuj 1", ["nie głosuje się", "/opinia"]),
        ],
    )
    talk(
        moderator,
        [
            (f"/opinie {slug}", ["#1 [§3]", "zasadę jawności", "/zatwierdz 1", "#2 [cały dokument]"]),
            ("/zatwierdz 1", ["Opinia nr 1: zatwierdzona"]),
            ("/odrzuc 2", ["Opinia nr 2: odrzucona"]),
            ("/odpowiedz 1 czesciowo Zasada jawności wynika z ustawy; dopisano odesłanie.", ["uwzględniono częściowo"]),
            ("/odpowiedz 1 moze", ["Napisz: /odpowiedz NUMER"]),
            ("/odpowiedz 1 czesciowo " + "y" * 4001, ["za długa"]),
            ("/zatwierdz 999", ["Nie ma opinii nr 999"]),
            (f"/opinie {slug}", ["Brak opinii do moderacji"]),
        ],
    )
    opinions = services.opinions.list(slug)
    assert [(o.section, o.status) for o in opinions] == [
        ("s3", ModerationStatus.APPROVED),
        (None, ModerationStatus.REJECTED),
    ]
    assert opinions[0].response_status is ResponseStatus.PARTIAL
    assert "odesłanie" in (opinions[0].response_text or "")


def test_a_resident_cannot_moderate(
    talk: Talk, load_example: Callable[..., str], console: Callable[..., ConsoleChannel]
) -> None:
    slug = load_example("konsultacje-program-wspolpracy-2027")
    talk(console("ania"), [(f"/opinie {slug}", ["tylko dla moderatorów"]), ("/zatwierdz 1", ["tylko dla moderatorów"])])


def test_no_opinions_after_closing(
    talk: Talk,
    load_example: Callable[..., str],
    console: Callable[..., ConsoleChannel],
    clock: FakeClock,
    services: Services,
) -> None:
    slug = load_example("konsultacje-program-wspolpracy-2027")
    info = services.processes.get(slug)
    assert info.closes_at is not None
    clock.set(info.closes_at)
    talk(console("ania"), [(f"/opinia {slug} Za późno?", ["zakończone"])])
    assert services.opinions.list(slug) == []


def test_an_author_withdraws_their_own_remark_and_nobody_else_can(
    talk: Talk, load_example: Callable[..., str], console: Callable[..., ConsoleChannel], services: Services
) -> None:
    slug = load_example("konsultacje-program-wspolpracy-2027")
    talk(console("ania"), [(f"/opinia {slug} §3 Proszę dopisać seniorów.", ["Opinia nr 1 do §3"])])
    talk(
        console("bartek"),
        [("/wycofaj_uwage 1", ["Nie ma opinii nr 1."]), ("/wycofaj_uwage", ["Podaj numer opinii"])],
    )
    talk(
        console("ania"),
        [
            (
                "/wycofaj_uwage nr 1",
                ["Wycofano opinię nr 1 (Konsultacje projektu „Programu", "Raport z konsultacji poda"],
            ),
            ("/wycofaj_uwage 1", ["Opinia nr 1 została już wycofana przez autora."]),
        ],
    )
    talk(console("moderator"), [("/zatwierdz 1", ["Opinia nr 1 została już wycofana przez autora."])])
    assert [o.status for o in services.opinions.list(slug)] == [ModerationStatus.WITHDRAWN]
    assert services.results.turnout(slug).participants == 0
