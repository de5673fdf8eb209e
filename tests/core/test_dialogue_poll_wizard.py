"""The poll wizard on the console channel: one question at a time, bad answers asked again, nothing stored until
confirmed, and the poll it makes is a draft a resident can vote in once it is opened."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.console import ConsoleChannel
from bot.definition import load_definition_file
from bot.domain import BallotRuleKind, Phase, ProcessKind, ResultsVisibility
from bot.errors import InputError
from bot.services import Services

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

Talk = Callable[..., list[str]]


def test_a_moderator_builds_a_poll_step_by_step_and_a_resident_votes_in_it(
    talk: Talk, console: Callable[..., ConsoleChannel], services: Services
) -> None:
    moderator = console("moderator")
    talk(
        moderator,
        [
            ("/nowa_ankieta", ["Krok 1/5", "/anuluj"]),
            ("x" * 201, ["za długie: 201 znaków", "Krok 1/5"]),
            ("Ławki w Parku Jordana", ["Krok 2/5", "Ławki w Parku Jordana"]),
            ("Gdzie postawić nowe ławki?", ["Krok 3/5"]),
            ("Przy stawie", ["masz 1 opcję", "1. Przy stawie"]),
            ("gotowe", ["co najmniej 2 opcji", "1. Przy stawie"]),
            ("przy stawie", ["już jest na liście"]),
            ("Przy placu zabaw, Przy wejściu", ["Krok 4/5"]),
            ("2027-06-01 18:00", ["już minął", "Krok 4/5"]),
            ("jutro", ["Nie rozumiem terminu", "Krok 4/5"]),
            ("0", ["od 1 do 366"]),
            ("2027-07-01 18:00", ["Krok 5/5", "Na bieżąco", "Po publikacji"]),
            ("4", ["Wybierz jeden z przycisków"]),
            ("1", ["Sprawdź ankietę", "3. Przy wejściu", "01.07.2027, 18:00", "Wyniki: Na bieżąco"]),
        ],
    )
    assert services.processes.list() == []  # nothing stored before the confirmation
    talk(moderator, [("tak", ["jako szkic pod nazwą lawki-w-parku-jordana", "/otworz"])])
    info = services.processes.get("lawki-w-parku-jordana")
    assert (info.kind, info.phase, info.definition.results) == (ProcessKind.VOTE, Phase.DRAFT, ResultsVisibility.LIVE)
    assert info.definition.pools[0].ballot.rule is BallotRuleKind.ONE_OF
    assert [item.title.pl for item in info.definition.items] == ["Przy stawie", "Przy placu zabaw", "Przy wejściu"]
    assert info.closes_at == datetime(2027, 7, 1, 16, 0, tzinfo=UTC)  # 18:00 in Warsaw (summer time)
    talk(
        moderator, [("tak", ["Polecenia zaczynają się od"])]
    )  # the wizard is over: free text is not an answer any more
    talk(moderator, [("/otworz lawki-w-parku-jordana", ["Otwarto"])])
    talk(
        console("ania"),
        [
            ("/start lawki-w-parku-jordana", ["Gdzie postawić nowe ławki?", "/glosuj lawki-w-parku-jordana 1"]),
            (
                "/glosuj lawki-w-parku-jordana 2",
                ["Przyjęto Twój głos (Ławki w Parku Jordana):\n• 2. Przy placu zabaw\n"],
            ),
            ("/wyniki lawki-w-parku-jordana", ["Przy placu zabaw"]),
        ],
    )


def test_cancel_drops_the_poll_a_second_poll_gets_its_own_slug_and_residents_are_refused(
    talk: Talk, console: Callable[..., ConsoleChannel], services: Services
) -> None:
    moderator = console("moderator")
    talk(moderator, [("/nowa_ankieta Budżet", ["Krok 2/5"]), ("/anuluj", ["nic nie zostało zapisane"])])
    talk(moderator, [("Pytanie?", ["Polecenia zaczynają się od"]), ("/anuluj", ["Nie ma nic do przerwania"])])
    for _ in range(2):
        talk(
            moderator,
            [
                ("/new_poll", ["Krok 1/5"]),
                ("Budżet", []),
                ("Na co wydać?", []),
                ("A\nB, czyli C", ["Krok 4/5"]),  # one per line: the comma stays inside the option
                ("7", []),
                ("po publikacji", []),
                ("tak", ["szkic"]),
            ],
        )
    assert sorted(info.slug for info in services.processes.list()) == ["budzet", "budzet-2"]
    assert [item.title.pl for item in services.processes.get("budzet").definition.items] == ["A", "B, czyli C"]
    closes = services.processes.get("budzet").closes_at
    assert closes is not None and closes - services.context.clock.now() <= timedelta(days=7)
    resident = console("ania")
    talk(resident, [("/nowa_ankieta", ["tylko dla moderatorów"]), ("Tytuł", ["Polecenia zaczynają się od"])])
    talk(resident, [("/ogloszenie budzet Hej", ["tylko dla moderatorów"]), ("/udostepnij budzet", ["tylko dla"])])


def test_a_slug_taken_while_confirming_gets_the_next_number_and_the_other_draft_is_untouched(
    talk: Talk,
    console: Callable[..., ConsoleChannel],
    services: Services,
    load_example: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import bot.commands.poll_wizard as wizard

    if services.context.engine.dialect.name == "sqlite":
        pytest.skip("one writer: the command's unit holds SQLite's write lock, no other moderator gets in between")

    chosen = wizard.poll_slug
    raced: list[str] = []

    def another_moderator_is_faster(inv: Any, title: str) -> str:
        slug = chosen(inv, title)
        if not raced:  # between choosing the slug and creating the draft, someone creates that very slug
            raced.append(slug)
            other = load_definition_file(EXAMPLES / "uchwala-tak-nie.toml").model_copy(update={"slug": slug})
            # the other moderator's command is another unit of work: another thread, committed before ours goes on
            racer = threading.Thread(target=services.processes.import_definition, args=(other,))
            racer.start()
            racer.join()
        return slug

    monkeypatch.setattr(wizard, "poll_slug", another_moderator_is_faster)
    moderator = console("moderator")
    talk(
        moderator,
        [
            ("/nowa_ankieta Ławki", ["Krok 2/5"]),
            ("Gdzie?", []),
            ("Przy stawie, Przy wejściu", []),
            ("7", []),
            ("na bieżąco", []),
            ("tak", ["jako szkic pod nazwą lawki-2"]),
        ],
    )
    assert raced == ["lawki"]
    assert services.processes.get("lawki").kind is ProcessKind.VOTE
    assert services.processes.get("lawki").definition.title.pl != "Ławki"  # theirs, not overwritten
    assert services.processes.get("lawki-2").definition.title.pl == "Ławki"


def test_a_create_only_import_never_touches_an_existing_process(services: Services) -> None:
    definition = load_definition_file(EXAMPLES / "uchwala-tak-nie.toml")
    services.processes.import_definition(definition)
    changed = definition.model_copy(update={"secret": not definition.secret})
    with pytest.raises(InputError) as refused:
        services.processes.import_definition(changed, replace=False)
    assert refused.value.key == "process.exists"
    assert services.processes.get(definition.slug).definition.secret == definition.secret
