"""Anti-abuse signals for moderators: bursts of new identities, and of first ballots from one invite-code batch or
one district. A signal is a hint to look closer (``/frekwencja``, ``/kody``), never a verdict, and nothing is
blocked automatically.

What is counted, and why it is safe to count (secret ballots, see :mod:`storage.tables.voting`):

* **new identities** — :class:`~storage.models.Identity` rows by ``created_at``, per channel (Telegram, e-mail);
* **first ballots per invite-code batch** — :class:`~storage.models.Participation` rows by ``first_at`` (the
  first ballot of a person in a process and round; a changed vote does not count again), joined to the
  :class:`~storage.models.InviteCode` the same person redeemed in the same process, grouped by ``batch``;
* **first ballots per district** — the same participations joined to the person's
  :class:`~storage.models.Eligibility` in that process, grouped by ``district``.

Participation, eligibility and invite codes already name the person; the ballot table, which holds what was
chosen, is never read, so no signal brings a vote any closer to a voter. Only counts leave this module — no
person ids, no names — and only counts at or above a threshold, so a moderator never sees a group of one.

A window's count is a signal when it reaches the kind's minimum **and** ``baseline_factor`` times the usual count
per window (the mean over the ``baseline_days`` before the window): the last days of a big vote are busy every
hour, and that alone is not suspicious. :func:`detect` is the pure rule; :class:`AbuseWatch` reads the counts of
every window of a look-back period from the store, one query per kind (the moderators' digest looks at the last
day; about 0.1–0.2 s on 100,000 ballots, ``bench/abuse.py``).

Thresholds come from ``[abuse]`` in the configuration (:class:`AbuseThresholds` holds the defaults);
:func:`configure` attaches them to one running core, :func:`thresholds_for` reads them back.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, and_, cast, extract, func, literal, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement

from bot.domain import Channel
from bot.services.context import ServiceContext
from storage.models import Eligibility, Identity, InviteCode, Participation, Process
from storage.types import UTCDateTime

__all__ = [
    "AbuseThresholds",
    "AbuseWatch",
    "Count",
    "Signal",
    "SignalKind",
    "configure",
    "detect",
    "thresholds_for",
]

_IDENTITY = Identity.__table__  # type: ignore[attr-defined]
_PARTICIPATION = Participation.__table__  # type: ignore[attr-defined]
_CODE = InviteCode.__table__  # type: ignore[attr-defined]
_ELIGIBILITY = Eligibility.__table__  # type: ignore[attr-defined]
_PROCESS = Process.__table__  # type: ignore[attr-defined]
WATCHED_CHANNELS = (Channel.TELEGRAM, Channel.EMAIL)  # console, web and paper people are entered by staff


class SignalKind(StrEnum):
    """What burst a signal is about."""

    NEW_IDENTITIES = "new_identities"
    BATCH_BALLOTS = "batch_ballots"
    DISTRICT_BALLOTS = "district_ballots"


@dataclass(frozen=True)
class AbuseThresholds:
    """``[abuse]``: the window, the baseline it is compared with, and each kind's minimum count per window."""

    window_minutes: int = 60
    baseline_days: int = 7
    baseline_factor: float = 3.0
    min_new_identities: int = 100
    min_batch_ballots: int = 30
    min_district_ballots: int = 200

    def __post_init__(self) -> None:
        if self.window_minutes < 1 or self.baseline_days < 0 or self.baseline_factor < 0:
            raise ValueError("abuse thresholds: window ≥ 1 minute, baseline days and factor ≥ 0")
        if min(self.min_new_identities, self.min_batch_ballots, self.min_district_ballots) < 1:
            raise ValueError("abuse thresholds: every minimum must be at least 1")

    @property
    def window(self) -> timedelta:
        """The length of one window."""
        return timedelta(minutes=self.window_minutes)

    @property
    def baseline_windows(self) -> int:
        """How many whole windows make the baseline period before a window."""
        return self.baseline_days * 24 * 60 // self.window_minutes

    def minimum(self, kind: SignalKind) -> int:
        """The smallest count of ``kind`` in one window that can be a signal."""
        return {
            SignalKind.NEW_IDENTITIES: self.min_new_identities,
            SignalKind.BATCH_BALLOTS: self.min_batch_ballots,
            SignalKind.DISTRICT_BALLOTS: self.min_district_ballots,
        }[kind]


