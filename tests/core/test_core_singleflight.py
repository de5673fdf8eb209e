"""Concurrent requests for the same results share one count (single-flight), through the real services."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import bot.services.results as results_module
from bot.domain import Channel
from bot.services import Services
from bot.services.singleflight import SingleFlight


def test_twelve_concurrent_requests_count_once(
    services: Services, load_example: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    slug = load_example("zielony-budzet-wieliczka")
    for i in range(3):
        person = services.people.identify(Channel.TELEGRAM, str(500 + i)).person_id
        services.voting.cast(slug, person, {"main": ["1", "2"]}, Channel.TELEGRAM)
    services.processes.close(slug)
    counted: list[str] = []
    real_count = results_module.count_pool
    flights: SingleFlight[Any] = services.results._flights
    key = (slug, True, services.results.stamp(slug))

    def counting(pool: Any, *args: Any, **kwargs: Any) -> Any:
        counted.append(pool.key)
        # The leader counts only once the eleven others are waiting for it.
        while flights.followers(key) < 11:
            threading.Event().wait(0.001)
        return real_count(pool, *args, **kwargs)

    monkeypatch.setattr(results_module, "count_pool", counting)
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda _: services.results.results(slug, moderator=True), range(12)))
    assert counted == ["main"]  # one pool, counted once
    assert all(answer is answers[0] for answer in answers)
    assert answers[0].rounds[0]["main"].ballots == 3


def test_an_error_reaches_every_waiting_caller_and_the_next_call_computes_afresh() -> None:
    flights: SingleFlight[int] = SingleFlight()
    calls: list[int] = []

    def failing() -> int:
        calls.append(1)
        while flights.followers("k") < 3:
            threading.Event().wait(0.001)
        raise ValueError("boom")

    def call() -> str:
        try:
            flights.run("k", failing)
        except ValueError as error:
            return str(error)
        return "no error"

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(lambda _: call(), range(4))) == ["boom"] * 4
    assert calls == [1]
    assert flights.run("k", lambda: 7) == 7
