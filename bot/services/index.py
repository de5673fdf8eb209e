"""The friendly-local-government index across years: per municipality, edition and dimension, a mean with its
95% interval and the change since the previous edition — never a figure of fewer than ``min_responses``.

An index is the set of survey processes whose definitions share ``[index] key`` (one per ``year``, see
:class:`bot.definition.IndexDefinition`). An edition counts once its results are public (the same rule as
``/wyniki`` for a resident: :meth:`ResultsService.visible`); a moderator may see closed ones too. Each response is
scored per dimension (the mean of its answers to the dimension's questions) and overall (the mean of its dimension
scores); a municipality's figure is the mean of its responses with Student's t interval
(:mod:`bot.counting.confidence`). A municipality with fewer than ``min_responses`` responses has no figure at all —
no mean, no interval, no change, not even the number of responses — so nothing any channel shows can be traced
to one organisation's answers. The change is the difference from the municipality's figure in the previous
edition, when both are published.

Counting reads one snapshot per edition and holds no lock. The counted editions are kept per (process, stamp) —
the stamp :meth:`ResultsService.stamp` reads, which moves with every ballot and phase change — so a page asks the
store only for the editions and their stamps, and recounts only an edition that changed; concurrent requests for
the same edition share one count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from sqlalchemy import select as sql_select
from sqlmodel import col, select

from bot.counting.confidence import estimate
from bot.counting.dimensions import response_scores
from bot.definition import ProcessDefinition
from bot.domain import BallotRuleKind, Phase, ProcessKind
from bot.errors import NotFound
from bot.services.context import DISTRICT_KEY, ServiceContext
from bot.services.results import ResultsService
from bot.services.sealing import open_ballot
from bot.services.singleflight import SingleFlight
from storage.models import Ballot as BallotRow
from storage.models import Process

__all__ = ["OVERALL", "AreaFigures", "Figure", "IndexEdition", "IndexHistory", "IndexService"]

OVERALL = "overall"
"""The dimension key of the overall score in exports (no dimension may be called so: a dimension key is a
definition key, and the exports name this one apart)."""

_PROCESS = Process.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Figure:
    """One published figure (a mean of ``responses`` scores with its 95% interval), or a withheld one: every
    field None. ``change`` is the difference from the previous edition's published figure, if any."""

    responses: int | None = None
    mean: float | None = None
    low: float | None = None
    high: float | None = None
    change: float | None = None

    @property
    def published(self) -> bool:
        """Whether there is a figure to show (else: too few responses)."""
        return self.mean is not None

    def to_json(self) -> dict[str, Any]:
        """Rounded to 2 places (3 for the interval); a withheld figure is ``{"published": false}`` only."""
        if not self.published:
            return {"published": False}
        return {
            "published": True,
            "responses": self.responses,
            "mean": _rounded(self.mean, 2),
            "ci95_low": _rounded(self.low, 3),
            "ci95_high": _rounded(self.high, 3),
            "change": _rounded(self.change, 2),
        }


WITHHELD = Figure()


def _rounded(value: float | None, places: int) -> float | None:
    return None if value is None else round(value, places)


@dataclass(frozen=True)
class AreaFigures:
    """A municipality in one edition: its overall figure, its figure per dimension and its place in the ranking
    (None when withheld)."""

    area: str
    overall: Figure
    dimensions: dict[str, Figure]
    rank: int | None = None

    @property
    def published(self) -> bool:
        """Whether the municipality has figures in this edition."""
        return self.overall.published


@dataclass(frozen=True)
class IndexEdition:
    """One year of an index: its process, definition and every municipality of the definition, published ones
    ranked by their overall mean (highest first; equal means by the definition's order), then the withheld ones
    in the definition's order."""

    slug: str
    year: int
    definition: ProcessDefinition
    areas: list[AreaFigures]

    @property
    def min_responses(self) -> int:
        """Below this many responses a municipality is withheld."""
        return self.definition.min_responses

    def area(self, key: str) -> AreaFigures | None:
        """The figures of municipality ``key`` in this edition, if it is one of the edition's."""
        return next((entry for entry in self.areas if entry.area == key), None)