@dataclass(frozen=True)
class Count:
    """How many events of ``kind`` for ``subject`` (a channel, a batch, a district) fell in the window, and how
    many in the baseline period before it. ``process`` is the slug for ballot kinds, "" for identities."""

    kind: SignalKind
    subject: str
    process: str
    in_window: int
    in_baseline: int


@dataclass(frozen=True)
class Signal:
    """A burst worth a moderator's look: ``count`` in the window ending at ``window_end``, against ``usual`` (the
    mean per window before it, rounded up)."""

    kind: SignalKind
    subject: str
    process: str
    count: int
    usual: int
    window_end: datetime


def detect(counts: Iterable[Count], thresholds: AbuseThresholds, window_end: datetime) -> list[Signal]:
    """The counts that are signals (see the module docstring), the biggest first. Pure: no store, no clock."""
    windows_in_baseline = thresholds.baseline_windows
    signals = []
    for count in counts:
        usual = count.in_baseline / windows_in_baseline if windows_in_baseline else 0.0
        if count.in_window >= thresholds.minimum(count.kind) and count.in_window >= thresholds.baseline_factor * usual:
            signals.append(
                Signal(count.kind, count.subject, count.process, count.in_window, math.ceil(usual), window_end)
            )
    return sorted(signals, key=lambda s: (-s.count, s.kind.value, s.process, s.subject))


