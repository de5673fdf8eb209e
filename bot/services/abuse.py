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
hour, and that alone is not suspicious. :func:`detect` is the pure rule; :class:`AbuseWatch` reads the counts
from the store and slides the window over a look-back period (the moderators' digest looks at the last day).

Thresholds come from ``[abuse]`` in the configuration (:class:`AbuseThresholds` holds the defaults);
:func:`configure` attaches them to one running core, :func:`thresholds_for` reads them back.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Integer, and_, case, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement

from bot.domain import Channel
from bot.services.context import ServiceContext
from storage.models import Eligibility, Identity, InviteCode, Participation, Process

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
    windows_in_baseline = thresholds.baseline_days * 24 * 60 / thresholds.window_minutes
    signals = []
    for count in counts:
        usual = count.in_baseline / windows_in_baseline if windows_in_baseline else 0.0
        if count.in_window >= thresholds.minimum(count.kind) and count.in_window >= thresholds.baseline_factor * usual:
            signals.append(
                Signal(count.kind, count.subject, count.process, count.in_window, math.ceil(usual), window_end)
            )
    return sorted(signals, key=lambda s: (-s.count, s.kind.value, s.process, s.subject))


class AbuseWatch:
    """Reads the counts from the store and finds the signals (one query per kind and window)."""

    def __init__(self, context: ServiceContext, thresholds: AbuseThresholds | None = None) -> None:
        self.context = context
        self.thresholds = thresholds or AbuseThresholds()

    def signals(self, now: datetime | None = None) -> list[Signal]:
        """The signals of the window that ends ``now`` (the clock's now by default)."""
        end = now or self.context.clock.now()
        with self.context.connection() as connection:
            return detect(self.counts(connection, end), self.thresholds, end)

    def recent(self, hours: int = 24, now: datetime | None = None) -> list[Signal]:
        """The signals of every window in the last ``hours`` (windows end at ``now``, ``now - window``, …); a
        subject signalled in several windows is listed once, with its biggest window."""
        end = now or self.context.clock.now()
        steps = max(1, math.ceil(timedelta(hours=hours) / self.thresholds.window))
        strongest: dict[tuple[SignalKind, str, str], Signal] = {}
        with self.context.connection() as connection:
            for step in range(steps):
                window_end = end - step * self.thresholds.window
                for signal in detect(self.counts(connection, window_end), self.thresholds, window_end):
                    key = (signal.kind, signal.process, signal.subject)
                    if key not in strongest or signal.count > strongest[key].count:
                        strongest[key] = signal
        return sorted(strongest.values(), key=lambda s: (-s.count, s.kind.value, s.process, s.subject))

    def counts(self, connection: Connection, end: datetime) -> list[Count]:
        """Every kind's counts for the window ending at ``end`` and the baseline before it."""
        start = end - self.thresholds.window
        since = start - timedelta(days=self.thresholds.baseline_days)
        return [
            *self._identities(connection, since, start, end),
            *self._ballots(connection, SignalKind.BATCH_BALLOTS, since, start, end),
            *self._ballots(connection, SignalKind.DISTRICT_BALLOTS, since, start, end),
        ]

    @staticmethod
    def _split(column: ColumnElement[datetime], start: datetime) -> tuple[ColumnElement[int], ColumnElement[int]]:
        # Windows are half-open at the start, (start, end]: an event at "now" is in the current window.
        recent = func.sum(case((column > start, 1), else_=0), type_=Integer)
        before = func.sum(case((column <= start, 1), else_=0), type_=Integer)
        return recent, before

    def _identities(self, connection: Connection, since: datetime, start: datetime, end: datetime) -> list[Count]:
        created = _IDENTITY.c.created_at
        recent, before = self._split(created, start)
        rows = connection.execute(
            select(_IDENTITY.c.channel, recent, before)
            .where(created > since, created <= end, _IDENTITY.c.channel.in_([c.value for c in WATCHED_CHANNELS]))
            .group_by(_IDENTITY.c.channel)
        ).all()
        return [Count(SignalKind.NEW_IDENTITIES, str(channel), "", int(r or 0), int(b or 0)) for channel, r, b in rows]

    def _ballots(
        self, connection: Connection, kind: SignalKind, since: datetime, start: datetime, end: datetime
    ) -> list[Count]:
        first = _PARTICIPATION.c.first_at
        recent, before = self._split(first, start)
        if kind is SignalKind.BATCH_BALLOTS:
            # A person redeems at most one code per process; the batch of that code labels their first ballot.
            source = _CODE
            joined = and_(
                _CODE.c.used_by == _PARTICIPATION.c.person_id, _CODE.c.process_id == _PARTICIPATION.c.process_id
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
        rows = connection.execute(
            select(_PROCESS.c.slug, subject, recent, before)
            .select_from(
                _PARTICIPATION.join(source, joined).join(_PROCESS, _PROCESS.c.id == _PARTICIPATION.c.process_id)
            )
            .where(first > since, first <= end, extra)
            .group_by(_PROCESS.c.slug, subject)
        ).all()
        return [Count(kind, str(name or ""), str(slug), int(r or 0), int(b or 0)) for slug, name, r, b in rows]


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
