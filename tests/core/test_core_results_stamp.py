"""The results stamp moves with every cast, change and withdrawal in a secret process too, whose ballot ids are
random and whose changed ballots replace their rows: the public results cache never serves a stale count."""

from __future__ import annotations

from bot.definition import load_definition
from bot.domain import Channel
from bot.services import Services
from bot.web.results_cache import ResultsCache

LIVE_SECRET = """
slug = "na-zywo"
kind = "vote"
title = "Głosowanie na żywo"
secret = true
results = "live"
[eligibility]
mode = "open"
[[pools]]
key = "main"
ballot = { rule = "one_of" }
counting = { rule = "plurality" }
[[items]]
key = "a"
kind = "option"
title = "Tak"
[[items]]
key = "b"
kind = "option"
title = "Nie"
"""


def test_every_change_in_a_secret_process_moves_the_stamp_and_the_cached_results(services: Services) -> None:
    services.processes.import_definition(load_definition(LIVE_SECRET))
    services.processes.open("na-zywo")
    cache = ResultsCache(services)
    people = [services.people.identify(Channel.TELEGRAM, str(700 + n)).person_id for n in range(12)]
    stamps = [services.results.stamp("na-zywo")]

    def votes() -> dict[str, int]:
        results = cache.results("na-zywo")
        assert results is not None
        return {row.item: row.votes for row in results.rounds[0]["main"].rows}

    for person in people:
        services.voting.cast("na-zywo", person, {"main": ["a"]}, Channel.TELEGRAM)
        stamps.append(services.results.stamp("na-zywo"))
    assert votes() == {"a": 12, "b": 0}
    for number, person in enumerate(people, start=1):  # each change deletes a row and inserts one
        services.voting.cast("na-zywo", person, {"main": ["b"]}, Channel.TELEGRAM)
        stamps.append(services.results.stamp("na-zywo"))
        assert votes() == {"a": 12 - number, "b": number}
    services.voting.withdraw("na-zywo", people[0], Channel.TELEGRAM)
    stamps.append(services.results.stamp("na-zywo"))
    assert votes() == {"a": 0, "b": 11}
    assert len(set(stamps)) == len(stamps)