@dataclass(frozen=True)
class IndexHistory:
    """Every counted edition of one index, oldest first."""

    key: str
    editions: list[IndexEdition] = field(default_factory=list)

    @property
    def latest(self) -> IndexEdition:
        """The newest edition."""
        return self.editions[-1]

    def edition(self, year: int | None) -> IndexEdition:
        """The edition of ``year`` (None: the newest), else ``index.no_year``."""
        if year is None:
            return self.latest
        for edition in self.editions:
            if edition.year == year:
                return edition
        raise NotFound("index.no_year", index=self.key, year=str(year))

    def history(self, area: str) -> list[tuple[int, AreaFigures]]:
        """(year, figures) of municipality ``area`` in every edition that rates it, oldest first."""
        return [(edition.year, found) for edition in self.editions if (found := edition.area(area)) is not None]

    def rows(self) -> Iterable[dict[str, Any]]:
        """One open-data row per edition, municipality and dimension (``overall`` first): year, area, dimension,
        and the figure's fields (all empty for a withheld one)."""
        for edition in self.editions:
            for entry in sorted(edition.areas, key=lambda entry: entry.area):
                for dimension, figure in ((OVERALL, entry.overall), *entry.dimensions.items()):
                    yield {
                        "index": self.key,
                        "year": edition.year,
                        "process": edition.slug,
                        "area": entry.area,
                        "dimension": dimension,
                        "rank": entry.rank if dimension == OVERALL else None,
                        **figure.to_json(),
                    }

    def to_json(self) -> dict[str, Any]:
        """The whole history: per edition its year, process, min_responses, dimensions and municipalities."""
        return {
            "index": self.key,
            "editions": [
                {
                    "year": edition.year,
                    "process": edition.slug,
                    "min_responses": edition.min_responses,
                    "dimensions": [dimension.key for dimension in edition.definition.dimensions()],
                    "areas": [
                        {
                            "area": entry.area,
                            "rank": entry.rank,
                            "overall": entry.overall.to_json(),
                            "dimensions": {key: figure.to_json() for key, figure in entry.dimensions.items()},
                        }
                        for entry in edition.areas
                    ],
                }
                for edition in self.editions
            ],
        }


@dataclass(frozen=True, slots=True)
class _Known:
    """What a process version is to the index: its (key, year) if it is an edition, and who may see it."""

    edition: tuple[str, int] | None
    everyone: bool
    moderators: bool


@dataclass(frozen=True)
class _Counted:
    """An edition counted from its ballots, before changes against the previous edition are known."""

    slug: str
    year: int
    definition: ProcessDefinition
    areas: dict[str, tuple[Figure, dict[str, Figure]]]


class IndexService:
    """Counts the editions of an index (module docstring)."""

    def __init__(self, context: ServiceContext, results: ResultsService) -> None:
        self.ctx = context
        self.results = results
        self._editions: dict[str, tuple[Any, _Counted]] = {}  # slug → (results stamp, counted)
        self._keys: dict[tuple[int, int], _Known] = {}  # (process id, version) → its edition and visibility
        self._flights: SingleFlight[_Counted] = SingleFlight()
        self._histories: dict[tuple[str, bool], tuple[tuple[int, ...], IndexHistory]] = {}
        self._lock = Lock()

    def index_keys(self, *, moderator: bool = False) -> list[str]:
        """The keys of the indexes with at least one counted edition, sorted."""
        return sorted({key for key, _, _ in self._edition_rows(moderator)})

    def history(self, key: str, *, moderator: bool = False) -> IndexHistory:
        """Every counted edition of index ``key`` (``index.not_found`` when there is none)."""
        rows = [(year, slug) for found, year, slug in self._edition_rows(moderator) if found == key.strip().lower()]
        if not rows:
            raise NotFound("index.not_found", index=key[:64])
        counted = [self._edition(slug) for _, slug in sorted(rows)]
        signature = tuple(id(edition) for edition in counted)
        cache_key = (key.strip().lower(), moderator)
        cached = self._histories.get(cache_key)
        if cached is not None and cached[0] == signature:
            return cached[1]  # the same object while no edition changed: pages and maps drawn from it stay valid
        history = IndexHistory(key.strip().lower(), _with_changes(counted))
        with self._lock:
            self._histories[cache_key] = (signature, history)
        return history

    def area_history(self, area: str) -> list[tuple[IndexHistory, list[tuple[int, AreaFigures]]]]:
        """Every public index rating municipality ``area`` (an organisation's slug), with the municipality's
        figures per year, oldest first — an organisation's page shows its index history from it."""
        found = []
        for key in self.index_keys():
            history = self.history(key)
            years = history.history(area)
            if years:
                found.append((history, years))
        return found

    def _edition_rows(self, moderator: bool) -> list[tuple[str, int, str]]:
        """(index key, year, slug) of every survey edition whose results this viewer may see; a year claimed by
        two processes counts the one created last. A process's definition is read once per version (a phase
        change bumps the version, so whether its results are visible is known with it)."""
        found: dict[tuple[str, int], tuple[int, str]] = {}
        with self.ctx.snapshot() as session:
            rows = session.connection().execute(
                sql_select(_PROCESS.c.id, _PROCESS.c.version, _PROCESS.c.slug).where(
                    _PROCESS.c.kind == ProcessKind.SURVEY.value, _PROCESS.c.phase != Phase.DRAFT.value
                )
            )
            for process_id, version, slug in rows.all():
                known = self._keys.get((process_id, version))
                if known is None:
                    process = session.get(Process, process_id)
                    assert process is not None
                    definition = self.ctx.definition(process)
                    known = _Known(
                        None if definition.index is None else (definition.index.key, definition.index.year),
                        self.results.visible(process, definition, moderator=False),
                        self.results.visible(process, definition, moderator=True),
                    )
                    with self._lock:
                        self._keys[(process_id, version)] = known
                if known.edition is None or not (known.moderators if moderator else known.everyone):
                    continue
                if process_id > found.get(known.edition, (-1, ""))[0]:
                    found[known.edition] = (process_id, slug)
        return [(key, year, slug) for (key, year), (_, slug) in found.items()]

    def _edition(self, slug: str) -> _Counted:
        stamp = self.results.stamp(slug)
        cached = self._editions.get(slug)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        return self._flights.run((slug, stamp), lambda: self._count(slug, stamp))

    def _count(self, slug: str, stamp: Any) -> _Counted:
        with self.ctx.snapshot() as session:
            process = self.ctx.process(session, slug)
            assert process.id is not None
            definition = self.ctx.definition(process)
            contents = session.exec(
                select(BallotRow.content).where(
                    BallotRow.process_id == process.id,
                    BallotRow.round == 1,
                    col(BallotRow.is_current).is_(True),
                    col(BallotRow.withdrawn).is_(False),
                )
            ).all()
        # The snapshot is closed: counting touches no store.
        assert definition.index is not None
        # a secret survey whose results are live is still sealed (bot/services/sealing.py): read it opened
        opened = [open_ballot(self.ctx.secret, content) for content in contents]
        counted = _Counted(slug, definition.index.year, definition, _areas(definition, opened))
        with self._lock:
            self._editions[slug] = (stamp, counted)
        return counted


