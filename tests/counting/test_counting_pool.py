"""count_pool for every counting rule, on hand-checked small elections."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from bot.counting.pool import count_pool, opinion_shift
from bot.definition.model import BallotRule, CountingRule, Item, Pool
from bot.domain import BallotRuleKind, CountingRuleKind, PoolVote
from bot.errors import BallotError


def _pool(rule: CountingRuleKind, ballot: BallotRuleKind = BallotRuleKind.UP_TO, **counting: Any) -> Pool:
    extra: dict[str, Any] = {}
    if "budget" in counting:
        extra["budget"] = counting.pop("budget")
    weights = counting.pop("weights", None)
    ballot_rule = (
        BallotRule(rule=ballot, max=len(weights) if weights else 5, weights=weights)
        if ballot is not BallotRuleKind.CUMULATIVE
        else (BallotRule(rule=ballot, max_total=10))
    )
    return Pool(key="main", ballot=ballot_rule, counting=CountingRule(rule=rule, **counting), **extra)


def _items(*keys: str, costs: dict[str, int] | None = None) -> list[Item]:
    return [Item(key=k, title=k, cost=Decimal(costs[k]) if costs else None) for k in keys]


def test_plurality_counts_first_choices_and_breaks_ties_by_definition_order() -> None:
    ballots: list[PoolVote] = [["b"], ["a"], ["b"], ["a"], ["c"]]
    result = count_pool(_pool(CountingRuleKind.PLURALITY, BallotRuleKind.ONE_OF), _items("a", "b", "c"), ballots)
    assert result.winners == ("a",)  # a and b both have 2; a is defined first
    assert result.row("b").votes == 2 and result.row("b").reason == "not_reached"
    assert result.ballots == 5
    assert [row.item for row in result.rows] == ["a", "b", "c"]


def test_approval_with_two_winners() -> None:
    ballots: list[PoolVote] = [["a", "b"], ["b", "c"], ["c", "b"], ["a"]]
    result = count_pool(_pool(CountingRuleKind.APPROVAL, winners=2), _items("a", "b", "c"), ballots, voters=8)
    assert result.winners == ("b", "a")  # b 3, a 2, c 2: a first by definition order
    assert result.to_json()["turnout"] == "0.5"


def test_points_from_rankings_with_krakow_weights_and_from_cumulative_ballots() -> None:
    pool = _pool(CountingRuleKind.POINTS, BallotRuleKind.RANKING, weights=[3, 2, 1])
    ranked: list[PoolVote] = [["a", "b", "c"], ["c", "b", "a"], ["b", "a", "c"]]
    result = count_pool(pool, _items("a", "b", "c"), ranked)
    assert {row.item: row.points for row in result.rows} == {"a": 6, "b": 7, "c": 5}
    assert result.winners == ("b",)
    cumulative = _pool(CountingRuleKind.POINTS, BallotRuleKind.CUMULATIVE)
    dicts: list[PoolVote] = [{"a": 7, "c": 3}, {"c": 5}]
    result = count_pool(cumulative, _items("a", "b", "c"), dicts)
    assert result.winners == ("c",) and result.row("c").points == 8 and result.row("c").votes == 2


def test_score_is_the_mean_and_unscored_items_come_last() -> None:
    pool = _pool(CountingRuleKind.SCORE, BallotRuleKind.SCORE)
    ballots: list[PoolVote] = [{"a": 5, "b": 4}, {"a": 1, "b": 4}]
    result = count_pool(pool, _items("a", "b", "c"), ballots)
    assert result.row("a").score == 3 and result.row("b").score == 4 and result.row("c").score is None
    assert result.winners == ("b",)
    assert [row.item for row in result.rows] == ["b", "a", "c"]


def test_irv_eliminates_and_transfers() -> None:
    ballots: list[PoolVote] = [["a", "c"]] * 4 + [["b", "c"]] * 3 + [["c", "b"]] * 2
    result = count_pool(_pool(CountingRuleKind.IRV, BallotRuleKind.RANKING), _items("a", "b", "c"), ballots)
    # c is eliminated first (2), its votes go to b: b 5, a 4.
    assert result.winners == ("b",)
    assert result.details["eliminated"] == ["c", "a"]
    assert result.row("a").votes == 4


def test_schulze_condorcet_winner_and_borda() -> None:
    ballots: list[PoolVote] = [["a", "b", "c"]] * 3 + [["b", "c", "a"]] * 2 + [["c", "a", "b"]] * 1
    items = _items("a", "b", "c")
    schulze = count_pool(_pool(CountingRuleKind.SCHULZE, BallotRuleKind.RANKING), items, ballots)
    # a beats b 4:2, a and c tie 3:3, b beats c 5:1: the path a→b→c (strength 2) makes a beat c.
    assert schulze.winners == ("a",)
    assert schulze.details["tied"] == ["a"]
    borda = count_pool(_pool(CountingRuleKind.BORDA, BallotRuleKind.RANKING), items, ballots)
    assert {r.item: r.points for r in borda.rows} == {"a": 7, "b": 7, "c": 4}
    assert borda.winners == ("a",)


def test_greedy_threshold_skip_and_no_skip() -> None:
    items = _items("p1", "p2", "p3", "p4", costs={"p1": 60, "p2": 50, "p3": 30, "p4": 10})
    ballots: list[PoolVote] = [["p1", "p2"], ["p1", "p2", "p3"], ["p1", "p3"], ["p1", "p4"], ["p2"]]
    greedy = count_pool(_pool(CountingRuleKind.GREEDY, budget=Decimal(100), min_votes=2), items, ballots)
    # votes: p1 4, p2 3, p3 2, p4 1 (below 2). p1 fits (40 left), p2 does not, p3 fits (10 left).
    assert greedy.winners == ("p1", "p3")
    assert greedy.used == Decimal(90) and greedy.budget == Decimal(100)
    assert greedy.row("p2").reason == "does_not_fit"
    assert greedy.row("p4").reason == "below_threshold"
    no_skip = count_pool(_pool(CountingRuleKind.GREEDY_NO_SKIP, budget=Decimal(100)), items, ballots)
    assert no_skip.winners == ("p1",)
    assert no_skip.row("p3").reason == "not_reached"
    assert no_skip.to_json()["used"] == "60"


def test_mes_add1_and_fill() -> None:
    # Two groups: 6 voters like A1/A2, 4 like B. Equal shares funds proportionally.
    items = _items("A1", "A2", "B", costs={"A1": 50, "A2": 50, "B": 60})
    ballots: list[PoolVote] = [["A1", "A2"]] * 6 + [["B"]] * 4
    mes = count_pool(_pool(CountingRuleKind.MES, budget=Decimal(100)), items, ballots)
    # Shares: 10 each. A1 costs 50 for 6 voters (8.33 each), then A2 (6 × 1.67 left = 10 < 50): not funded;
    # B needs 60 from 4 voters holding 40: not funded.
    assert mes.winners == ("A1",)
    assert mes.row("B").reason == "insufficient_shares"
    filled = count_pool(_pool(CountingRuleKind.MES, budget=Decimal(100), fill=True), items, ballots)
    assert filled.winners == ("A1", "A2")  # greedy fill by votes: A2 (6) fits the 50 left, B (4) not
    add1 = count_pool(_pool(CountingRuleKind.MES, budget=Decimal(100), add1=True), items, ballots)
    assert set(add1.winners) <= {"A1", "A2", "B"} and add1.used is not None and add1.used <= 100


def test_majority_simple_and_absolute() -> None:
    ballots: list[PoolVote] = [
        {"q1": "yes", "q2": "yes"},
        {"q1": "no", "q2": "abstain"},
        {"q1": "yes", "q2": "abstain"},
        {"q1": "abstain"},
    ]
    items = _items("q1", "q2")
    simple = count_pool(_pool(CountingRuleKind.MAJORITY, BallotRuleKind.YES_NO_ABSTAIN), items, ballots)
    assert simple.row("q1").yes == 2 and simple.row("q1").no == 1 and simple.row("q1").abstain == 1
    assert simple.winners == ("q1", "q2")
    absolute = count_pool(
        _pool(CountingRuleKind.MAJORITY, BallotRuleKind.YES_NO_ABSTAIN, majority="absolute"), items, ballots
    )
    assert absolute.winners == ()  # q1: 2 of 4 is not more than half; q2: 1 of 3
    assert absolute.row("q1").reason == "not_reached"


def test_opinion_shift_per_question() -> None:
    pool = _pool(CountingRuleKind.SCORE, BallotRuleKind.SCORE)
    items = _items("x", "y")
    before = count_pool(pool, items, [{"x": 2, "y": 3}, {"x": 4}])
    after = count_pool(pool, items, [{"x": 5, "y": 3}, {"x": 4}])
    assert opinion_shift(before, after) == {"x": Fraction(3, 2), "y": Fraction(0)}


def test_every_counting_rule_is_supported() -> None:
    shapes: dict[CountingRuleKind, list[PoolVote]] = {
        CountingRuleKind.SCORE: [{"a": 3}],
        CountingRuleKind.MAJORITY: [{"a": "yes"}],
    }
    items = _items("a", "b", costs={"a": 1, "b": 1})
    for rule in CountingRuleKind:
        result = count_pool(_pool(rule, budget=Decimal(5)), items, shapes.get(rule, [["a"]]))
        assert result.rule == rule.value
        assert result.winners[0] == "a"
        assert result.to_json()["winners"][0] == "a"


def test_wrong_shapes_and_unknown_items_are_refused() -> None:
    with pytest.raises(BallotError) as caught:
        count_pool(_pool(CountingRuleKind.APPROVAL), _items("a"), [{"a": 1}])
    assert caught.value.key == "counting.ballot_shape"
    with pytest.raises(BallotError) as caught:
        count_pool(_pool(CountingRuleKind.APPROVAL), _items("a"), [["z"]])
    assert caught.value.key == "counting.unknown_item"
    with pytest.raises(BallotError):
        count_pool(_pool(CountingRuleKind.MAJORITY), _items("a"), [{"a": "maybe"}])


def test_no_ballots_no_winner() -> None:
    result = count_pool(_pool(CountingRuleKind.IRV, BallotRuleKind.RANKING), _items("a", "b"), [])
    assert result.winners == () and result.ballots == 0
