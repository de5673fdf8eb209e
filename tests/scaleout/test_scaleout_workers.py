"""``glos serve`` with 3 worker processes behind one port on PostgreSQL, webhook mode, the Bot API emulator
playing Telegram: every vote stored once and answered once whichever worker took it; the leader killed with
SIGKILL is replaced within 30 s, its scheduler runs on the new leader, and the outbox is sent once."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bench.cluster import SECRET, Cluster
from bot.app import App, build_app, load_example_organisations
from bot.config import BotSettings, Settings, StorageSettings
from bot.definition import load_definition_file
from bot.domain import Channel
from bot.replies import Reply
from bot.services.outbox import reply_payload
from handlers.emulator import Emulator, EmulatorServer
from handlers.emulator.flood import FloodLimits

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "bo-warszawa-2027.toml"
VOTERS = 60
FIRST = 70_000
VOTE = "/glosuj bo2027 city: 1, 2; wesola: 10"


@pytest.fixture
def store(pg_url: str) -> Iterator[App]:
    app = build_app(Settings(storage=StorageSettings(url=pg_url), bot=BotSettings(admins=[])), secret=SECRET.encode())
    definition = load_definition_file(EXAMPLE)
    load_example_organisations(app.services, EXAMPLE.parent)
    app.services.processes.import_definition(definition)
    app.services.processes.open(definition.slug)
    for uid in range(FIRST, FIRST + VOTERS):
        person = app.services.people.identify(Channel.TELEGRAM, str(uid))
        app.services.eligibility.declare_district("bo2027", person.person_id, "wesola")
    yield app
    app.close()


def _until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.1)
    return time.monotonic() - started


def _announce(app: App, tag: str) -> None:
    for uid in range(FIRST, FIRST + VOTERS):
        app.services.outbox.enqueue(
            key=f"{tag}:{uid}",
            channel=Channel.TELEGRAM,
            address=str(uid),
            purpose="announcement",
            payload=reply_payload(Reply(f"Ogłoszenie {tag}")),
        )


def _heartbeat(app: App) -> datetime | None:
    with app.engine.connect() as connection:
        value = connection.execute(text("SELECT finished_at FROM scheduler_job_run WHERE job_id = 'tick'")).scalar()
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


def test_three_workers_share_the_webhook_and_a_new_leader_takes_over(pg_url: str, store: App, tmp_path: Path) -> None:
    emulator = Emulator("123456:SCALEOUT", limits=FloodLimits.off())
    for uid in range(FIRST, FIRST + VOTERS):
        emulator.user(uid)
    api = EmulatorServer(emulator).start()
    cluster = Cluster(tmp_path, pg_url, api.url, emulator.token, workers=3, retry=1.0)
    try:
        cluster.start()
        assert emulator.webhook_url == f"{cluster.url}/telegram/webhook"
        assert len(set(cluster.worker_pids().values())) == 3

        # Votes through the webhook: the emulator opens a connection per update, the kernel spreads them.
        for uid in range(FIRST, FIRST + VOTERS):
            emulator.send_text(uid, VOTE)
        everyone = range(FIRST, FIRST + VOTERS)
        _until(lambda: all(emulator.received(uid) for uid in everyone), 90, "every voter answered")
        with store.engine.connect() as connection:
            ballots = connection.execute(text("SELECT count(*) FROM ballot")).scalar_one()
        assert ballots == VOTERS
        assert all(status == 200 for _, status in emulator.deliveries)

        # The outbox goes out from the leader, once per recipient.
        _announce(store, "first")
        _until(lambda: all(len(emulator.received(uid)) == 2 for uid in everyone), 60, "first announcement")

        leader = cluster.leader_pid()
        assert leader is not None
        before = _heartbeat(store)
        assert before is not None  # the leader's scheduler ticked
        os.kill(leader, signal.SIGKILL)
        killed_at = datetime.now(UTC)
        took = _until(
            lambda: cluster.leader_pid() not in (None, leader), 30, "another worker leads after the leader was killed"
        )
        assert took < 30
        # The new leader's scheduler ticks at once (catching up) and its outbox sender takes over.
        _until(lambda: (_heartbeat(store) or before) > killed_at, 30, "the new leader's scheduler ticked")
        _announce(store, "second")
        _until(lambda: all(len(emulator.received(uid)) == 3 for uid in everyone), 60, "second announcement")
        # The supervisor restarted the killed worker: three again, one leader.
        _until(lambda: len(set(cluster.worker_pids().values()) - {leader}) == 3, 60, "the killed worker restarted")
        time.sleep(1.5)  # anything sent twice would have arrived by now
        for uid in everyone:
            texts = [message.text for message in emulator.received(uid)]
            assert len(texts) == 3, (uid, texts)
            assert texts[1:] == ["Ogłoszenie first", "Ogłoszenie second"], (uid, texts)
    finally:
        status = cluster.stop()
        api.stop()
    assert status == 0, cluster.output()
    assert "ended with -9; restarting" in cluster.output()
