"""Ballot rules: is this ballot valid for this process, and what does the basket look like so far.

The one place that decides whether a ballot counts, for every channel (Telegram buttons, e-mail replies,
the console, paper ballots entered by a moderator). :func:`validate_ballot` either returns the ballot in its
normal form or raises :class:`~bot.errors.BallotError` whose key names the broken rule; the parameters fill
the sentence in ``bot/locale/*/LC_MESSAGES/ballots.po``. Where a sentence has a number followed by a noun
("najwyżej 5 projektów"), that number is also passed as ``count``, which selects the plural form.

The keys, by rule:

=============================  ====================================================================
``ballot.empty``               nothing chosen in any pool
``ballot.malformed``           a pool's vote has the wrong shape (a list where scores are expected …)
``ballot.unknown_pool``        no such pool
``ballot.no_district``         a district pool, but the voter has not declared a district
``ballot.other_district``      a pool of another district than the voter's
``ballot.unknown_district``    the voter's district is not one of the process's districts
``ballot.unknown_item``        no such item in the process
``ballot.item_of_other_pool``  the item exists, but in another pool
``ballot.duplicate``           the same item chosen twice
``ballot.too_few``             fewer than ``min`` items (choice, points, score, answers)
``ballot.too_many``            more than ``max`` items
``ballot.not_exactly``         ``one_of`` / ``exactly``: not exactly ``n`` items
``ballot.over_budget``         ``within_budget``: the chosen projects cost more than the budget
``ballot.too_many_points``     ``cumulative``: more than ``max_total`` points in total
``ballot.too_many_points_item``  ``cumulative``: more than ``max_per_item`` points for one item
``ballot.negative_points``     ``cumulative``: points below zero
``ballot.score_out_of_range``  ``score``: a score outside ``[min_score, max_score]``
``ballot.missing_scores``      ``score`` with ``require_all``: some items not scored
``ballot.missing_answers``     ``yes_no_abstain`` with ``require_all``: some questions not answered
``ballot.invalid_answer``      ``yes_no_abstain``: an answer other than yes / no / abstain
``ballot.ranking_duplicate``   ``ranking``: the same item ranked twice
``ballot.ranking_too_short``   ``ranking``: fewer than ``min`` places
``ballot.ranking_too_long``    ``ranking``: more than ``max`` places (or weights)
``ballot.ranking_not_exactly``  ``ranking`` with ``min == max``: not exactly ``n`` places
=============================  ====================================================================
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.definition.model import Pool, ProcessDefinition
from bot.domain import Answer, Ballot, BallotRuleKind, PoolVote
from bot.errors import BallotError

__all__ = [
    "CHOICE_RULES",
    "BasketSummary",
    "basket_summary",
    "max_choices",
    "validate_ballot",
]

CHOICE_RULES = frozenset(
    {
        BallotRuleKind.ONE_OF,
        BallotRuleKind.UP_TO,
        BallotRuleKind.EXACTLY,
        BallotRuleKind.MIN_MAX,
        BallotRuleKind.WITHIN_BUDGET,
    }
)
"""Rules whose pool vote is a set of item keys (a ``list[str]`` without order)."""

_POINT_RULES = frozenset({BallotRuleKind.CUMULATIVE, BallotRuleKind.SCORE})


def max_choices(definition: ProcessDefinition, pool: Pool) -> int | None:
    """How many items one ballot may name in ``pool`` at most (``None``: no limit besides the item count).

    ``one_of`` is 1; a ranking without ``max`` is as long as its ``weights``.
    """
    rule = pool.ballot
    if rule.rule is BallotRuleKind.ONE_OF:
        return 1
    if rule.max is not None:
        return rule.max
    if rule.rule is BallotRuleKind.RANKING and rule.weights:
        return len(rule.weights)
    return None


def _min_choices(pool: Pool) -> int:
    return 1 if pool.ballot.rule is BallotRuleKind.ONE_OF else pool.ballot.min


def _budget_of(pool: Pool) -> Decimal | None:
    return pool.ballot.max_cost if pool.ballot.max_cost is not None else pool.budget


def validate_ballot(definition: ProcessDefinition, ballot: Ballot, *, district: str | None = None) -> Ballot:
    """Check ``ballot`` against the pools' ballot rules; return it normalised or raise :class:`BallotError`.

    ``district`` is the voter's declared district: a voter may use the pools without a district and the pools
    of their own district only (one district per voter). The normal form keeps the pools in definition order
    and drops pools with an empty vote (and zero-point entries of ``cumulative`` pools); item keys are strings
    (integers are accepted and converted); choice lists are in definition order, rankings keep the voter's
    order; answers are :class:`~bot.domain.Answer` members. A ballot with nothing left is ``ballot.empty``.
    The function has no side effects and does not look at eligibility beyond the district.
    """
    if not isinstance(ballot, Mapping):
        raise BallotError("ballot.malformed", pool="")
    if district is not None and definition.eligibility.districts and district not in definition.eligibility.districts:
        raise BallotError("ballot.unknown_district", district=district)
    normal: dict[str, PoolVote] = {}
    for raw_key, vote in ballot.items():
        pool_key = str(raw_key)
        try:
            pool = definition.pool(pool_key)
        except KeyError:
            raise BallotError("ballot.unknown_pool", pool=pool_key) from None
        if _is_empty(vote):
            continue
        _check_district(pool, district)
        checked = _validate_pool(definition, pool, vote)
        if checked:
            normal[pool.key] = checked
    if not normal:
        raise BallotError("ballot.empty")
    order = [pool.key for pool in definition.pools]
    return {key: normal[key] for key in order if key in normal}


def _is_empty(vote: Any) -> bool:
    return isinstance(vote, Mapping | list | tuple) and len(vote) == 0


def _check_district(pool: Pool, district: str | None) -> None:
    if pool.district is None:
        return
    if district is None:
        raise BallotError("ballot.no_district", pool=pool.key)
    if pool.district != district:
        raise BallotError("ballot.other_district", pool=pool.key, district=pool.district, voter_district=district)


def _item_key(value: Any, pool: Pool) -> str:
    # bool is an int subclass; True as an item key is a bug upstream, not project no. 1
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BallotError("ballot.malformed", pool=pool.key)
    return str(value)


def _check_items(definition: ProcessDefinition, pool: Pool, keys: Sequence[str]) -> None:
    """Every key is an item of ``pool``."""
    own = {item.key for item in definition.items_of(pool.key)}
    for key in keys:
        if key in own:
            continue
        other = next((item for item in definition.items if item.key == key), None)
        if other is None:
            raise BallotError("ballot.unknown_item", item=key)
        raise BallotError("ballot.item_of_other_pool", item=key, pool=pool.key, item_pool=other.pool or "main")


def _validate_pool(definition: ProcessDefinition, pool: Pool, vote: Any) -> PoolVote:
    kind = pool.ballot.rule
    if kind in CHOICE_RULES or kind is BallotRuleKind.RANKING:
        if not isinstance(vote, list | tuple):
            raise BallotError("ballot.malformed", pool=pool.key)
        keys = [_item_key(value, pool) for value in vote]
        _check_items(definition, pool, keys)
        if kind is BallotRuleKind.RANKING:
            return _validate_ranking(definition, pool, keys)
        return _validate_choice(definition, pool, keys)
    if not isinstance(vote, Mapping):
        raise BallotError("ballot.malformed", pool=pool.key)
    entries = {_item_key(key, pool): value for key, value in vote.items()}
    if len(entries) != len(vote):  # {1: …, "1": …}
        raise BallotError("ballot.duplicate", pool=pool.key, item=_first_repeated([str(k) for k in vote]))
    _check_items(definition, pool, list(entries))
    if kind in _POINT_RULES:
        for value in entries.values():
            if isinstance(value, bool) or not isinstance(value, int):
                raise BallotError("ballot.malformed", pool=pool.key)
        points = {key: int(value) for key, value in entries.items()}
        if kind is BallotRuleKind.CUMULATIVE:
            return _validate_cumulative(definition, pool, points)
        return _validate_score(definition, pool, points)
    return _validate_answers(definition, pool, entries)


def _first_repeated(keys: Sequence[str]) -> str:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            return key
        seen.add(key)
    return keys[0] if keys else ""


def _check_count(pool: Pool, chosen: int, maximum: int | None) -> None:
    """The shared min / max / exactly check on the number of items a pool vote names."""
    minimum = _min_choices(pool)
    exact = pool.ballot.rule in (BallotRuleKind.ONE_OF, BallotRuleKind.EXACTLY)
    if exact and maximum is not None and chosen != maximum:
        raise BallotError("ballot.not_exactly", pool=pool.key, count=maximum, n=maximum, chosen=chosen)
    if chosen < minimum:
        raise BallotError("ballot.too_few", pool=pool.key, count=minimum, min=minimum, chosen=chosen)
    if maximum is not None and chosen > maximum:
        raise BallotError("ballot.too_many", pool=pool.key, count=maximum, max=maximum, chosen=chosen)


def _in_definition_order(definition: ProcessDefinition, pool: Pool, keys: Sequence[str]) -> list[str]:
    chosen = set(keys)
    return [item.key for item in definition.items_of(pool.key) if item.key in chosen]


def _validate_choice(definition: ProcessDefinition, pool: Pool, keys: list[str]) -> list[str]:
    if len(set(keys)) != len(keys):
        raise BallotError("ballot.duplicate", pool=pool.key, item=_first_repeated(keys))
    _check_count(pool, len(keys), max_choices(definition, pool))
    if pool.ballot.rule is BallotRuleKind.WITHIN_BUDGET:
        cost = _cost(definition, pool, keys)
        budget = _budget_of(pool)
        if budget is not None and cost > budget:
            raise BallotError("ballot.over_budget", pool=pool.key, cost=cost, budget=budget, over=cost - budget)
    return _in_definition_order(definition, pool, keys)


def _validate_ranking(definition: ProcessDefinition, pool: Pool, keys: list[str]) -> list[str]:
    if len(set(keys)) != len(keys):
        raise BallotError("ballot.ranking_duplicate", pool=pool.key, item=_first_repeated(keys))
    minimum, maximum = pool.ballot.min, max_choices(definition, pool)
    if maximum is not None and minimum == maximum and len(keys) != maximum:
        raise BallotError("ballot.ranking_not_exactly", pool=pool.key, count=maximum, n=maximum, chosen=len(keys))
    if len(keys) < minimum:
        raise BallotError("ballot.ranking_too_short", pool=pool.key, count=minimum, min=minimum, chosen=len(keys))
    if maximum is not None and len(keys) > maximum:
        raise BallotError("ballot.ranking_too_long", pool=pool.key, count=maximum, max=maximum, chosen=len(keys))
    return keys


def _validate_cumulative(definition: ProcessDefinition, pool: Pool, points: dict[str, int]) -> dict[str, int]:
    rule = pool.ballot
    for key, value in points.items():
        if value < 0:
            raise BallotError("ballot.negative_points", pool=pool.key, item=key, points=value)
        if rule.max_per_item is not None and value > rule.max_per_item:
            raise BallotError(
                "ballot.too_many_points_item",
                pool=pool.key,
                item=key,
                points=value,
                count=rule.max_per_item,
                max=rule.max_per_item,
            )
    given = {key: value for key, value in points.items() if value > 0}  # 0 points = not chosen
    total = sum(given.values())
    if rule.max_total is not None and total > rule.max_total:
        raise BallotError(
            "ballot.too_many_points", pool=pool.key, total=total, count=rule.max_total, max=rule.max_total
        )
    if given:
        _check_count(pool, len(given), max_choices(definition, pool))
    return {key: given[key] for key in _in_definition_order(definition, pool, list(given))}


def _validate_score(definition: ProcessDefinition, pool: Pool, scores: dict[str, int]) -> dict[str, int]:
    rule = pool.ballot
    for key, value in scores.items():
        if not rule.min_score <= value <= rule.max_score:
            raise BallotError(
                "ballot.score_out_of_range",
                pool=pool.key,
                item=key,
                score=value,
                min=rule.min_score,
                max=rule.max_score,
            )
    _check_required(definition, pool, scores, "ballot.missing_scores")
    _check_count(pool, len(scores), max_choices(definition, pool))
    return {key: scores[key] for key in _in_definition_order(definition, pool, list(scores))}


def _check_required(definition: ProcessDefinition, pool: Pool, given: Mapping[str, Any], key: str) -> None:
    if not pool.ballot.require_all:
        return
    missing = [item.key for item in definition.items_of(pool.key) if item.key not in given]
    if missing:
        raise BallotError(key, pool=pool.key, count=len(missing), items=", ".join(missing))


def _validate_answers(definition: ProcessDefinition, pool: Pool, entries: dict[str, Any]) -> dict[str, str]:
    answers: dict[str, Answer] = {}
    for key, value in entries.items():
        try:
            answers[key] = Answer(value.casefold()) if isinstance(value, str) else Answer(value)
        except ValueError:
            raise BallotError("ballot.invalid_answer", pool=pool.key, item=key, answer=str(value)) from None
    _check_required(definition, pool, answers, "ballot.missing_answers")
    _check_count(pool, len(answers), max_choices(definition, pool))
    return {key: answers[key] for key in _in_definition_order(definition, pool, list(answers))}


def _cost(definition: ProcessDefinition, pool: Pool, keys: Sequence[str]) -> Decimal:
    costs = {item.key: item.cost or Decimal(0) for item in definition.items_of(pool.key)}
    return sum((costs[key] for key in keys), Decimal(0))


@dataclass(frozen=True)
class BasketSummary:
    """What the voter's basket in one pool looks like right now (the Telegram basket shows it).

    ``cost`` is the total cost of the chosen items; ``budget`` is the pool's spending limit for a
    ``within_budget`` ballot (``max_cost``, else the pool budget) and the pool budget otherwise (then it is
    for information: greedy counting, not the ballot, enforces it); ``left`` is ``budget - cost`` (negative
    when over). ``count`` is how many items are chosen (points given, scores given), against ``min`` and
    ``max``. For ``cumulative`` ballots ``points`` is the total given and ``max_points`` the allowance.
    """

    pool: str
    rule: BallotRuleKind
    count: int
    min: int
    max: int | None
    cost: Decimal
    budget: Decimal | None
    left: Decimal | None
    points: int | None = None
    max_points: int | None = None

    @property
    def over_budget(self) -> bool:
        """Whether the chosen items cost more than the budget (only refused for ``within_budget``)."""
        return self.left is not None and self.left < 0

    @property
    def full(self) -> bool:
        """Whether no further item may be added (the count or, for ``within_budget``, nothing is left)."""
        if self.max is not None and self.count >= self.max:
            return True
        return self.rule is BallotRuleKind.WITHIN_BUDGET and self.left is not None and self.left <= 0


def basket_summary(definition: ProcessDefinition, ballot: Ballot, pool_key: str) -> BasketSummary:
    """Cost, money left, count and limits of ``ballot``'s vote in ``pool_key``, which may be incomplete.

    Does not apply the count or budget limits (a basket is work in progress); raises :class:`BallotError`
    (``ballot.unknown_pool``, ``ballot.unknown_item``, ``ballot.item_of_other_pool``, ``ballot.malformed``)
    only for what cannot be summed at all.
    """
    try:
        pool = definition.pool(pool_key)
    except KeyError:
        raise BallotError("ballot.unknown_pool", pool=pool_key) from None
    vote = ballot.get(pool_key, [])
    points: int | None = None
    if isinstance(vote, Mapping):
        keys = [_item_key(key, pool) for key, value in vote.items() if value != 0]
        if pool.ballot.rule is BallotRuleKind.CUMULATIVE:
            points = sum(value for value in vote.values() if isinstance(value, int))
    elif isinstance(vote, list | tuple):
        keys = [_item_key(key, pool) for key in vote]
    else:
        raise BallotError("ballot.malformed", pool=pool.key)
    _check_items(definition, pool, keys)
    unique = list(dict.fromkeys(keys))
    cost = _cost(definition, pool, unique)
    budget = _budget_of(pool) if pool.ballot.rule is BallotRuleKind.WITHIN_BUDGET else pool.budget
    return BasketSummary(
        pool=pool.key,
        rule=pool.ballot.rule,
        count=len(unique),
        min=_min_choices(pool),
        max=max_choices(definition, pool),
        cost=cost,
        budget=budget,
        left=budget - cost if budget is not None else None,
        points=points,
        max_points=pool.ballot.max_total if pool.ballot.rule is BallotRuleKind.CUMULATIVE else None,
    )
