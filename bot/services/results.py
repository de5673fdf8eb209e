"""Results and turnout. Results never leak before they are visible under the process's visibility setting.

Moderators may see results once the process is closed (to check them before publishing); everybody else only
as ``results`` allows: ``live`` while open, ``after_close``, or ``after_publish`` (the default). Turnout counts
people who took part (withdrawn ballots excluded), by channel and by declared district; in a consultation the
authors of remarks, also by kind (resident, NGO), as :mod:`bot.services.authors` counts them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import func as sql_func
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, func, select

from bot.counting.dimensions import response_scores
from bot.counting.pool import PoolResult, count_pool
from bot.definition import ProcessDefinition
from bot.domain import Channel, Phase, PoolVote, ProcessKind, ResultsVisibility
from bot.errors import WrongPhase
from bot.services.authors import consultation_authors
from bot.services.context import DISTRICT_KEY, META_PREFIX, ServiceContext
from bot.services.sealing import open_ballot
from bot.services.singleflight import SingleFlight
from storage.models import Ballot as BallotRow
from storage.models import Eligibility, Participation, Process

__all__ = ["DistrictIndex", "PairedShift", "ProcessResults", "ResultsService", "Turnout"]

_PROCESS = Process.__table__  # type: ignore[attr-defined]
_BALLOT = BallotRow.__table__  # type: ignore[attr-defined]
# The newest ballot of the process is the end of ix_ballot_process_newest (process_id, id): constant time.
_STAMP = sql_select(
    _PROCESS.c.version,
    sql_select(sql_func.max(_BALLOT.c.id)).where(_BALLOT.c.process_id == _PROCESS.c.id).scalar_subquery(),
    _PROCESS.c.secret,
    _PROCESS.c.id,
).where(_PROCESS.c.slug == bindparam("slug"))
# A secret process's ballot ids are random and a changed ballot replaces its row (bot/services/voting.py): the
# largest id need not move. The count and the sum of the ids (an index-only scan of the same index) always do.
_SECRET_STAMP = sql_select(sql_func.count(), sql_func.coalesce(sql_func.sum(_BALLOT.c.id), 0)).where(
    _BALLOT.c.process_id == bindparam("process")
)


@dataclass(frozen=True)
class Turnout:
    """How many took part, overall, per channel and per district, and how many are known to be eligible."""

    participants: int
    eligible_known: int
    by_channel: dict[str, int] = field(default_factory=dict)
    by_district: dict[str, int] = field(default_factory=dict)
    by_kind: dict[str, int] = field(default_factory=dict)  # a consultation's authors: "ngo", "resident"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (``by_kind`` only for a consultation)."""
        out: dict[str, Any] = {
            "participants": self.participants,
            "eligible_known": self.eligible_known,
            "by_channel": self.by_channel,
            "by_district": self.by_district,
        }
        if self.by_kind:
            out["by_kind"] = self.by_kind
        return out


@dataclass(frozen=True)
class DistrictIndex:
    """A survey's figures for one district (municipality): ballots, each pool's result, and the index —
    the mean of the items' mean scores (the *indeks przyjaznego samorządu*).

    ``published`` is False when fewer than the definition's ``min_responses`` answered: then ``pools`` is empty,
    ``index`` None and ``ballots`` 0, so that no output can show one organisation's answers (how many took part
    stays in the turnout: it says nothing of what they answered)."""

    district: str
    ballots: int
    pools: dict[str, PoolResult]
    index: Fraction | None
    published: bool = True

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; the index as a decimal string rounded to 2 places; a withheld district only says
        so (``"published": false``)."""
        if not self.published:
            return {"district": self.district, "published": False}
        return {
            "district": self.district,
            "published": True,
            "ballots": self.ballots,
            "index": None if self.index is None else f"{float(self.index):.2f}",
            "pools": {key: result.to_json() for key, result in self.pools.items()},
        }


@dataclass(frozen=True)
class PairedShift:
    """A deliberative poll's shift of opinion among the people who answered both rounds: their number and, per
    item, the mean score before and after. Ballots are paired through their ballot key (the same voter's key
    in both rounds) while counting, in memory; no person is involved and nothing of the pairing is stored."""

    people: int
    means: dict[str, tuple[Fraction | None, Fraction | None]]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; means as decimal strings rounded to 2 places."""

        def shown(value: Fraction | None) -> str | None:
            return None if value is None else f"{float(value):.2f}"

        return {"people": self.people, "means": {k: [shown(a), shown(b)] for k, (a, b) in self.means.items()}}


