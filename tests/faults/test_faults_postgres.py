"""The PostgreSQL connection dropped: ``pg_terminate_backend`` of every connection of ``glos run`` (by its
``application_name``), again and again, during a burst of Telegram ballots and a reminder broadcast. The bot
keeps running (``pool_pre_ping`` replaces dead idle connections; the sender, the scheduler and the adapter's
catch-all outlive a failed transaction), and nothing acknowledged is lost or doubled: a voter whose command
failed is told to try again (``error.internal``) and does, the last receipt each voter saw is on the one
ballot row they have (the secret vote keeps no replaced ballot), no reminder arrives twice."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlmodel import col

from bot.domain import Channel
from handlers.emulator import Emulator, EmulatorServer
from storage.models import OutboxMessage

from .conftest import VOTE, BotProcess, figures, prepare_store, receipts, wait_until

pytestmark = [
    pytest.mark.faults,
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("GLOS_TEST_DATABASE_URL"), reason="GLOS_TEST_DATABASE_URL is not set"),
]

BALLOTS = 600
REMINDERS = 2000
DROPS = 6
VOTERS = 400_000
REMINDED = 500_000
SORRY = "Coś poszło nie tak"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_bot_survives_dropped_postgresql_connections(
    tmp_path: Path, database_url: str, emulator: Emulator, emulator_server: EmulatorServer
) -> None:
    bot_url = make_url(database_url)
    schema = bot_url.query["application_name"]
    assert isinstance(schema, str)
    # The test reads the store under another name, so only the bot's connections are dropped.
    own_url = bot_url.update_query_dict({"application_name": schema + "_checks"}).render_as_string(False)
    voters = range(VOTERS, VOTERS + BALLOTS)
    reminded = range(REMINDED, REMINDED + REMINDERS)
    for user in (*voters, *reminded):
        emulator.user(user, f"U{user}")
    store = prepare_store(own_url, reminded=reminded, folder=tmp_path)
    bot = BotProcess(tmp_path, storage_url=database_url, api_url=emulator_server.url)
    bot.start()
    admin = make_url(os.environ["GLOS_TEST_DATABASE_URL"]).set(drivername="postgresql").render_as_string(False)

    sends: Counter[int] = Counter()
    done = threading.Event()

    def push() -> None:
        for user in voters:
            emulator.send_text(user, f"/glosuj {VOTE} q1: TAK")
            sends[user] += 1
            time.sleep(1 / 40)
        done.set()

    producer = threading.Thread(target=push, daemon=True)
    started = time.monotonic()
    producer.start()
    terminated = 0
    with psycopg.connect(admin, autocommit=True) as connection:
        for _drop in range(DROPS):
            time.sleep(2.5)
            rows = connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s", (schema,)
            ).fetchall()
            terminated += sum(1 for (ok,) in rows if ok)
    producer.join(timeout=120)
    assert bot.alive(), bot.tail()

    # A voter told "something went wrong, try again" (or not answered) tries again, as a person would.
    resent = 0
    for _round in range(3):
        wait_until(lambda: emulator.pending_updates() == 0, 120, "the bot to fetch every update")
        time.sleep(3)
        unanswered = [user for user in voters if not receipts(emulator, user)]
        if not unanswered:
            break
        for user in unanswered:
            emulator.send_text(user, f"/glosuj {VOTE} q1: TAK")
            sends[user] += 1
        resent += len(unanswered)

    def drained() -> bool:
        queued = store.count(
            select(func.count()).select_from(OutboxMessage).where(col(OutboxMessage.purpose) == "reminder")
        )
        return queued == REMINDERS and store.services.outbox.stats().unsent == 0

    recovery = wait_until(drained, 240, "the reminders to be sent", pause=1.0)
    seconds = time.monotonic() - started
    assert bot.alive(), bot.tail()
    bot.stop()

    doubled = 0
    for user in voters:
        seen = receipts(emulator, user)
        store.receipts_hold(seen)
        person = store.person_of(Channel.TELEGRAM, str(user))
        assert person is not None
        assert store.revisions(VOTE, person) == 1, f"voter {user} has not exactly one ballot"
        doubled += max(0, len(seen) - sends[user])
    reminders_doubled = sum(max(0, len(emulator.received(user)) - 1) for user in reminded)
    sorry = sum(1 for user in voters for m in emulator.received(user) if SORRY in m.text)
    figures(
        "postgres_drop",
        drops=DROPS,
        connections_terminated=terminated,
        ballots_sent=sum(sends.values()),
        errors_shown_then_resent=sorry,
        resent=resent,
        receipts=sum(len(receipts(emulator, user)) for user in voters),
        ballot_duplicates=doubled,
        reminders=REMINDERS,
        reminder_duplicates=reminders_doubled,
        outbox_unsent=store.services.outbox.stats().unsent,
        reminders_interrupted=store.services.outbox.stats().given_up,
        drain_after_drops_s=f"{recovery:.0f}",
        total_s=f"{seconds:.0f}",
    )
    assert doubled == 0 and reminders_doubled == 0
    store.close()
