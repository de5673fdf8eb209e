"""A person's own data: the export holds everything about them; erasure forgets them and keeps the counts."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.console import ConsoleChannel
from bot.domain import Channel
from bot.services import Services

Talk = Callable[..., list[str]]


def test_export_then_erase_keeps_the_vote_counted(
    talk: Talk,
    load_example: Callable[..., str],
    console: Callable[..., ConsoleChannel],
    services: Services,
    engine: Engine,
    tmp_path: Path,
) -> None:
    slug = load_example("bo-warszawa-2027")
    ania = console("ania.kowalska")
    answers = talk(
        ania,
        [
            ("/dzielnica bo2027 wesola", ["Zapisano"]),
            ("/glosuj bo2027 wesola: 12", ["Przyjęto"]),
            ("/moje_dane", ["wszystkie dane", "📎"]),
        ],
    )
    exported = json.loads(Path(answers[-1].split("📎 ")[1].strip()).read_text(encoding="utf-8"))
    assert exported["identities"] == [{"channel": "console", "address": "ania.kowalska"}]
    assert exported["ballots"] == [{"process": slug, "round": 1, "ballot": {"wesola": ["12"]}}]
    assert exported["eligibility"][0]["district"] == "wesola"
    talk(ania, [("/usun_dane", ["nieodwracalne", "/usun_dane TAK"]), ("/usun_dane TAK", ["zostały usunięte"])])
    assert services.people.find(Channel.CONSOLE, "ania.kowalska") is None
    with engine.connect() as connection:
        for table in ("person", "identity", "dialogue_state", "participation", "ballot"):
            dump = " ".join(str(row) for row in connection.execute(text(f"SELECT * FROM {table}")))
            assert "ania.kowalska" not in dump, table
    services.processes.close(slug)
    results = services.results.results(slug, moderator=True)
    assert results.rounds[0]["wesola"].row("12").votes == 1
    assert results.turnout.participants == 1
    # The same name writing again is a new person, with no vote.
    again = console("ania.kowalska")
    assert again.person_id != ania.person_id
    assert services.voting.current_ballot(slug, again.person_id) is None

    # /moje_dane after erasure shows nothing of what was erased: the account is new, with no data of its own.
    after = talk(again, [("/moje_dane", ["📎"])])
    fresh = json.loads(Path(after[-1].split("📎 ")[1].strip()).read_text(encoding="utf-8"))
    assert fresh["identities"] == [{"channel": "console", "address": "ania.kowalska"}]
    assert (fresh["ballots"], fresh["participation"], fresh["eligibility"], fresh["opinions"]) == ([], [], [], [])
    assert fresh["roles"] == [] and fresh["person"]["display_name"] == "ania.kowalska"