def _figure(values: Sequence[float], min_responses: int, scale: tuple[float, float]) -> Figure:
    """The figure of ``values``, withheld below ``min_responses``; the interval is cut to the survey's ``scale``
    (a mean of 1–5 ratings lies within 1–5 whatever a small sample's t interval says)."""
    if len(values) < min_responses:
        return WITHHELD
    found = estimate(values)
    low = None if found.low is None else max(found.low, scale[0])
    high = None if found.high is None else min(found.high, scale[1])
    return Figure(found.n, found.mean, low, high)


def _scale(definition: ProcessDefinition) -> tuple[float, float]:
    """The lowest and the highest rating the index's questions allow."""
    rules = [pool.ballot for pool in definition.pools if pool.ballot.rule is BallotRuleKind.SCORE]
    return float(min(rule.min_score for rule in rules)), float(max(rule.max_score for rule in rules))


def _areas(
    definition: ProcessDefinition, contents: Iterable[Mapping[str, Any]]
) -> dict[str, tuple[Figure, dict[str, Figure]]]:
    """Per municipality of the definition: the overall figure and one per dimension (withheld below k)."""
    dimensions = [dimension.key for dimension in definition.dimensions()]
    overall: dict[str, list[float]] = {area: [] for area in definition.eligibility.districts}
    per_dimension: dict[str, dict[str, list[float]]] = {
        area: {key: [] for key in dimensions} for area in definition.eligibility.districts
    }
    for content in contents:
        area = content.get(DISTRICT_KEY)
        if area not in overall:
            continue
        scores, total = response_scores(definition, content)
        if total is None:
            continue
        overall[area].append(total)
        for key, value in scores.items():
            per_dimension[area][key].append(value)
    k, scale = definition.min_responses, _scale(definition)
    out: dict[str, tuple[Figure, dict[str, Figure]]] = {}
    for area, values in overall.items():
        figure = _figure(values, k, scale)
        if not figure.published:  # nothing of a withheld municipality, not one dimension
            out[area] = (WITHHELD, dict.fromkeys(dimensions, WITHHELD))
            continue
        out[area] = (figure, {key: _figure(per_dimension[area][key], k, scale) for key in dimensions})
    return out


def _changed(figure: Figure, before: Figure | None) -> Figure:
    if not figure.published or before is None or not before.published:
        return figure
    assert figure.mean is not None and before.mean is not None
    return Figure(figure.responses, figure.mean, figure.low, figure.high, figure.mean - before.mean)


def _with_changes(counted: list[_Counted]) -> list[IndexEdition]:
    """Editions with each figure's change since the previous edition (when the municipality is published in
    both), ranked."""
    editions: list[IndexEdition] = []
    previous: dict[str, tuple[Figure, dict[str, Figure]]] = {}
    for edition in counted:
        order = {area: position for position, area in enumerate(edition.definition.eligibility.districts)}
        entries: list[AreaFigures] = []
        for area, (overall, dimensions) in edition.areas.items():
            before = previous.get(area)
            entries.append(
                AreaFigures(
                    area,
                    _changed(overall, before[0] if before else None),
                    {
                        key: _changed(figure, before[1].get(key) if before else None)
                        for key, figure in dimensions.items()
                    },
                )
            )
        shown = sorted((e for e in entries if e.published), key=lambda e: (-(e.overall.mean or 0.0), order[e.area]))
        withheld = [e for e in entries if not e.published]
        ranked = [AreaFigures(e.area, e.overall, e.dimensions, rank) for rank, e in enumerate(shown, start=1)]
        editions.append(IndexEdition(edition.slug, edition.year, edition.definition, ranked + withheld))
        previous = edition.areas
    return editions
