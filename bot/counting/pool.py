"""The bridge the services call: count one pool's ballots under its counting rule.

:func:`count_pool` accepts the pool definition, its items (definition order) and the pool's part of every ballot
(:data:`bot.domain.PoolVote`) and returns a :class:`PoolResult`. What each rule reads:

===================  ==========================================================================================
rule                 ballots → result
===================  ==========================================================================================
plurality            lists; each ballot's first item counts; top ``winners`` by votes
approval             lists; every item named counts; top ``winners`` by votes
points               rankings (place values ``ballot.weights``, default ``k … 1``) or dicts of points
score                dicts item → score; ranked by mean score (rows also carry the sum and count)
irv                  rankings; :mod:`bot.counting.irv` (winners: the winner, then reverse elimination order)
schulze              rankings; :mod:`bot.counting.schulze`
borda                rankings; :mod:`bot.counting.borda`
greedy               budget: lists (votes) or dicts/rankings (points); skip what does not fit, ``min_votes``
greedy_no_skip       budget: as greedy, stops at the first project that does not fit
mes                  budget: Method of Equal Shares (cost utilities); ``add1`` completes it in pabulib's
                     last-feasible sense, then ``fill`` spends what is left greedily by votes
majority             dicts item → yes/no/abstain; ``simple`` or ``absolute`` majority per item
===================  ==========================================================================================

Ties in ranked-by-total rules go to the item defined first; budget rules break ties by item key as a string
(pabutools); IRV follows pref_voting (see :mod:`bot.counting.irv`). A ballot of the wrong shape, or naming an
item not in the pool, raises :class:`bot.errors.BallotError` (``counting.ballot_shape`` /
``counting.unknown_item``) — ballots are validated before they are stored, so this means a bug or a corrupted
store, never a voter's mistake. With no ballots, single-winner and ranked rules select nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from bot.counting.approvals import Approvals
from bot.counting.borda import borda_scores
from bot.counting.greedy import greedy
from bot.counting.irv import instant_runoff
from bot.counting.majority import answers, passes
from bot.counting.outcome import BudgetOutcome, Reason
from bot.counting.schulze import schulze
from bot.counting.scores import (
    approval_counts,
    plurality_counts,
    points_from_rankings,
    rank_by,
    ranking_weights,
    score_totals,
    sum_points,
)
from bot.definition.model import Item, Pool
from bot.domain import CountingRuleKind, PoolVote
from bot.errors import BallotError

__all__ = ["ItemRow", "PoolResult", "count_pool", "opinion_shift"]


@dataclass(frozen=True, slots=True)
class ItemRow:
    """One item's line in a result. Fields that do not apply to the rule are ``None``.

    ``votes``: ballots naming the item (first choices for plurality and IRV's first round, answers for
    majority, scorers for score); ``points``: points, Borda points or summed scores; ``score``: mean score;
    ``reason``: a :class:`bot.counting.outcome.Reason` value when not selected; ``rank``: 1-based place in the
    rule's order (winners first).
    """

    item: str
    selected: bool
    votes: int | None = None
    points: Fraction | None = None
    score: Fraction | None = None
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None
    cost: Decimal | None = None
    reason: str | None = None
    rank: int | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; fractions become decimal strings rounded to 6 places (exact when shorter)."""
        out: dict[str, Any] = {"item": self.item, "selected": self.selected}
        for name in ("votes", "yes", "no", "abstain", "rank", "reason"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        for name in ("points", "score"):
            value = getattr(self, name)
            if value is not None:
                out[name] = _number(value)
        if self.cost is not None:
            out["cost"] = str(self.cost)
        return out


@dataclass(frozen=True, slots=True)
class PoolResult:
    """The result of one pool: rows in the rule's order (winners first), winners in order, and for budget
    pools the money used and the budget. ``voters`` is the number of eligible voters when the caller knows it
    (for turnout), ``details`` rule-specific extras (IRV rounds, Schulze ties)."""

    pool: str
    rule: str
    ballots: int
    rows: tuple[ItemRow, ...]
    winners: tuple[str, ...]
    budget: Decimal | None = None
    used: Decimal | None = None
    voters: int | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def row(self, item: str) -> ItemRow:
        """The row of ``item``; :class:`KeyError` if it is not in this pool."""
        for row in self.rows:
            if row.item == item:
                return row
        raise KeyError(item)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the whole result."""
        out: dict[str, Any] = {
            "pool": self.pool,
            "rule": self.rule,
            "ballots": self.ballots,
            "winners": list(self.winners),
            "rows": [row.to_json() for row in self.rows],
        }
        if self.budget is not None:
            out["budget"] = str(self.budget)
            out["used"] = str(self.used if self.used is not None else Decimal(0))
        if self.voters is not None:
            out["voters"] = self.voters
            out["turnout"] = _number(Fraction(self.ballots, self.voters)) if self.voters else None
        if self.details:
            out["details"] = dict(self.details)
        return out


def _number(value: Fraction) -> str | int:
    if value.denominator == 1:
        return value.numerator
    text = f"{float(value):.6f}".rstrip("0").rstrip(".")
    return text


def _lists(pool: Pool, ballots: Sequence[PoolVote], known: set[str]) -> list[list[str]]:
    out: list[list[str]] = []
    for ballot in ballots:
        if not isinstance(ballot, list):
            raise BallotError("counting.ballot_shape", pool=pool.key, rule=pool.counting.rule.value)
        for item in ballot:
            if item not in known:
                raise BallotError("counting.unknown_item", pool=pool.key, item=item)
        out.append(ballot)
    return out


def _dicts(pool: Pool, ballots: Sequence[PoolVote], known: set[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for ballot in ballots:
        if not isinstance(ballot, dict):
            raise BallotError("counting.ballot_shape", pool=pool.key, rule=pool.counting.rule.value)
        for item in ballot:
            if item not in known:
                raise BallotError("counting.unknown_item", pool=pool.key, item=item)
        out.append(ballot)
    return out


def _weights(pool: Pool, lists: Sequence[Sequence[str]]) -> list[int]:
    longest = pool.ballot.max or max((len(b) for b in lists), default=0)
    return ranking_weights(longest, pool.ballot.weights)


def _ranked_result(
    pool: Pool,
    keys: list[str],
    n: int,
    order: list[str],
    rows: dict[str, dict[str, Any]],
    details: Mapping[str, Any] | None = None,
) -> PoolResult:
    """Rows in ``order``; the first ``winners`` items win (none when there are no ballots)."""
    winners = order[: pool.counting.winners] if n else []
    chosen = set(winners)
    out = tuple(
        ItemRow(
            item=item,
            selected=item in chosen,
            reason=None if item in chosen else Reason.NOT_REACHED.value,
            rank=place,
            **rows.get(item, {}),
        )
        for place, item in enumerate(order, start=1)
    )
    return PoolResult(pool.key, pool.counting.rule.value, n, out, tuple(winners), details=details or {})


def _budget_result(
    pool: Pool,
    items: Sequence[Item],
    n: int,
    outcome: BudgetOutcome,
    votes: Mapping[str, int],
    points: Mapping[str, Fraction] | None,
) -> PoolResult:
    keys = [item.key for item in items]
    winners = [keys[i] for i in outcome.selected]
    chosen = set(winners)
    cost = {item.key: item.cost if item.cost is not None else Decimal(0) for item in items}
    rest = [k for k in keys if k not in chosen]
    support: dict[str, Fraction | int] = dict(points) if points is not None else dict(votes)
    rest = rank_by(rest, support)
    index = {k: i for i, k in enumerate(keys)}
    rows = tuple(
        ItemRow(
            item=k,
            selected=k in chosen,
            votes=votes[k],
            points=points[k] if points is not None else None,
            cost=cost[k],
            reason=None if k in chosen else outcome.reasons.get(index[k], Reason.NOT_REACHED).value,
            rank=place,
        )
        for place, k in enumerate(winners + rest, start=1)
    )
    used = sum((cost[k] for k in winners), Decimal(0))
    return PoolResult(pool.key, pool.counting.rule.value, n, rows, tuple(winners), pool.budget, used)


def count_pool(pool: Pool, items: list[Item], ballots: Iterable[PoolVote], *, voters: int | None = None) -> PoolResult:
    """Count ``ballots`` (this pool's part of each ballot) under ``pool.counting`` (see the module docstring).

    ``items`` are the pool's items in definition order; ``voters``, if known, is the number of eligible voters
    and is only reported (turnout). Budget rules need ``pool.budget`` and item costs (missing costs count as 0).
    """
    votes = list(ballots)
    n = len(votes)
    keys = [item.key for item in items]
    known = set(keys)
    rule = pool.counting.rule
    result: PoolResult

    if rule is CountingRuleKind.PLURALITY or rule is CountingRuleKind.APPROVAL:
        lists = _lists(pool, votes, known)
        counts = plurality_counts(keys, lists) if rule is CountingRuleKind.PLURALITY else approval_counts(keys, lists)
        result = _ranked_result(pool, keys, n, rank_by(keys, counts), {k: {"votes": counts[k]} for k in keys})
    elif rule is CountingRuleKind.POINTS:
        if all(isinstance(v, list) for v in votes):
            lists = _lists(pool, votes, known)
            totals = points_from_rankings(keys, lists, _weights(pool, lists))
            named = approval_counts(keys, lists)
        else:
            dicts = _dicts(pool, votes, known)
            totals = sum_points(keys, dicts)
            named = {k: sum(1 for d in dicts if d.get(k)) for k in keys}
        rows = {k: {"votes": named[k], "points": totals[k]} for k in keys}
        result = _ranked_result(pool, keys, n, rank_by(keys, totals), rows)
    elif rule is CountingRuleKind.SCORE:
        dicts = _dicts(pool, votes, known)
        scored = score_totals(keys, dicts)
        means: dict[str, Fraction | None] = {
            k: (total / count if count else None) for k, (total, count) in scored.items()
        }
        rows = {k: {"votes": scored[k][1], "points": scored[k][0], "score": means[k]} for k in keys}
        # how many gave each score, per item: a mean alone hides a split opinion
        distribution = {k: dict(sorted(Counter(int(d[k]) for d in dicts if k in d).items())) for k in keys}
        result = _ranked_result(pool, keys, n, rank_by(keys, means), rows, {"distribution": distribution})
    elif rule is CountingRuleKind.IRV:
        irv = instant_runoff(keys, _lists(pool, votes, known))
        first = irv.rounds[0] if irv.rounds else {}
        rows = {k: {"votes": first.get(k, 0)} for k in keys}
        details = {"eliminated": list(irv.eliminated), "rounds": [dict(r) for r in irv.rounds]}
        result = _ranked_result(pool, keys, n, irv.order(), rows, details)
    elif rule is CountingRuleKind.SCHULZE:
        lists = _lists(pool, votes, known)
        sch = schulze(keys, lists)
        first_choices = plurality_counts(keys, lists)
        rows = {k: {"votes": first_choices[k], "points": Fraction(sch.wins[k])} for k in keys}
        result = _ranked_result(pool, keys, n, list(sch.order), rows, {"tied": list(sch.tied)})
    elif rule is CountingRuleKind.BORDA:
        borda = borda_scores(keys, _lists(pool, votes, known))
        rows = {k: {"points": Fraction(borda[k])} for k in keys}
        result = _ranked_result(pool, keys, n, rank_by(keys, borda), rows)
    elif rule is CountingRuleKind.MAJORITY:
        try:
            tallies = answers(keys, _dicts(pool, votes, known))
        except ValueError:
            raise BallotError("counting.ballot_shape", pool=pool.key, rule=rule.value) from None
        decided = {k: passes(t, pool.counting.majority) for k, t in tallies.items()}
        margin = {k: t.yes - t.no for k, t in tallies.items()}
        order = rank_by(keys, margin)
        out = tuple(
            ItemRow(
                item=k,
                selected=decided[k],
                votes=tallies[k].cast,
                yes=tallies[k].yes,
                no=tallies[k].no,
                abstain=tallies[k].abstain,
                reason=None if decided[k] else Reason.NOT_REACHED.value,
                rank=place,
            )
            for place, k in enumerate(order, start=1)
        )
        result = PoolResult(pool.key, rule.value, n, out, tuple(k for k in order if decided[k]))
    else:
        result = _count_budget(pool, items, votes, known)
    if voters is not None:
        result = PoolResult(
            result.pool,
            result.rule,
            result.ballots,
            result.rows,
            result.winners,
            result.budget,
            result.used,
            voters,
            result.details,
        )
    return result


def _count_budget(pool: Pool, items: Sequence[Item], votes: list[PoolVote], known: set[str]) -> PoolResult:
    """greedy, greedy_no_skip and mes."""
    keys = [item.key for item in items]
    n = len(votes)
    costs = [Fraction(item.cost) if item.cost is not None else Fraction(0) for item in items]
    budget = Fraction(pool.budget) if pool.budget is not None else Fraction(0)
    points: dict[str, Fraction] | None = None
    if all(isinstance(v, list) for v in votes):
        lists = _lists(pool, votes, known)
        supports: list[list[str]] = lists
        if pool.ballot.weights is not None:  # ranked budget ballots (Kraków) are counted by points
            points = points_from_rankings(keys, lists, pool.ballot.weights)
    else:
        dicts = _dicts(pool, votes, known)
        supports = [[k for k, v in d.items() if v] for d in dicts]
        points = sum_points(keys, dicts)
    counts = approval_counts(keys, supports)
    support: list[Fraction | int] = [points[k] if points is not None else counts[k] for k in keys]
    threshold = pool.counting.min_votes
    rule = pool.counting.rule
    if rule is CountingRuleKind.MES:
        below = {i for i, s in enumerate(support) if s < threshold}
        allowed = [[k for k in b if keys.index(k) not in below] for b in supports] if below else supports
        from bot.counting.mes import equal_shares, equal_shares_add1, fill_greedily  # numpy: only when counting

        approvals = Approvals.from_ballots(keys, costs, allowed)
        outcome = equal_shares_add1(approvals, budget) if pool.counting.add1 else equal_shares(approvals, budget)
        if pool.counting.fill:
            outcome = fill_greedily(approvals, outcome, budget, support, min_support=threshold)
        reasons = dict(outcome.reasons)
        for i in below:
            reasons[i] = Reason.BELOW_THRESHOLD
        outcome = BudgetOutcome(outcome.selected, reasons, outcome.spent)
    else:
        outcome = greedy(
            keys,
            costs,
            support,
            budget,
            min_support=threshold,
            stop_at_first_misfit=rule is CountingRuleKind.GREEDY_NO_SKIP,
        )
    return _budget_result(pool, items, n, outcome, counts, points)


def opinion_shift(before: PoolResult, after: PoolResult) -> dict[str, Fraction | None]:
    """Per item of a deliberative poll's two rounds: mean score after minus mean score before (``None`` when
    either round has no mean for it). For majority questions the share of yes among answers is compared."""

    def mean(row: ItemRow) -> Fraction | None:
        if row.score is not None:
            return row.score
        if row.yes is not None and row.votes:
            return Fraction(row.yes, row.votes)
        return None

    first = {row.item: mean(row) for row in before.rows}
    shift: dict[str, Fraction | None] = {}
    for row in after.rows:
        a, b = first.get(row.item), mean(row)
        shift[row.item] = None if a is None or b is None else b - a
    return shift