@dataclass(frozen=True)
class ProcessResults:
    """Counted results per round and pool, with turnout; for surveys also per district."""

    slug: str
    phase: Phase
    rounds: list[dict[str, PoolResult]]
    turnout: Turnout
    by_district: list[DistrictIndex] = field(default_factory=list)
    paired: PairedShift | None = None
    min_responses: int | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (``rounds`` is a list of {pool key: pool result})."""
        out: dict[str, Any] = {
            "slug": self.slug,
            "phase": self.phase.value,
            "turnout": self.turnout.to_json(),
            "rounds": [{key: result.to_json() for key, result in pools.items()} for pools in self.rounds],
        }
        if self.by_district:
            out["by_district"] = [entry.to_json() for entry in self.by_district]
            out["min_responses"] = self.min_responses
        if self.paired is not None:
            out["paired_shift"] = self.paired.to_json()
        return out


class ResultsService:
    """Counts ballots with each pool's counting rule.

    Counting holds no lock: the process, its ballots and the turnout are read from one read snapshot
    (:meth:`ServiceContext.snapshot` — no write lock on SQLite, ``REPEATABLE READ READ ONLY`` on PostgreSQL), the
    snapshot is closed, and only then are the ballots counted, so a slow count never delays a vote. Concurrent
    requests for the same results of the same data (process version and newest ballot) share one count.
    """

    def __init__(self, context: ServiceContext) -> None:
        self.ctx = context
        self._flights: SingleFlight[ProcessResults] = SingleFlight()

    @staticmethod
    def visible(process: Process, definition: ProcessDefinition, *, moderator: bool) -> bool:
        """Whether results may be shown to this viewer now."""
        phase = Phase(process.phase)
        if phase is Phase.PUBLISHED:
            return True
        if phase is Phase.CLOSED and (moderator or definition.results is not ResultsVisibility.AFTER_PUBLISH):
            return True
        return phase is Phase.OPEN and definition.results is ResultsVisibility.LIVE

    def results(self, slug: str, *, moderator: bool = False) -> ProcessResults:
        """The counted results, or :class:`WrongPhase` (``results.not_visible``) when not yet visible."""
        key = (slug.strip().lower(), moderator, self.stamp(slug))
        return self._flights.run(key, lambda: self._results(slug, moderator))

    def stamp(self, slug: str) -> tuple[int, int | None]:
        """What the results of ``slug`` depend on: (process version, newest ballot id of the process), read on a
        read connection in one query over two indexes. Every cast, change or withdrawal adds a ballot row and every
        phase change bumps the version, so equal stamps mean equal ballots and phase (-1: no such process). A vote
        in another process leaves the stamp alone. In a secret process ids are random and a change replaces a row,
        so the stamp there is the count and the sum of the process's ballot ids instead (one index-only scan)."""
        with self.ctx.reading() as connection:
            row = connection.execute(_STAMP, {"slug": slug.strip().lower()}).first()
            if row is not None and row[2]:
                count, total = connection.execute(_SECRET_STAMP, {"process": row[3]}).one()
                return (int(row[0]), int(total) * 2**32 + int(count))
        if row is None:
            return (-1, None)
        return (int(row[0]), row[1])

    def _results(self, slug: str, moderator: bool) -> ProcessResults:
        with self.ctx.snapshot() as session:
            process = self.ctx.process(session, slug)
            definition = self.ctx.definition(process)
            if not self.visible(process, definition, moderator=moderator):
                raise WrongPhase("results.not_visible", slug=process.slug)
            assert process.id is not None
            keyed = [self._keyed_contents(session, process.id, n) for n in range(1, definition.rounds + 1)]
            contents = [list(by_key.values()) for by_key in keyed]
            turnout = self._turnout(
                session, process.id, self.ctx.secret, consultation=definition.kind is ProcessKind.CONSULTATION
            )
            found, phase = process.slug, Phase(process.phase)
        # The snapshot is closed: from here on nothing touches the store.
        by_district: list[DistrictIndex] = []
        threshold: int | None = None
        if definition.kind is ProcessKind.SURVEY and contents and definition.eligibility.districts:
            by_district = self._by_district(definition, contents[0])
            threshold = definition.min_responses
            # The whole survey's figures cover only the areas whose own figures are published: counted over every
            # ballot, they would give away a withheld area's answers as the whole minus the published areas.
            shown = {entry.district for entry in by_district if entry.published}
            contents = [[content for content in group if content.get(DISTRICT_KEY) in shown] for group in contents]
        rounds = [self._count(definition, round_contents) for round_contents in contents]
        paired = _paired_shift(definition, keyed[0], keyed[1]) if len(keyed) == 2 else None
        return ProcessResults(found, phase, rounds, turnout, by_district, paired, threshold)

    @staticmethod
    def _count(definition: ProcessDefinition, contents: list[dict[str, Any]]) -> dict[str, PoolResult]:
        votes: dict[str, list[PoolVote]] = {}
        for content in contents:
            for pool_key, vote in content.items():
                if not pool_key.startswith(META_PREFIX):
                    votes.setdefault(pool_key, []).append(vote)
        return {
            pool.key: count_pool(pool, definition.items_of(pool.key), votes.get(pool.key, []))
            for pool in definition.pools
        }

    def _by_district(self, definition: ProcessDefinition, contents: list[dict[str, Any]]) -> list[DistrictIndex]:
        groups: dict[str, list[dict[str, Any]]] = {}
        for content in contents:
            district = content.get(DISTRICT_KEY)
            if isinstance(district, str):
                groups.setdefault(district, []).append(content)
        entries = []
        for district in definition.eligibility.districts:
            group = groups.get(district, [])
            if len(group) < definition.min_responses:
                entries.append(DistrictIndex(district, 0, {}, None, published=False))
                continue
            pools = self._count(definition, group)
            means = [row.score for result in pools.values() for row in result.rows if row.score is not None]
            index = sum(means, Fraction(0)) / len(means) if means else None
            if definition.index is not None:  # the index's own overall score: the same figure as its page
                overall = [total for content in group if (total := response_scores(definition, content)[1]) is not None]
                index = Fraction(sum(overall) / len(overall)) if overall else None
            entries.append(DistrictIndex(district, len(group), pools, index))
        return entries

    def turnout(self, slug: str) -> Turnout:
        """Turnout figures (moderators may see them at any time; they reveal no ballot content)."""
        with self.ctx.snapshot() as session:
            process = self.ctx.process(session, slug)
            assert process.id is not None
            return self._turnout(
                session,
                process.id,
                self.ctx.secret,
                consultation=self.ctx.definition(process).kind is ProcessKind.CONSULTATION,
            )

    def _keyed_contents(self, session: Session, process_id: int, round_no: int) -> dict[str, dict[str, Any]]:
        """The counted ballots of a round by ballot key (the key only pairs a voter's rounds; it names no one)."""
        rows = session.exec(
            select(BallotRow.ballot_key, BallotRow.content).where(
                BallotRow.process_id == process_id,
                BallotRow.round == round_no,
                col(BallotRow.is_current).is_(True),
                col(BallotRow.withdrawn).is_(False),
            )
        )
        return {key: open_ballot(self.ctx.secret, content) for key, content in rows}

    def _contents(self, session: Session, process_id: int, round_no: int) -> list[dict[str, Any]]:
        rows = session.exec(
            select(BallotRow.content).where(
                BallotRow.process_id == process_id,
                BallotRow.round == round_no,
                col(BallotRow.is_current).is_(True),
                col(BallotRow.withdrawn).is_(False),
            )
        )
        return [open_ballot(self.ctx.secret, content) for content in rows]

    @staticmethod
    def _turnout(session: Session, process_id: int, secret: bytes, *, consultation: bool = False) -> Turnout:
        active = (
            Participation.process_id == process_id,
            Participation.round == 1,
            col(Participation.withdrawn).is_(False),
        )
        by_channel = Counter(
            {
                str(channel): int(count)
                for channel, count in session.exec(
                    select(Participation.channel, func.count()).where(*active).group_by(Participation.channel)
                ).all()
            }
        )
        district_rows = session.exec(
            select(Eligibility.district, func.count())
            .join(
                Participation,
                (Participation.person_id == Eligibility.person_id)  # type: ignore[arg-type]
                & (Participation.process_id == Eligibility.process_id),
            )
            .where(*active, Eligibility.process_id == process_id)
            .group_by(Eligibility.district)
        ).all()
        eligible = session.exec(
            select(func.count()).select_from(Eligibility).where(Eligibility.process_id == process_id)
        ).one()
        # A paper ballot has no person and no participation row, yet someone took part: count the ballots.
        districts = Counter({str(district): int(count) for district, count in district_rows if district})
        for content in session.exec(
            select(BallotRow.content).where(
                BallotRow.process_id == process_id,
                BallotRow.round == 1,
                BallotRow.channel == Channel.PAPER,
                col(BallotRow.is_current).is_(True),
                col(BallotRow.withdrawn).is_(False),
            )
        ).all():
            by_channel[Channel.PAPER.value] += 1
            district = open_ballot(secret, content).get(DISTRICT_KEY)
            if isinstance(district, str):
                districts[district] += 1
        # In a consultation people take part by writing remarks: each author once (bot/services/authors.py).
        by_kind: dict[str, int] = {}
        if consultation:
            authors = consultation_authors(session, process_id)
            by_channel.update(authors.by_channel)
            by_kind = authors.by_kind
        return Turnout(
            participants=sum(by_channel.values()),
            eligible_known=int(eligible),
            by_channel=dict(sorted(by_channel.items())),
            by_district=dict(sorted(districts.items())),
            by_kind=by_kind,
        )


def _paired_shift(
    definition: ProcessDefinition, before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]
) -> PairedShift:
    """Per item, the mean score in each round over the ballots whose key is in both rounds."""
    both = sorted(set(before) & set(after))
    means: dict[str, tuple[Fraction | None, Fraction | None]] = {}
    for pool in definition.pools:
        for item in definition.items_of(pool.key):

            def mean(
                ballots: dict[str, dict[str, Any]], key: str = item.key, pool_key: str = pool.key
            ) -> Fraction | None:
                scores = [
                    Fraction(int(ballots[voter][pool_key][key]))
                    for voter in both
                    if isinstance(ballots[voter].get(pool_key), dict)
                    and isinstance(ballots[voter][pool_key].get(key), int)
                ]
                return sum(scores, Fraction(0)) / len(scores) if scores else None

            means[item.key] = (mean(before), mean(after))
    return PairedShift(len(both), means)
