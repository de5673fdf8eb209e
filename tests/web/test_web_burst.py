"""The issue's burst against a real server: 24 concurrent GETs of results, charts and exports, 0 errors.

A fresh web app served by uvicorn on loopback (``ThreadedServer``), over the SQLite file or PostgreSQL store,
gets at once 6 × the green budget's JSON results, 6 × its chart, 6 × its ``.pb`` export and 6 × the Warsaw
budget's chart, while ballots are cast in an open process. Before counting moved out of write transactions this
gave 23 × HTTP 500 ("database is locked") and a hung request; now every answer is 200 and the count ran once
per process. A short version of ``bench/load.py`` (few clients, bounded): it asserts no errors, never timings.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx

from bot.config import Settings
from bot.domain import Channel
from bot.services import Services
from bot.web.app import create_web_app
from bot.web.serve import ThreadedServer


def _vote(services: Services, slug: str, name: str, ballot: dict[str, list[str]], district: str | None = None) -> None:
    person = services.people.identify(Channel.CONSOLE, name)
    if district:
        services.eligibility.declare_district(slug, person.person_id, district)
    services.voting.cast(slug, person.person_id, ballot, Channel.CONSOLE)  # type: ignore[arg-type]


def test_twenty_four_concurrent_gets_while_voting_goes_on(
    services: Services, load_example: Callable[[str], str]
) -> None:
    # Each example opens at its own date and load_example moves the clock there: vote in each before the next.
    green = load_example("zielony-budzet-wieliczka")
    for n, ballot in enumerate((["3", "4", "6", "1", "5", "8"], ["6", "5"], ["4"], ["2"], ["7", "1", "2"], ["1"])):
        _vote(services, green, f"g{n}", {"main": ballot})
    services.processes.close(green)
    services.processes.publish(green)
    warsaw = load_example("bo-warszawa-2027")
    for n in range(3):
        _vote(services, warsaw, f"w{n}", {"wesola": ["12", "13"], "city": ["2"]}, "wesola")
    services.processes.close(warsaw)
    services.processes.publish(warsaw)
    open_one = load_example("bo-krakow-2027")
    krakow_items = [item.key for item in services.processes.get(open_one).definition.items_of("miasto")]

    def cast_twenty() -> None:
        for n in range(20):
            _vote(services, open_one, f"k{n}", {"miasto": krakow_items[:3]}, "krowodrza")

    server = ThreadedServer(create_web_app(services, Settings())).start()
    urls = [f"/api/processes/{green}/results", f"/p/{green}/chart.png", f"/api/processes/{green}/export.pb"]
    urls = [url for url in urls for _ in range(6)] + [f"/p/{warsaw}/chart.png"] * 6
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client, ThreadPoolExecutor(max_workers=25) as pool:
            casting = pool.submit(cast_twenty)
            answers = list(pool.map(client.get, urls))
            casting.result(timeout=120)
            index = client.get("/")
    finally:
        server.stop()
    assert [answer.status_code for answer in answers] == [200] * 24
    assert index.status_code == 200
    assert answers[0].json()["rounds"][0]["main"]["ballots"] == 6
    assert all(answer.content.startswith(b"\x89PNG") for answer in answers[6:12] + answers[18:])
    assert all(answer.text.startswith("META") for answer in answers[12:18])
    assert services.results.turnout(open_one).participants == 20
