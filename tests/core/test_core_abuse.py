"""Anti-abuse signals on a fake clock, on SQLite and PostgreSQL: bursts of new people, of first ballots from one
invite-code batch and from one district; steady load is not a burst; the ballot table is never read; moderators
see the signals with /sygnaly and in the daily digest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from bot.clock import FakeClock
from bot.console import ConsoleChannel
from bot.domain import Ballot, Channel, RoleName
from bot.scheduling.digest import send_digest
from bot.services import Services
from bot.services.abuse import AbuseThresholds, AbuseWatch, Count, SignalKind, configure, detect, thresholds_for
from storage.models import OutboxMessage

END = datetime(2027, 6, 20, 12, 0, tzinfo=UTC)
SMALL = AbuseThresholds(
    window_minutes=60, baseline_days=1, baseline_factor=3.0, min_new_identities=10, min_batch_ballots=10,
    min_district_ballots=10,
)  # fmt: skip
SCORES: Ballot = {"main": {"t1": 4, "t2": 5, "t3": 6, "t4": 7}}


def test_a_count_is_a_signal_only_at_the_minimum_and_well_above_the_usual() -> None:
    def count(in_window: int, in_baseline: int) -> Count:
        return Count(SignalKind.NEW_IDENTITIES, "telegram", "", in_window, in_baseline)

    # baseline of one day = 24 windows of an hour: 240 before means 10 an hour usually
    assert detect([count(9, 0)], SMALL, END) == []  # under the minimum, however unusual
    [signal] = detect([count(10, 0)], SMALL, END)
    assert (signal.count, signal.usual, signal.window_end) == (10, 0, END)
    assert detect([count(29, 240)], SMALL, END) == []  # busy, but under 3 × usual
    [busy] = detect([count(30, 240)], SMALL, END)
    assert busy.usual == 10
    ordered = detect([count(12, 0), Count(SignalKind.DISTRICT_BALLOTS, "wesola", "bo2027", 40, 0)], SMALL, END)
    assert [s.count for s in ordered] == [40, 12]
    with pytest.raises(ValueError):
        AbuseThresholds(min_batch_ballots=0)


def _newcomers(
    services: Services, clock: FakeClock, channel: Channel, count: int, start: datetime, step: timedelta
) -> None:
    """``count`` people seen for the first time on ``channel``, one every ``step`` from ``start``."""
    for number in range(count):
        clock.set(start + number * step)
        serial = int(start.timestamp()) % 10**6 * 1000 + number
        address = str(serial) if channel is Channel.TELEGRAM else f"osoba{serial}@example.pl"
        services.people.identify(channel, address)


def test_a_burst_of_new_people_is_a_signal_but_a_steady_stream_is_not(services: Services, clock: FakeClock) -> None:
    watch = AbuseWatch(services.context, SMALL)
    # The day before: 8 new Telegram people an hour, every hour.
    _newcomers(services, clock, Channel.TELEGRAM, 192, END - timedelta(hours=25), timedelta(minutes=7.5))
    _newcomers(services, clock, Channel.TELEGRAM, 12, END - timedelta(minutes=50), timedelta(minutes=4))
    _newcomers(services, clock, Channel.EMAIL, 4, END - timedelta(minutes=30), timedelta(minutes=1))
    assert watch.signals(END) == []  # 12 in the hour, usually 8: not three times as many
    _newcomers(services, clock, Channel.TELEGRAM, 20, END - timedelta(minutes=20), timedelta(seconds=30))
    [signal] = watch.signals(END)
    assert (signal.kind, signal.subject, signal.count, signal.usual) == (SignalKind.NEW_IDENTITIES, "telegram", 32, 8)
    # An hour later the burst is out of the current window, but the last day still shows it.
    assert watch.signals(END + timedelta(hours=1, minutes=1)) == []
    [remembered] = watch.recent(24, END + timedelta(hours=1, minutes=1))
    assert remembered.count == 32


def test_first_ballots_from_one_batch_of_codes_are_a_signal(
    services: Services, clock: FakeClock, load_example: Callable[..., str]
) -> None:
    slug = load_example("sondaz-deliberatywny-transport")
    start = clock.now()
    seniors = services.eligibility.issue_codes(slug, 14, batch="Rada Seniorów")
    school = services.eligibility.issue_codes(slug, 4, batch="Szkoła nr 3")
    for number, code in enumerate(seniors + school):
        clock.set(start + timedelta(minutes=2 * number))
        person = services.people.identify(Channel.TELEGRAM, str(600_000 + number))
        services.eligibility.redeem_code(slug, person.person_id, code)
        services.voting.cast(slug, person.person_id, SCORES, Channel.TELEGRAM)
        services.voting.cast(slug, person.person_id, SCORES, Channel.TELEGRAM)  # a changed vote is not a new one
    now = clock.now()
    signals = AbuseWatch(services.context, SMALL).signals(now)
    assert [(s.kind, s.process, s.subject, s.count) for s in signals] == [
        (SignalKind.NEW_IDENTITIES, "", "telegram", 18),  # all of them were new, too
        (SignalKind.BATCH_BALLOTS, slug, "Rada Seniorów", 14),
    ]


def test_first_ballots_in_one_district_are_a_signal(
    services: Services, clock: FakeClock, load_example: Callable[..., str]
) -> None:
    slug = load_example("bo-warszawa-2027")
    start = clock.now()
    for number, district in enumerate(["wesola"] * 11 + ["ursynow"] * 3):
        clock.set(start + timedelta(minutes=3 * number))
        person = services.people.identify(Channel.EMAIL, f"osoba{number}@example.pl")
        services.eligibility.declare_district(slug, person.person_id, district)
        services.voting.cast(slug, person.person_id, {"city": ["1"]}, Channel.EMAIL)
    signals = AbuseWatch(services.context, SMALL).signals(clock.now())
    assert [(s.kind, s.subject, s.count) for s in signals] == [
        (SignalKind.NEW_IDENTITIES, "email", 14),
        (SignalKind.DISTRICT_BALLOTS, "wesola", 11),
    ]


@pytest.fixture
def statements(services: Services) -> Iterator[list[str]]:
    """Every SQL statement the store runs while the test body runs."""
    seen: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement.lower())

    engine = services.context.engine
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_the_signals_never_read_the_ballots(
    services: Services, load_example: Callable[..., str], statements: list[str]
) -> None:
    load_example("bo-warszawa-2027")
    statements.clear()
    AbuseWatch(services.context, SMALL).recent(3)
    assert statements and all("ballot " not in s and "ballot\n" not in s and '"ballot"' not in s for s in statements)
    assert any("participation" in s for s in statements)


def test_moderators_see_signals_with_the_command_and_in_the_digest(
    services: Services, clock: FakeClock, console: Callable[..., ConsoleChannel], load_example: Callable[..., str]
) -> None:
    slug = load_example("bo-warszawa-2027")
    assert thresholds_for(services.context) == AbuseThresholds()
    configure(services.context, SMALL)
    assert thresholds_for(services.context) is SMALL
    moderator = console("moderator")
    assert "Brak sygnałów z ostatnich 24 godz." in "\n".join(moderator.handle("/sygnaly"))
    assert "1 do 168" in "\n".join(moderator.handle("/sygnaly tydzień"))
    start = clock.now()
    for number in range(12):
        clock.set(start + timedelta(minutes=number))
        person = services.people.identify(Channel.TELEGRAM, str(700_000 + number))
        services.eligibility.declare_district(slug, person.person_id, "bemowo")
        services.voting.cast(slug, person.person_id, {"city": ["1"]}, Channel.TELEGRAM)
    answer = "\n".join(moderator.handle("/sygnaly"))
    assert "Nowe osoby (Telegram): 12 w 60 min" in answer, answer
    assert f"{slug}: pierwsze głosy w dzielnicy Bemowo: 12 w 60 min" in answer
    assert "nic nie zostało zablokowane" in answer
    english = "\n".join(console("moderator", language="en").handle("/signals 2"))
    assert "first ballots in district Bemowo: 12 in 60 min" in english, english
    services.people.grant(None, Channel.TELEGRAM, "900", RoleName.MODERATOR)  # the digest goes to Telegram or e-mail
    assert send_digest(services, clock.now().date()) == 1
    with services.context.transaction() as session:
        [digest] = session.exec(select(OutboxMessage).where(OutboxMessage.purpose == "digest")).all()
    assert "Sygnały możliwych nadużyć (ostatnia doba" in str(digest.payload)
    assert "pierwsze głosy w dzielnicy Bemowo: 12" in str(digest.payload)


def test_windows_are_open_at_the_start_and_closed_at_the_end(services: Services, clock: FakeClock) -> None:
    """Window k is (end - (k+1)·w, end - k·w]: the SQL window numbers agree with that to the second."""
    every = AbuseThresholds(window_minutes=60, baseline_days=0, baseline_factor=0, min_new_identities=1)
    watch = AbuseWatch(services.context, every)
    clock.set(END)
    services.people.identify(Channel.TELEGRAM, "31337")
    assert [s.count for s in watch.signals(END)] == [1]  # at the very end: in
    assert [s.count for s in watch.signals(END + timedelta(minutes=59, seconds=59))] == [1]
    assert watch.signals(END + timedelta(hours=1)) == []  # at the very start: out
    assert watch.signals(END - timedelta(seconds=1)) == []
    [late] = watch.recent(3, END + timedelta(hours=2, minutes=30))
    assert late.window_end == END + timedelta(minutes=30)
