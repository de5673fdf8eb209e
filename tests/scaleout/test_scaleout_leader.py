"""One leader at a time on PostgreSQL (a session advisory lock), takeover when it dies, and a leader that loses its
connection stops leading; on SQLite the only process always leads."""

from __future__ import annotations

import time
from collections.abc import Iterator

import psycopg
import pytest

from bot.scheduling.leader import WHO_LEADS, PostgresLeadership, SoleLeader, leadership
from storage.engine import normalize_url


def libpq_url(url: str) -> str:
    return normalize_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class Duties:
    """Records the on_lead / on_follow calls of one contender."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def lead(self) -> None:
        self.events.append("lead")

    def follow(self) -> None:
        self.events.append("follow")


@pytest.fixture
def contenders(pg_url: str) -> Iterator[list[tuple[PostgresLeadership, Duties]]]:
    made: list[tuple[PostgresLeadership, Duties]] = []
    for _ in range(3):
        duties = Duties()
        # retry is long: the tests drive the rounds themselves with poll()
        made.append((PostgresLeadership(pg_url, duties.lead, duties.follow, retry=3600), duties))
    yield made
    for contender, _ in made:
        contender.stop()


def _leaders(contenders: list[tuple[PostgresLeadership, Duties]]) -> list[int]:
    return [n for n, (contender, _) in enumerate(contenders) if contender.leading]


def test_exactly_one_of_three_leads_and_another_takes_over_when_it_stops(
    contenders: list[tuple[PostgresLeadership, Duties]],
) -> None:
    for contender, _ in contenders:
        contender.poll()
    assert _leaders(contenders) == [0]
    assert [duties.events for _, duties in contenders] == [["lead"], [], []]
    for _ in range(3):  # followers keep trying; nothing changes while the leader lives
        for contender, _ in contenders:
            contender.poll()
    assert _leaders(contenders) == [0]

    contenders[0][0].stop()  # its session ends: the lock is free
    assert contenders[0][1].events == ["lead", "follow"]
    for contender, _ in contenders[1:]:
        contender.poll()
    assert _leaders(contenders) == [1]
    assert contenders[2][1].events == []


def test_a_leader_whose_connection_is_ended_stops_leading(
    pg_url: str, contenders: list[tuple[PostgresLeadership, Duties]]
) -> None:
    (first, first_duties), (second, second_duties) = contenders[:2]
    first.poll()
    second.poll()
    assert (first.leading, second.leading) == (True, False)
    assert first._connection is not None
    backend = first._connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    first._connection.commit()
    with psycopg.connect(libpq_url(pg_url), autocommit=True) as admin:
        # The operator (or a failover) ends the leader's session; the lock goes with it.
        admin.execute("SELECT pg_terminate_backend(%s)", (backend,))
        for _ in range(200):  # the signal is asynchronous: wait until the session is really gone
            if admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (backend,)).fetchone() == (0,):
                break
            time.sleep(0.01)
        assert second.poll() is True  # the follower gets the free lock at its next round
        assert first.poll() is False  # the old leader notices at its next health check
        assert first_duties.events == ["lead", "follow"]
        assert second_duties.events == ["lead"]
        assert first.poll() is False  # and competes again, without taking the lock from the new leader
        names = [row[0] for row in admin.execute(WHO_LEADS).fetchall()]
    assert len([name for name in names if name.startswith("glos-leader:")]) >= 1


def test_a_running_follower_takes_over_by_itself_within_its_retry(pg_url: str) -> None:
    first_duties, second_duties = Duties(), Duties()
    first = PostgresLeadership(pg_url, first_duties.lead, first_duties.follow, retry=0.2).start()
    second = PostgresLeadership(pg_url, second_duties.lead, second_duties.follow, retry=0.2).start()
    try:
        assert (first.leading, second.leading) == (True, False)
        first.stop()
        for _ in range(100):  # the follower's own thread tries every 0.2 s
            if second.leading:
                break
            time.sleep(0.05)
        assert second.leading
        assert second_duties.events == ["lead"]
    finally:
        first.stop()
        second.stop()
    assert second_duties.events == ["lead", "follow"]


def test_sqlite_has_one_process_which_always_leads(tmp_path: object) -> None:
    duties = Duties()
    sole = leadership(f"sqlite:///{tmp_path}/glos.db", duties.lead, duties.follow)
    assert isinstance(sole, SoleLeader)
    assert sole.start().leading
    sole.stop()
    assert duties.events == ["lead", "follow"]
