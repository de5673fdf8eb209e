"""The typed model of a process definition (the TOML a moderator writes, see ``examples/``).

A definition describes one process: its slug, kind, texts in Polish and English, dates, eligibility, pools
with their ballot and counting rules, and items (options, projects, § sections, questions). It is validated
once, here; the store keeps the validated definition and the services trust it.

Texts are :class:`LocalizedText`: either one string (used for every language) or a table
``{pl = …, en = …}``. Cross-field rules (every item's pool exists, keys are unique, a rule fits its
pool …) are checked by :meth:`ProcessDefinition._check_consistency`; errors name the key path, e.g.
``pools[1].ballot.max``: they raise :class:`InvalidAt`, whose ``path`` is relative to the model being
validated, and pydantic adds the location of that model (``bot.definition.loader`` joins the two).

Keys are compared case-insensitively (pool keys among pool keys, item keys among item keys, and an item
key may not equal a pool key) because residents type them in chat and e-mail, where ``Wesola:`` and
``wesola:`` must mean the same pool and ``city: 1`` must not be mistaken for an item called ``city``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.definition.localized import LocalizedText
from bot.definition.notice import Notice
from bot.domain import (
    MAIN_POOL,
    BallotRuleKind,
    CountingRuleKind,
    EligibilityMode,
    ItemKind,
    ProcessKind,
    ResultsVisibility,
    VerifyMode,
)

__all__ = [
    "DEFAULT_MIN_RESPONSES",
    "BallotRule",
    "CountingRule",
    "Eligibility",
    "IndexDefinition",
    "IndexDimension",
    "InvalidAt",
    "Item",
    "LocalizedText",
    "Pool",
    "ProcessDefinition",
]

Key = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-/]*$")]
Slug = Annotated[str, Field(min_length=2, max_length=40, pattern=r"^[a-z0-9][a-z0-9_\-]*$")]


class InvalidAt(ValueError):
    """A validation error that knows which key it is about, relative to the model raising it.

    Pydantic reports a model-level error at the model's own location (``pools.1.ballot``); ``path`` (e.g.
    ``("max",)``) says which key inside it is wrong, so the loader can point at ``pools[1].ballot.max``.
    """

    def __init__(self, message: str, *path: str | int) -> None:
        super().__init__(message)
        self.path: tuple[str | int, ...] = path


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BallotRule(_Strict):
    """What a valid ballot for one pool is (see :class:`bot.domain.BallotRuleKind`).

    ``min``/``max`` bound the number of chosen (or ranked, or scored) items; ``one_of`` implies exactly
    one and ``exactly`` uses ``max`` as the exact count. ``within_budget`` also requires the chosen
    projects' total cost to fit ``max_cost`` (default: the pool budget). ``cumulative`` bounds the total
    points (``max_total``) and the points per item (``max_per_item``). ``score`` bounds each score to
    ``[min_score, max_score]`` and with ``require_all`` every item of the pool must be scored (for
    ``yes_no_abstain``: answered). ``ranking`` with ``weights`` (Kraków: 3, 2, 1) says what each place
    is worth when counted by points; weights never increase from one place to the next, and there is one
    for every place (``len(weights) >= max``; without ``max`` a ranking is at most ``len(weights)``
    long).
    """

    rule: BallotRuleKind
    min: int = Field(default=0, ge=0)
    max: int | None = Field(default=None, ge=1)
    max_cost: Decimal | None = Field(default=None, gt=0)
    max_total: int | None = Field(default=None, ge=1)
    max_per_item: int | None = Field(default=None, ge=1)
    min_score: int = 1
    max_score: int = 5
    require_all: bool = False
    weights: list[int] | None = None

    @model_validator(mode="after")
    def _check(self) -> BallotRule:
        if self.max is not None and self.min > self.max:
            raise InvalidAt("min must not exceed max", "max")
        if self.rule in (BallotRuleKind.EXACTLY,) and self.max is None:
            raise InvalidAt("'exactly' needs max (the exact number of choices)", "max")
        if self.rule is BallotRuleKind.UP_TO and self.max is None:
            raise InvalidAt("'up_to' needs max", "max")
        if self.rule is BallotRuleKind.CUMULATIVE and self.max_total is None:
            raise InvalidAt("'cumulative' needs max_total", "max_total")
        if self.min_score > self.max_score:
            raise InvalidAt("min_score must not exceed max_score", "max_score")
        if self.weights is not None:
            if self.rule is not BallotRuleKind.RANKING:
                raise InvalidAt("weights belong to a 'ranking' rule", "weights")
            if not self.weights:
                raise InvalidAt("weights must not be empty", "weights")
            if any(weight < 0 for weight in self.weights):
                raise InvalidAt("weights must not be negative", "weights")
            if any(later > earlier for earlier, later in zip(self.weights, self.weights[1:], strict=False)):
                raise InvalidAt("weights must not increase from one place to the next", "weights")
            if self.max is not None and len(self.weights) < self.max:
                raise InvalidAt(f"a ranking of up to {self.max} places needs {self.max} weights", "weights")
        return self


class CountingRule(_Strict):
    """How a pool's ballots become its result (see :class:`bot.domain.CountingRuleKind`).

    ``min_votes`` is the minimum support (votes or points) a project needs to be selected. ``add1`` completes
    the Method of Equal Shares in pabulib's last-feasible sense; ``fill`` then adds projects greedily by votes
    while money is left. ``winners`` is how many options win a single-winner or multi-winner count.
    ``majority`` is ``simple`` (more yes than no) or ``absolute`` (more yes than half of all ballots cast).

    The support a ``greedy``, ``greedy_no_skip`` or ``mes`` count works with follows from the pool's
    ballot rule: votes for choice rules, points for ``cumulative`` and for a ``ranking`` with
    ``weights`` (so Kraków's "points-greedy" is ``rule = "greedy"`` on a ranking pool with
    ``weights = [3, 2, 1]``). ``majority`` needs a ``yes_no_abstain`` ballot, ``score`` a ``score``
    ballot; the budget counts need a pool budget.
    """

    rule: CountingRuleKind
    min_votes: int = Field(default=0, ge=0)
    add1: bool = False
    fill: bool = False
    winners: int = Field(default=1, ge=1)
    majority: str = Field(default="simple", pattern=r"^(simple|absolute)$")


class Pool(_Strict):
    """A budget pot or a group of items sharing a ballot rule; ``district`` limits it to that district's
    voters."""

    key: Key = MAIN_POOL
    name: LocalizedText | None = None
    budget: Decimal | None = Field(default=None, gt=0)
    district: str | None = None
    ballot: BallotRule
    counting: CountingRule


class Item(_Strict):
    """An option, a project (``cost``, ``pool``), a § section (``number``, ``text``), or a question."""

    key: Key
    kind: ItemKind = ItemKind.OPTION
    pool: Key | None = None
    title: LocalizedText
    text: LocalizedText | None = None
    cost: Decimal | None = Field(default=None, ge=0)
    number: str | None = None  # "§3", "3.1" …


class Eligibility(_Strict):
    """Who may take part: anyone, a roster, invite-code holders, or residents who declare a district.

    ``verify`` says how a voter is checked to be a resident (:class:`bot.domain.VerifyMode`); with ``register``
    or ``pesel`` the check is kept only ``retention_days`` after the results are published, then erased.
    ``min_age`` is checked against the birth date only where there is one: with ``verify = "pesel"``.
    """

    mode: EligibilityMode = EligibilityMode.OPEN
    verify: VerifyMode = VerifyMode.DECLARED
    districts: list[Key] = Field(default_factory=list)
    district_names: dict[str, LocalizedText] = Field(default_factory=dict)
    # what the declared areas are, so that residents are asked for "your municipality" when they are gminas
    area: Literal["district", "municipality"] = "district"
    min_age: int | None = Field(default=None, ge=0, le=120)
    retention_days: int = Field(default=30, ge=0, le=365)


DEFAULT_MIN_RESPONSES = 3
"""Below this many responses an area's (a municipality's) figures are not published: an index's default, and the
rule for every survey whose answers are broken down by area."""


class IndexDimension(_Strict):
    """A group of an index's questions scored together: its key, its name and the item keys of its questions."""

    key: Key
    name: LocalizedText
    items: list[Key] = Field(min_length=1)


