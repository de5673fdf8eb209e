"""Surveys, deliberative polls, resolutions, Kraków rankings, invite codes, rosters and paper ballots."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from bot.clock import FakeClock
from bot.console import ConsoleChannel
from bot.domain import Channel
from bot.rosters import parse_roster_csv
from bot.services import Services

Talk = Callable[..., list[str]]


def test_survey_rates_a_municipality_and_the_index_is_per_municipality(
    talk: Talk, load_example: Callable[..., str], console: Callable[..., ConsoleChannel], services: Services
) -> None:
    slug = load_example("indeks-przyjaznego-samorzadu")
    ratings = {"wieliczka": ["5", "4", "3"], "skawina": ["2"]}
    for municipality, scores in ratings.items():
        for n, score in enumerate(scores):
            ngo = console(f"ngo-{municipality}-{n}")
            answer = " ".join(f"k{k}:{score}" for k in range(1, 7))
            talk(ngo, [(f"/dzielnica {slug} {municipality}", ["Zapisano"]), (f"/glosuj {slug} {answer}", ["Przyjęto"])])
    talk(
        console("ngo-x"),
        [(f"/dzielnica {slug} bochnia", []), (f"/glosuj {slug} k1:5", ["Brakuje 5 ocen: 2, 3, 4, 5, 6."])],
    )  # all required
    talk(console("moderator"), [(f"/zamknij {slug}", ["Zamknięto"])])
    results = services.results.results(slug, moderator=True)
    index = {entry.district: entry for entry in results.by_district}
    assert index["wieliczka"].published and index["wieliczka"].ballots == 3
    assert float(index["wieliczka"].index or 0) == 4.0
    # one NGO's answers are never a municipality's figure, not even for a moderator (min_responses = 3)
    assert not index["skawina"].published and index["skawina"].index is None and not index["skawina"].pools
    assert not index["bochnia"].published and index["bochnia"].index is None
    # the whole survey's figures leave Skawina out, or Skawina's answers would be the whole minus Wieliczka
    assert [result.ballots for result in results.rounds[0].values()] == [3]
    assert {str(row.score) for row in results.rounds[0]["main"].rows} == {"4"}
    talk(
        console("moderator"),
        [
            (
                f"/wyniki {slug}",
                [
                    "Wyniki poniżej obejmują tylko gminy, z których są co najmniej 3 odpowiedzi.",
                    "Średnia ocena według gmin",
                    "Gmina Wieliczka: 4,00 (3 odpowiedzi)",
                    "Gmina Skawina: za mało odpowiedzi",
                ],
            )
        ],
    )


def test_deliberative_poll_opens_round_two_at_the_briefing_and_reports_the_shift_of_those_in_both(
    talk: Talk, load_example: Callable[..., str], console: Callable[..., ConsoleChannel], services: Services
) -> None:
    slug = load_example("sondaz-deliberatywny-transport")  # secret: ballots are paired by their HMAC key only
    codes = services.eligibility.issue_codes(slug, 3)
    people = [console(f"uczestnik{n}") for n in range(3)]
    for n, person in enumerate(people):
        talk(person, [(f"/kod {slug} {codes[n]}", ["Kod przyjęty"])])
    # Round 1: three people; the third answers only this round, so the shift leaves them out.
    for person, before in zip(people, ("2", "3", "7"), strict=True):
        talk(person, [(f"/glosuj {slug} runda 1 t1:{before} t2:4 t3:4 t4:4", ["Przyjęto"])])
    [refused] = talk(people[0], [(f"/glosuj {slug} runda 2 t1:5 t2:4 t3:4 t4:3", [])])
    assert refused == (
        "Runda 2 sondażu „Sondaż deliberatywny: transport publiczny w mieście” jeszcze się nie zaczęła — zacznie się"
        " po spotkaniu informacyjnym, 14.03.2027, 18:00. Teraz możesz odpowiadać w rundzie 1."
    )
    assert services.voting.current_ballot(slug, people[0].caller().person_id, round_no=2) is None
    moderator = console("moderator")
    [held] = talk(moderator, [(f"/spotkanie_odbyte {slug}", [])])
    assert held.startswith(
        "Spotkanie informacyjne się odbyło — runda 2 sondażu „Sondaż deliberatywny: transport publiczny w mieście”"
        " (sondaz-transport-2027) jest otwarta od "
    )
    for person, after in zip(people[:2], ("5", "6"), strict=True):
        talk(person, [(f"/glosuj {slug} runda 2 t1:{after} t2:4 t3:4 t4:3", ["Przyjęto"])])
    talk(console("intruz"), [(f"/kod {slug} {codes[0]}", ["nieprawidłowy albo został już użyty"])])
    talk(
        moderator,
        [
            (f"/zamknij {slug}", []),
            (
                f"/wyniki {slug}",
                [
                    "Runda 1",
                    "Runda 2",
                    (
                        "Zmiana opinii wśród 2 osób, które odpowiedziały w obu rundach (średnia przed → "
                        "po spotkaniu):\n"
                        "1. Komunikacja miejska powinna być bezpłatna dla wszystkich mieszkańców. — 2,50 → 5,50"
                        " (zmiana +3,00)"
                    ),
                ],
            ),
        ],
    )
    results = services.results.results(slug, moderator=True)
    assert results.rounds[0]["main"].ballots == 3 and results.rounds[1]["main"].ballots == 2
    assert results.paired is not None and results.paired.people == 2


def test_round_two_opens_by_itself_at_the_scheduled_briefing(
    talk: Talk,
    load_example: Callable[..., str],
    console: Callable[..., ConsoleChannel],
    services: Services,
    clock: FakeClock,
) -> None:
    slug = load_example("sondaz-deliberatywny-transport")
    [code] = services.eligibility.issue_codes(slug, 1)
    person = console("uczestnik")
    talk(person, [(f"/kod {slug} {code}", ["Kod przyjęty"]), (f"/glosuj {slug} runda 1 t1:2 t2:4 t3:4 t4:4", [])])
    briefing = services.processes.get(slug).definition.briefing_at
    assert briefing is not None
    clock.set(briefing - timedelta(minutes=1))
    talk(person, [(f"/glosuj {slug} runda 2 t1:5 t2:4 t3:4 t4:3", ["jeszcze się nie zaczęła"])])
    clock.set(briefing)
    talk(person, [(f"/glosuj {slug} runda 2 t1:5 t2:4 t3:4 t4:3", ["Przyjęto"])])
    [already] = talk(console("moderator"), [(f"/briefing {slug}", [])])
    assert already == (
        "Runda 2 sondażu „Sondaż deliberatywny: transport publiczny w mieście” (sondaz-transport-2027) jest już"
        " otwarta (od 14.03.2027, 18:00)."
    )


def test_resolutions_by_roster_with_yes_no_abstain(
    talk: Talk, load_example: Callable[..., str], console: Callable[..., ConsoleChannel], services: Services
) -> None:
    slug = load_example("uchwala-tak-nie")
    rows = parse_roster_csv("name;organisation;email\nAnna;Fundacja;anna@ngo.pl\n", channel=Channel.EMAIL)
    services.eligibility.import_roster(
        slug, [*rows, *parse_roster_csv("name,console\nJan,jan\n", channel=Channel.CONSOLE)]
    )
    anna = services.people.identify(Channel.EMAIL, "Anna@NGO.pl")
    jan = console("jan")
    services.people.link(anna.person_id, Channel.CONSOLE, "anna")  # the same person on a second channel
    talk(console("obcy"), [(f"/glosuj {slug} uchwala1: TAK", ["Nie ma Cię na liście"])])
    talk(jan, [(f"/glosuj {slug} uchwala1: TAK; uchwala2: NIE; uchwala3: WSTRZYMUJĘ SIĘ", ["Przyjęto"])])
    talk(console("anna"), [(f"/glosuj {slug} uchwala1: za; uchwala2: przeciw; uchwala3: tak", ["Przyjęto"])])
    talk(console("moderator"), [(f"/zamknij {slug}", [])])
    # results = "after_close": a resident sees them as soon as the vote is closed
    talk(jan, [(f"/wyniki {slug}", ["za: 2, przeciw: 0", "przyjęto", "nie przyjęto"])])
    assert services.results.turnout(slug).participants == 2


def test_krakow_ranking_of_exactly_three_counts_points(
    talk: Talk, load_example: Callable[..., str], console: Callable[..., ConsoleChannel], services: Services
) -> None:
    slug = load_example("bo-krakow-2027")
    for n, ranking in enumerate(["1 > 2 > 3", "2 > 1 > 4", "2 > 3 > 1"]):
        voter = console(f"krakus{n}")
        talk(voter, [(f"/dzielnica {slug} stare-miasto", []), (f"/glosuj {slug} miasto: {ranking}", ["Przyjęto"])])
    talk(console("krakus9"), [(f"/dzielnica {slug} krowodrza", []), (f"/glosuj {slug} miasto: 1 > 2", ["3"])])
    talk(console("moderator"), [(f"/zamknij {slug}", [])])
    pool = services.results.results(slug, moderator=True).rounds[0]["miasto"]
    assert pool.row("2").points == 3 + 3 + 2  # first, first, second place
    assert pool.row("1").points == 3 + 2 + 1


def test_paper_ballots_and_exports(
    talk: Talk,
    load_example: Callable[..., str],
    console: Callable[..., ConsoleChannel],
    services: Services,
) -> None:
    slug = load_example("zielony-budzet-wieliczka")
    moderator = console("moderator")
    talk(moderator, [(f"/papierowy {slug} 1, 2", ["Wprowadzono kartę papierową", "Pokwitowanie"])])
    talk(console("ania"), [(f"/glosuj {slug} 2, 3", ["Przyjęto"]), (f"/papierowy {slug} 1", ["tylko dla moderatorów"])])
    talk(moderator, [(f"/eksport {slug} csv", ["nie są jeszcze jawne"]), (f"/zamknij {slug}", [])])
    answers = talk(
        moderator,
        [
            (f"/eksport {slug} pb", ["Eksport", "📎"]),
            (f"/eksport {slug} csv", ["📎"]),
            (f"/eksport {slug} xml", ["Nieznany format"]),
        ],
    )
    path = answers[0].split("📎 ")[1].strip()
    from bot.counting.pb import parse_pb

    with open(path, encoding="utf-8") as handle:
        election = parse_pb(handle.read())
    assert len(election.votes) == 2
    assert election.meta["rule"].startswith("equalshares")
    # the paper ballot counts in turnout: someone took part, though no account did
    assert services.results.turnout(slug).by_channel == {"console": 1, "paper": 1}


def test_a_moderator_uploads_a_roster_in_windows_1250(
    talk: Talk,
    load_example: Callable[..., str],
    console: Callable[..., ConsoleChannel],
    services: Services,
    tmp_path: Path,
) -> None:
    slug = load_example("uchwala-tak-nie")
    roster = tmp_path / "członkowie.csv"
    roster.write_bytes(
        "Imię i nazwisko;Organizacja;E-mail\nŁucja Żak;Koło Gospodyń;lucja@kgw.pl\n;;\n".encode("cp1250")
    )
    talk(
        console("moderator"),
        [(f"/lista {slug} @{roster}", ["Dodano 1 osobę do listy", "pominięto wierszy bez adresu: 0"])],
    )
    lucja = services.people.identify(Channel.EMAIL, "lucja@kgw.pl")
    assert services.eligibility.check(slug, lucja.person_id).source == "roster"
