"""Two casts by one person at the same moment (a double tap, Telegram and e-mail at once): both are answered,
neither with an error, and exactly one ballot counts — on SQLite and on PostgreSQL, in a secret process (the
replaced ballot is deleted) and in an open one (it is kept as history)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from bot.definition import load_definition
from bot.domain import Channel
from bot.services import CastResult, Services

PAIRS = 50
DEFINITION = """
slug = "{slug}"
kind = "budget"
title = "Równoczesne głosy"
secret = {secret}
[eligibility]
mode = "open"
[[pools]]
key = "city"
budget = 1_000_000
ballot = {{ rule = "up_to", max = 2 }}
counting = {{ rule = "greedy" }}
[[items]]
key = "1"
kind = "project"
pool = "city"
cost = 100_000
title = "Ławki"
[[items]]
key = "2"
kind = "project"
pool = "city"
cost = 200_000
title = "Drzewa"
"""


@pytest.mark.parametrize("secret", [True, False], ids=["secret", "open-history"])
def test_fifty_simultaneous_pairs_leave_one_counted_ballot_each(services: Services, secret: bool) -> None:
    slug = "rownoczesne-tajne" if secret else "rownoczesne-jawne"
    services.processes.import_definition(load_definition(DEFINITION.format(slug=slug, secret=str(secret).lower())))
    services.processes.open(slug)
    people = [services.people.identify(Channel.TELEGRAM, str(5000 + n)).person_id for n in range(PAIRS)]
    # Half the voters already have a ballot, so both races are tried: two first ballots, and two changes.
    for person in people[::2]:
        services.voting.cast(slug, person, {"city": ["1", "2"]}, Channel.TELEGRAM)

    def pair(person: int) -> list[CastResult]:
        start = threading.Barrier(2)

        def cast(choice: str, channel: Channel) -> CastResult:
            start.wait()
            return services.voting.cast(slug, person, {"city": [choice]}, channel)

        with ThreadPoolExecutor(2) as pool:
            futures = [pool.submit(cast, "1", Channel.TELEGRAM), pool.submit(cast, "2", Channel.EMAIL)]
            return [future.result() for future in futures]  # an error in either cast fails the test here

    for person in people:
        first, second = pair(person)
        counted = services.voting.current_ballot(slug, person)
        # Whichever committed last counts, and its receipt verifies; the other one's no longer does.
        assert counted in ({"city": ["1"]}, {"city": ["2"]})
        winner, loser = (first, second) if counted == {"city": ["1"]} else (second, first)
        assert services.voting.verify_receipt(slug, winner.receipt)
        assert not services.voting.verify_receipt(slug, loser.receipt)
        assert winner.replaced  # it replaced the other one (or the earlier ballot)
    with services.context.reading() as connection:
        current = connection.execute(
            text(
                "SELECT count(*), count(DISTINCT ballot_key) FROM ballot "
                "JOIN process ON process.id = ballot.process_id "
                "WHERE process.slug = :slug AND ballot.is_current AND NOT ballot.withdrawn"
            ),
            {"slug": slug},
        ).one()
        rows = connection.execute(
            text("SELECT count(*) FROM ballot JOIN process ON process.id = ballot.process_id WHERE process.slug = :s"),
            {"s": slug},
        ).scalar_one()
    assert tuple(current) == (PAIRS, PAIRS)
    # a secret process keeps only the counted ballots; an open one keeps every revision as history
    assert rows == PAIRS if secret else rows == PAIRS * 2 + PAIRS // 2
    services.processes.close(slug)
    assert services.results.turnout(slug).participants == PAIRS
