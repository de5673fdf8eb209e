"""A Warsaw-style budget vote through the console channel, read as transcripts."""

from __future__ import annotations

import json
from collections.abc import Callable

from bot.clock import FakeClock
from bot.console import ConsoleChannel
from bot.services import Services


def test_a_resident_declares_a_district_votes_changes_and_checks_the_receipt(
    talk: Callable[..., list[str]],
    load_example: Callable[..., str],
    console: Callable[..., ConsoleChannel],
    services: Services,
) -> None:
    load_example("bo-warszawa-2027")
    ania = console("ania")
    answers = talk(
        ania,
        [
            (
                "/start bo2027",
                ["Witaj!", "Budżet obywatelski 2027", "wskaż swoją dzielnicę", "/dzielnica bo2027 wesola"],
            ),
            ("/glosuj city: 1, 2", ["wskaż swoją dzielnicę"]),
            ("/dzielnica Wesoła", ["Zapisano dzielnicę: Wesoła", "\nWesoła — pula 1 400 000 zł\n"]),
            ("/glosuj city: 1, 2; wesola: 10", ["Przyjęto Twój głos (Budżet obywatelski 2027)", "Pokwitowanie:"]),
            ("/moj_glos", ["Twój głos (Budżet obywatelski 2027)"]),
            (
                "/glosuj city: 1, 2, 3; wesola: 10, 11",
                ["Zmieniono Twój głos (Budżet obywatelski 2027)", "Liczy się tylko ostatni głos"],
            ),
        ],
    )
    receipt = answers[-1].split("Nowe pokwitowanie: ")[1].split(".")[0]
    assert services.voting.verify_receipt("bo2027", receipt)
    assert not services.voting.verify_receipt("bo2027", answers[3].split("Pokwitowanie: ")[1].split(" ")[0])


def test_invalid_ballots_are_refused_with_a_reason_and_the_stored_vote_stays(
    talk: Callable[..., list[str]],
    load_example: Callable[..., str],
    console: Callable[..., ConsoleChannel],
    services: Services,
) -> None:
    load_example("bo-warszawa-2027")
    jan = console("jan")
    talk(jan, [("/dzielnica bo2027 bemowo", ["Bemowo"]), ("/glosuj bo2027 city: 1", ["Przyjęto"])])
    before = services.voting.current_ballot("bo2027", jan.person_id)
    for line in (
        "/glosuj bo2027 city: 1, 2, 3, 4, 5, 6",  # six projects where five is the most
        "/glosuj bo2027 wesola: 10",  # another district's pool
        "/glosuj bo2027 city: 999",  # no such project
        "/glosuj bo2027 city: 1, 1",  # the same project twice
        "/glosuj bo2027 ???",  # not a ballot at all
    ):
        answer = "\n".join(jan.handle(line))
        assert "Przyjęto" not in answer and "Zmieniono" not in answer, answer
        assert "Coś poszło nie tak" not in answer, answer
    assert services.voting.current_ballot("bo2027", jan.person_id) == before


def test_one_district_per_voter_once_voted(
    talk: Callable[..., list[str]], load_example: Callable[..., str], console: Callable[..., ConsoleChannel]
) -> None:
    load_example("bo-warszawa-2027")
    ola = console("ola")
    talk(
        ola,
        [
            ("/dzielnica bo2027 ursynow", ["Ursynów"]),
            ("/dzielnica bo2027 bemowo", ["Bemowo"]),  # not voted yet: may change
            ("/glosuj bo2027 bemowo: 20", []),
            ("/dzielnica bo2027 wesola", ["już oddany", "/wycofaj"]),
        ],
    )


def test_the_moderator_closes_publishes_and_everyone_reads_the_results(
    talk: Callable[..., list[str]],
    load_example: Callable[..., str],
    console: Callable[..., ConsoleChannel],
    clock: FakeClock,
    services: Services,
) -> None:
    load_example("bo-warszawa-2027")
    for n in range(3):
        voter = console(f"v{n}")
        talk(voter, [("/dzielnica bo2027 wesola", []), ("/glosuj bo2027 wesola: 10, 12", ["Przyjęto"])])
    ania = console("ania")
    moderator = console("moderator")
    talk(ania, [("/wyniki bo2027", ["nie są jeszcze jawne"]), ("/zamknij bo2027", ["tylko dla moderatorów"])])
    talk(
        moderator,
        [
            ("/frekwencja bo2027", ["wzięły udział 3 osoby", "Wesoła: 3"]),
            ("/zamknij bo2027", ["Zamknięto", "/opublikuj bo2027"]),
        ],
    )
    talk(ania, [("/glosuj bo2027 city: 1", ["zakończone"]), ("/wyniki bo2027", ["nie są jeszcze jawne"])])
    talk(moderator, [("/wyniki bo2027", ["Wyniki"]), ("/opublikuj bo2027", ["Opublikowano"])])
    talk(ania, [("/wyniki bo2027", ["Wyniki", "Budżet obywatelski 2027"])])
    results = services.results.results("bo2027").to_json()
    json.dumps(results)  # JSON-ready
    wesola = results["rounds"][0]["wesola"]
    assert wesola["ballots"] == 3


def test_commands_have_english_aliases_and_english_replies(
    talk: Callable[..., list[str]], load_example: Callable[..., str], console: Callable[..., ConsoleChannel]
) -> None:
    load_example("bo-warszawa-2027")
    emma = console("emma")
    talk(
        emma,
        [
            ("/language en", ["Language set to English"]),
            ("/start bo2027", ["Welcome!", "declare your district"]),
            ("/district bo2027 wesola", ["District saved"]),
            ("/vote city: 2", ["Your vote is recorded (", "Receipt:"]),
            ("/withdraw", ["withdrawn"]),
            ("/myvote", ["have not voted"]),
            ("/nonsense", ["I don't know the command /nonsense"]),
            ("hello", ["Commands start with"]),
        ],
    )