class IndexDefinition(_Strict):
    """The ``[index]`` table of a survey: one yearly edition of an index that compares municipalities.

    An index (the *indeks przyjaznego samorządu*) runs once a year as a survey; every year's process carries the
    same ``key`` and its own ``year``, so the editions of one index are the processes sharing that key and its
    history is queryable across years. The municipalities are the survey's ``[eligibility] districts``, matched
    across years by their key (an organisation's slug where the municipality is one).

    Questions are grouped into ``dimensions``. A respondent's score in a dimension is the mean of their answers to
    its questions; their overall score is the mean of their dimension scores (every dimension weighs the same,
    however many questions it has). Without dimensions every question is its own. A municipality's figure is the
    mean of its respondents' scores, published only with at least ``min_responses`` responses (at least 2: one
    response would be that organisation's answers).
    """

    key: Slug
    year: int = Field(ge=2000, le=2100)
    min_responses: int = Field(default=DEFAULT_MIN_RESPONSES, ge=2, le=1000)
    dimensions: list[IndexDimension] = Field(default_factory=list)


class ProcessDefinition(_Strict):
    """One process as a moderator defines it. ``rounds`` > 1 only for deliberative polls (before/after).

    ``organisation`` is the slug of the organisation that runs it (``glos org list``); its moderators may act on
    it. Importing a definition naming an organisation the store does not know is refused, naming the key.
    """

    slug: Slug
    kind: ProcessKind
    organisation: Slug | None = None
    title: LocalizedText
    description: LocalizedText | None = None
    secret: bool = False
    results: ResultsVisibility = ResultsVisibility.AFTER_PUBLISH
    auto_publish: bool = False
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    reminders: list[str] = Field(default_factory=list)  # "3d", "1d", "2h": before closing
    anonymous_report: bool = True
    notice: Notice | None = None  # a consultation's organiser, legal basis and meetings (bot/definition/notice.py)
    rounds: int = Field(default=1, ge=1, le=2)
    # A deliberative poll's briefing (spotkanie informacyjne): round 2 opens at this time, or when a moderator
    # marks the briefing held (/spotkanie_odbyte), which sets it to that moment. None: only the moderator opens it.
    briefing_at: datetime | None = None
    eligibility: Eligibility = Field(default_factory=Eligibility)
    pools: list[Pool] = Field(default_factory=list)
    items: list[Item] = Field(default_factory=list)
    index: IndexDefinition | None = None

    @field_validator("reminders")
    @classmethod
    def _reminder_offsets(cls, value: list[str]) -> list[str]:
        for offset in value:
            if not offset[:-1].isdigit() or offset[-1] not in "dhm":
                raise ValueError(f"reminder offset {offset!r} must look like 3d, 12h or 30m")
        return value

    @model_validator(mode="after")
    def _check_consistency(self) -> ProcessDefinition:
        # the offsets first: comparing a naive with an aware datetime raises TypeError, not a validation error
        for name, when in (
            ("opens_at", self.opens_at),
            ("closes_at", self.closes_at),
            ("briefing_at", self.briefing_at),
        ):
            if when is not None and when.tzinfo is None:
                raise InvalidAt(f"{name} needs a time zone offset, e.g. 2027-06-15T08:00:00+02:00", name)
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise InvalidAt("closes_at must be after opens_at", "closes_at")
        self._check_reminder_window()
        seen_pools: dict[str, int] = {}
        for index, pool in enumerate(self.pools):
            folded = pool.key.casefold()
            if folded in seen_pools:
                raise InvalidAt(f"pool key {pool.key!r} is used twice (keys ignore case)", "pools", index, "key")
            seen_pools[folded] = index
        pool_keys = [pool.key for pool in self.pools]
        seen_items: dict[str, int] = {}
        for index, item in enumerate(self.items):
            folded = item.key.casefold()
            if folded in seen_items:
                raise InvalidAt(
                    f"item keys must be unique: {item.key} is used twice (keys ignore case)",
                    "items",
                    index,
                    "key",
                )
            if folded in seen_pools:
                raise InvalidAt(f"item key {item.key!r} is also a pool key", "items", index, "key")
            seen_items[folded] = index
        for index, item in enumerate(self.items):
            if item.kind is ItemKind.SECTION:
                continue
            pool_key = item.pool or (MAIN_POOL if MAIN_POOL in pool_keys else None)
            if pool_key not in pool_keys:
                raise InvalidAt(
                    f"item {item.key!r} names pool {item.pool!r}, which is not defined",
                    "items",
                    index,
                    "pool" if item.pool else "key",
                )
        if self.kind is ProcessKind.CONSULTATION:
            if not any(item.kind is ItemKind.SECTION for item in self.items):
                raise InvalidAt("a consultation needs at least one item of kind 'section'", "items")
        elif not self.pools:
            raise InvalidAt(f"a {self.kind.value} needs at least one pool", "pools")
        if self.kind is ProcessKind.BUDGET:
            for index, pool in enumerate(self.pools):
                if pool.budget is None:
                    raise InvalidAt(f"budget pool {pool.key!r} needs a budget", "pools", index, "budget")
            for index, item in enumerate(self.items):
                if item.kind is ItemKind.PROJECT and item.cost is None:
                    raise InvalidAt(f"project {item.key!r} needs a cost", "items", index, "cost")
        if self.rounds > 1 and self.kind is not ProcessKind.DELIBERATIVE_POLL:
            raise InvalidAt("only a deliberative poll has two rounds", "rounds")
        if self.briefing_at is not None and self.rounds < 2:
            raise InvalidAt(
                "briefing_at opens round 2: only a deliberative poll with rounds = 2 has one", "briefing_at"
            )
        self._check_districts()
        self._check_verification()
        for index, pool in enumerate(self.pools):
            self._check_pool(index, pool)
        self._check_index()
        return self

    def round_open(self, round_no: int, now: datetime) -> bool:
        """Whether ``round_no`` takes answers at ``now`` (the process being open): round 1 always, round 2 of a
        deliberative poll from its briefing on (:attr:`briefing_at`; never before a moderator marks it held)."""
        if round_no < 2:
            return True
        return self.briefing_at is not None and now >= self.briefing_at

    @property
    def min_responses(self) -> int:
        """How many responses an area needs before its figures are published (:data:`DEFAULT_MIN_RESPONSES`
        unless the ``[index]`` says otherwise)."""
        return self.index.min_responses if self.index is not None else DEFAULT_MIN_RESPONSES

    def dimensions(self) -> list[IndexDimension]:
        """The index's dimensions; without ``[index] dimensions`` each scored question is one of its own."""
        if self.index is not None and self.index.dimensions:
            return list(self.index.dimensions)
        return [
            IndexDimension(key=item.key, name=item.title, items=[item.key])
            for pool in self.pools
            if pool.ballot.rule is BallotRuleKind.SCORE
            for item in self.items_of(pool.key)
        ]

    def _check_index(self) -> None:
        """An index is a survey of areas, and its dimensions name each scored question exactly once."""
        if self.index is None:
            return
        if self.kind is not ProcessKind.SURVEY:
            raise InvalidAt("an [index] belongs to a survey", "index")
        if not self.eligibility.districts:
            raise InvalidAt("an index compares areas: list them in eligibility.districts", "eligibility", "districts")
        scored = {
            item.key
            for pool in self.pools
            if pool.ballot.rule is BallotRuleKind.SCORE
            for item in self.items_of(pool.key)
        }
        if not scored:
            raise InvalidAt("an index needs a pool with a 'score' ballot", "pools")
        for index, pool in enumerate(self.pools):
            if pool.ballot.rule is BallotRuleKind.SCORE and not pool.ballot.require_all:
                # every respondent answers every question, so a dimension has the responses its municipality has
                # and no question's figure can stand on fewer than min_responses answers
                raise InvalidAt("an index asks every question: set require_all = true", "pools", index, "ballot")
        seen: dict[str, str] = {}
        dimension_keys: set[str] = set()
        for index, dimension in enumerate(self.index.dimensions):
            if dimension.key in dimension_keys:
                raise InvalidAt(f"dimension {dimension.key!r} is defined twice", "index", "dimensions", index, "key")
            dimension_keys.add(dimension.key)
            for item in dimension.items:
                if item not in scored:
                    raise InvalidAt(
                        f"dimension {dimension.key!r} names {item!r}, which is not a scored question",
                        "index",
                        "dimensions",
                        index,
                        "items",
                    )
                if item in seen:
                    raise InvalidAt(
                        f"question {item!r} is in dimensions {seen[item]!r} and {dimension.key!r}",
                        "index",
                        "dimensions",
                        index,
                        "items",
                    )
                seen[item] = dimension.key
        if self.index.dimensions and set(seen) != scored:
            missing = ", ".join(sorted(scored - set(seen)))
            raise InvalidAt(f"every scored question belongs to a dimension; missing: {missing}", "index", "dimensions")

    def _check_reminder_window(self) -> None:
        """Each reminder ("3d" before closing) falls inside the open period; a reminder needs a closing time."""
        units = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}
        for index, offset in enumerate(self.reminders):
            if self.closes_at is None:
                raise InvalidAt("reminders need closes_at (they are counted back from it)", "reminders", index)
            before = int(offset[:-1]) * units[offset[-1]]
            if before <= timedelta(0):
                raise InvalidAt(f"reminder offset {offset!r} must be more than zero", "reminders", index)
            if self.opens_at is not None and self.closes_at - before <= self.opens_at:
                raise InvalidAt(
                    f"reminder {offset!r} before closing would come before opening (the process is open for "
                    f"{self.closes_at - self.opens_at})",
                    "reminders",
                    index,
                )

    def _check_verification(self) -> None:
        """A register has no birth dates: an age limit above zero needs PESEL (or a register of adults only)."""
        eligibility = self.eligibility
        if eligibility.verify is VerifyMode.REGISTER and eligibility.min_age:
            raise InvalidAt(
                "a register of residents holds no birth dates, so min_age cannot be checked with verify = "
                "'register': import a register of those old enough and drop min_age, or use verify = 'pesel'",
                "eligibility",
                "min_age",
            )
        if eligibility.verify is not VerifyMode.DECLARED and self.kind is ProcessKind.CONSULTATION:
            raise InvalidAt(
                "a consultation collects opinions, not ballots: verify residents only in a vote, budget, survey "
                "or poll",
                "eligibility",
                "verify",
            )

    def _check_districts(self) -> None:
        districts = self.eligibility.districts
        folded = [district.casefold() for district in districts]
        for index, district in enumerate(folded):
            if district in folded[:index]:
                raise InvalidAt(f"district {districts[index]!r} is listed twice", "eligibility", "districts", index)
        if self.eligibility.mode is EligibilityMode.DECLARED_DISTRICT and not districts:
            raise InvalidAt("eligibility 'declared_district' needs a list of districts", "eligibility", "districts")
        for name in self.eligibility.district_names:
            if name not in districts:
                raise InvalidAt(
                    f"district {name!r} is not in eligibility.districts",
                    "eligibility",
                    "district_names",
                    name,
                )
        for index, pool in enumerate(self.pools):
            if pool.district is not None and pool.district not in districts:
                raise InvalidAt(
                    f"pool {pool.key!r} names district {pool.district!r}, not in eligibility.districts",
                    "pools",
                    index,
                    "district",
                )

    def _check_pool(self, index: int, pool: Pool) -> None:
        """A pool's ballot and counting rules fit each other, its budget and its items."""
        ballot, counting = pool.ballot, pool.counting
        if counting.rule is CountingRuleKind.MAJORITY and ballot.rule is not BallotRuleKind.YES_NO_ABSTAIN:
            raise InvalidAt("counting 'majority' needs a 'yes_no_abstain' ballot", "pools", index, "counting", "rule")
        if counting.rule is CountingRuleKind.SCORE and ballot.rule is not BallotRuleKind.SCORE:
            raise InvalidAt("counting 'score' needs a 'score' ballot", "pools", index, "counting", "rule")
        budget_counts = (CountingRuleKind.GREEDY, CountingRuleKind.GREEDY_NO_SKIP, CountingRuleKind.MES)
        if counting.rule in budget_counts and pool.budget is None:
            raise InvalidAt(f"counting {counting.rule.value!r} needs a pool budget", "pools", index, "budget")
        if ballot.rule is BallotRuleKind.WITHIN_BUDGET and pool.budget is None and ballot.max_cost is None:
            raise InvalidAt("'within_budget' needs a pool budget or max_cost", "pools", index, "ballot", "max_cost")
        items = self.items_of(pool.key)
        if ballot.rule is BallotRuleKind.EXACTLY and ballot.max is not None and items and len(items) < ballot.max:
            raise InvalidAt(
                f"'exactly' {ballot.max} choices, but pool {pool.key!r} has only {len(items)} items",
                "pools",
                index,
                "ballot",
                "max",
            )

    def pool(self, key: str) -> Pool:
        """The pool with ``key``; :class:`KeyError` if there is none."""
        for pool in self.pools:
            if pool.key == key:
                return pool
        raise KeyError(key)

    def items_of(self, pool_key: str) -> list[Item]:
        """The items of one pool, in definition order (items without a pool belong to ``main``)."""
        return [
            item for item in self.items if item.kind is not ItemKind.SECTION and (item.pool or MAIN_POOL) == pool_key
        ]

    def sections(self) -> list[Item]:
        """The § sections a consultation's opinions can be anchored to, in order."""
        return [item for item in self.items if item.kind is ItemKind.SECTION]
