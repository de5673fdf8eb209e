"""Counting never blocks voting: while a count is under way, ballots, opinions and e-mail replies are accepted.

The count is made deliberately slow by holding it *inside* the counting step (after the read snapshot was
taken, before it returns) until everything else is done — no sleeping, no timing. Before the fix the count
ran under ``BEGIN IMMEDIATE``: on SQLite every cast then waited for the write lock and failed with "database is
locked". Runs on SQLite and PostgreSQL (the ``database_url`` fixture), with the mail fixtures' real processor.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import bot.services.results as results_module
from bot.definition import load_definition_file
from bot.domain import Channel
from tests.mail.conftest import ROOT

COUNTED = "zielony-liczony-2027"
OPEN = "zielony-budzet-wieliczka-2027"


def _green(slug: str, mailroom: Any) -> None:
    definition = load_definition_file(ROOT / "examples" / "zielony-budzet-wieliczka.toml")
    opens = mailroom.clock.now().replace(hour=0)
    closes = opens.replace(day=opens.day + 3)
    mailroom.services.processes.import_definition(
        definition.model_copy(update={"slug": slug, "opens_at": opens, "closes_at": closes})
    )
    mailroom.services.processes.open(slug)


def test_a_slow_count_blocks_no_ballot_opinion_or_reply(mailroom: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    services = mailroom.services
    _green(COUNTED, mailroom)
    _green(OPEN, mailroom)
    for i in range(5):
        person = services.people.identify(Channel.TELEGRAM, str(9000 + i)).person_id
        services.voting.cast(COUNTED, person, {"main": ["1", "4"] if i % 2 else ["2"]}, Channel.TELEGRAM)
    services.processes.close(COUNTED)

    inside, release = threading.Event(), threading.Event()
    real_count = results_module.count_pool

    def slow_count(*args: Any, **kwargs: Any) -> Any:
        inside.set()
        assert release.wait(120), "the test never released the count"
        return real_count(*args, **kwargs)

    monkeypatch.setattr(results_module, "count_pool", slow_count)
    with ThreadPoolExecutor(max_workers=1) as pool:
        counting = pool.submit(services.results.results, COUNTED, moderator=True)
        assert inside.wait(60), "the count never started"
        try:
            accepted = []
            for i in range(100):
                person = services.people.identify(Channel.TELEGRAM, str(10_000 + i)).person_id
                accepted.append(services.voting.cast(OPEN, person, {"main": ["3", "5"]}, Channel.TELEGRAM))
            jan = mailroom.person("jan.kowalski@example.pl")
            opinions = [
                services.opinions.submit("program-wspolpracy-2027", jan, f"Uwaga nr {i + 1}.", Channel.EMAIL)
                for i in range(20)
            ]
            replies = [
                mailroom.processor.process(mailroom.reply("uchwala1: TAK\nuchwala2: NIE\nuchwala3: TAK\n"))
                for _ in range(20)
            ]
            assert not counting.done()  # all of the above happened while the count was still running
        finally:
            release.set()
        results = counting.result(timeout=120)

    assert len(accepted) == 100 and len(set(opinions)) == 20
    assert [(r.kind, r.folder) for r in replies] == [("accepted", "processed")] * 20
    assert services.results.turnout(OPEN).participants == 100
    assert results.turnout.participants == 5 and results.rounds[0]["main"].ballots == 5