class AbuseWatch:
    """Reads the counts from the store and finds the signals: one query per kind, however many windows.

    Each query counts events per subject and per window number ``k`` — the window ``(end - (k+1)·w, end - k·w]``
    — computed in SQL from the time before ``end`` in milliseconds (PostgreSQL: ``extract(epoch …)``; SQLite:
    ``julianday``), so only a few hundred small rows come back even for 100,000 ballots.
    """

    def __init__(self, context: ServiceContext, thresholds: AbuseThresholds | None = None) -> None:
        self.context = context
        self.thresholds = thresholds or AbuseThresholds()

    def signals(self, now: datetime | None = None) -> list[Signal]:
        """The signals of the one window that ends ``now`` (the clock's now by default)."""
        return self._windows(1, now or self.context.clock.now())

    def recent(self, hours: int = 24, now: datetime | None = None) -> list[Signal]:
        """The signals of every window in the last ``hours`` (windows end at ``now``, ``now - window``, …); a
        subject signalled in several windows is listed once, with its biggest window."""
        steps = max(1, math.ceil(hours * 60 / self.thresholds.window_minutes))
        return self._windows(steps, now or self.context.clock.now())

    def _windows(self, steps: int, end: datetime) -> list[Signal]:
        window, baseline = self.thresholds.window, self.thresholds.baseline_windows
        earliest = end - (steps + baseline) * window
        with self.context.connection() as connection:
            series = {
                **self._identities(connection, earliest, end),
                **self._ballots(connection, SignalKind.BATCH_BALLOTS, earliest, end),
                **self._ballots(connection, SignalKind.DISTRICT_BALLOTS, earliest, end),
            }
        strongest: dict[tuple[SignalKind, str, str], Signal] = {}
        for step in range(steps):
            counts = [
                Count(
                    kind, subject, process, per_window.get(step, 0), _total(per_window, step + 1, step + 1 + baseline)
                )
                for (kind, process, subject), per_window in series.items()
            ]
            for signal in detect(counts, self.thresholds, end - step * window):
                key = (signal.kind, signal.process, signal.subject)
                if key not in strongest or signal.count > strongest[key].count:
                    strongest[key] = signal
        return sorted(strongest.values(), key=lambda s: (-s.count, s.kind.value, s.process, s.subject))

    def _window_number(self, connection: Connection, column: Any, end: datetime) -> ColumnElement[int]:
        """The number of the window an event at ``column`` falls in, counting back from ``end`` (0: the last)."""
        if connection.dialect.name == "postgresql":
            millis = cast(extract("epoch", literal(end, UTCDateTime()) - column) * 1000, BigInteger)
        else:  # SQLite keeps UTC text without an offset (storage.types.UTCDateTime)
            stamp = end.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
            millis = cast(func.round((func.julianday(stamp) - func.julianday(column)) * 86_400_000), BigInteger)
        return millis // (self.thresholds.window_minutes * 60_000)

    def _identities(self, connection: Connection, earliest: datetime, end: datetime) -> _Series:
        created = _IDENTITY.c.created_at
        number = self._window_number(connection, created, end)
        rows = connection.execute(
            select(_IDENTITY.c.channel, number, func.count())
            .where(created > earliest, created <= end, _IDENTITY.c.channel.in_([c.value for c in WATCHED_CHANNELS]))
            .group_by(_IDENTITY.c.channel, number)
        ).all()
        series: _Series = {}
        for channel, k, n in rows:
            series.setdefault((SignalKind.NEW_IDENTITIES, "", str(channel)), {})[int(k)] = int(n)
        return series

    def _ballots(self, connection: Connection, kind: SignalKind, earliest: datetime, end: datetime) -> _Series:
        first = _PARTICIPATION.c.first_at
        if kind is SignalKind.BATCH_BALLOTS:
            # A person redeems at most one code per process; the batch of that code labels their first ballot.
            # "+ 0" keeps SQLite from probing invite_code's unselective process index for every participation
            # (100,000 ballots: 80 s a window); it joins on the person instead.
            source = _CODE
            joined = and_(
                _CODE.c.used_by == _PARTICIPATION.c.person_id, _CODE.c.process_id + 0 == _PARTICIPATION.c.process_id
            )
            subject = func.coalesce(_CODE.c.batch, "")
            extra: ColumnElement[bool] = _CODE.c.used_at.is_not(None)
        else:
            source = _ELIGIBILITY
            joined = and_(
                _ELIGIBILITY.c.person_id == _PARTICIPATION.c.person_id,
                _ELIGIBILITY.c.process_id == _PARTICIPATION.c.process_id,
            )
            subject = _ELIGIBILITY.c.district
            extra = and_(_ELIGIBILITY.c.district.is_not(None), _ELIGIBILITY.c.district != "")
        number = self._window_number(connection, first, end)
        rows = connection.execute(
            select(_PROCESS.c.slug, subject, number, func.count())
            .select_from(
                _PARTICIPATION.join(source, joined).join(_PROCESS, _PROCESS.c.id == _PARTICIPATION.c.process_id)
            )
            .where(first > earliest, first <= end, extra)
            .group_by(_PROCESS.c.slug, subject, number)
        ).all()
        series: _Series = {}
        for slug, name, k, n in rows:
            series.setdefault((kind, str(slug), str(name or "")), {})[int(k)] = int(n)
        return series


_Series = dict[tuple[SignalKind, str, str], dict[int, int]]  # (kind, process, subject) → window number → count


def _total(per_window: dict[int, int], start: int, stop: int) -> int:
    return sum(n for k, n in per_window.items() if start <= k < stop)


_CONFIGURED: dict[int, tuple[weakref.ref[ServiceContext], AbuseThresholds]] = {}


def configure(context: ServiceContext, thresholds: AbuseThresholds) -> None:
    """Use ``thresholds`` for the core around ``context`` (the composition root calls this with ``[abuse]``)."""
    for key in [key for key, (ref, _) in _CONFIGURED.items() if ref() is None]:
        del _CONFIGURED[key]  # cores that are gone
    _CONFIGURED[id(context)] = (weakref.ref(context), thresholds)


def thresholds_for(context: ServiceContext) -> AbuseThresholds:
    """The thresholds configured for ``context``, else the defaults."""
    found = _CONFIGURED.get(id(context))
    # The weak reference tells a live registration from a dead context whose id was reused.
    return found[1] if found is not None and found[0]() is context else AbuseThresholds()
