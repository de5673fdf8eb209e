"""Each ballot rule accepts what a voter may do and refuses each mistake with its own message key."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bot.ballot_rules import basket_summary, validate_ballot
from bot.definition import ProcessDefinition
from bot.domain import Answer, Ballot, BallotRuleKind
from bot.errors import BallotError


def refused(definition: ProcessDefinition, ballot: Any, district: str | None = None) -> BallotError:
    with pytest.raises(BallotError) as caught:
        validate_ballot(definition, ballot, district=district)
    return caught.value


# (ballot, expected normal form) — accepted by the every-rule process, voter from the north
VALID: list[tuple[Ballot, Ballot]] = [
    ({"one": ["o2"]}, {"one": ["o2"]}),
    ({"upto": ["u3", "u1"]}, {"upto": ["u1", "u3"]}),  # a choice is a set: definition order
    ({"upto": ["u2"]}, {"upto": ["u2"]}),
    ({"exact": ["e1", "e3"]}, {"exact": ["e1", "e3"]}),
    ({"range": ["r4", "r2", "r1"]}, {"range": ["r1", "r2", "r4"]}),
    ({"budget": ["b1", "b2"]}, {"budget": ["b1", "b2"]}),  # 90 000 of 100 000
    ({"budget": ["b2", "b3"]}, {"budget": ["b2", "b3"]}),  # 80 000
    ({"points": {"p1": 3, "p2": 2}}, {"points": {"p1": 3, "p2": 2}}),
    ({"points": {"p1": 3, "p2": 0, "p3": 1}}, {"points": {"p1": 3, "p3": 1}}),  # 0 points: not chosen
    ({"score": {"s3": 5, "s1": 1, "s2": 3}}, {"score": {"s1": 1, "s2": 3, "s3": 5}}),
    ({"rank": ["k3", "k1"]}, {"rank": ["k3", "k1"]}),  # a ranking keeps its order
    ({"rank": ["k4", "k2", "k1"]}, {"rank": ["k4", "k2", "k1"]}),
    ({"rank3": ["t2", "t4", "t1"]}, {"rank3": ["t2", "t4", "t1"]}),
    ({"yn": {"q1": "yes", "q2": "ABSTAIN"}}, {"yn": {"q1": "yes", "q2": "abstain"}}),  # Answer == its value
    ({"north": ["n2"]}, {"north": ["n2"]}),
    ({"upto": [], "one": ["o1"]}, {"one": ["o1"]}),  # empty pool votes are dropped
    ({"south": [], "one": ["o1"]}, {"one": ["o1"]}),  # an untouched pool of another district is no vote there
]


@pytest.mark.parametrize(("ballot", "normal"), VALID, ids=[str(ballot) for ballot, _ in VALID])
def test_valid_ballots_are_accepted_in_normal_form(
    every_rule: ProcessDefinition, ballot: Ballot, normal: Ballot
) -> None:
    assert validate_ballot(every_rule, ballot, district="north") == normal


def test_item_keys_given_as_numbers_become_strings(warsaw: ProcessDefinition) -> None:
    from_json: Any = {"city": [2, 1], "wesola": [12]}  # as a ballot may come back from a JSON column
    result = validate_ballot(warsaw, from_json, district="wesola")
    assert result == {"city": ["1", "2"], "wesola": ["12"]}


def test_answers_come_back_as_answer_members(every_rule: ProcessDefinition) -> None:
    result = validate_ballot(every_rule, {"yn": {"q1": "no", "q2": Answer.YES}})
    vote = result["yn"]
    assert isinstance(vote, dict)
    assert all(isinstance(value, Answer) for value in vote.values())


def test_pools_come_back_in_definition_order(every_rule: ProcessDefinition) -> None:
    result = validate_ballot(every_rule, {"yn": {"q1": "no", "q2": "no"}, "one": ["o1"]})
    assert list(result) == ["one", "yn"]


# (ballot, district, message key, expected parameters)
INVALID: list[tuple[Any, str | None, str, dict[str, Any]]] = [
    ({}, "north", "ballot.empty", {}),
    ({"upto": [], "points": {"p1": 0}}, "north", "ballot.empty", {}),
    ({"nowhere": ["o1"]}, "north", "ballot.unknown_pool", {"pool": "nowhere"}),
    ({"south": ["x1"]}, "north", "ballot.other_district", {"pool": "south", "voter_district": "north"}),
    ({"north": ["n1"]}, None, "ballot.no_district", {"pool": "north"}),
    ({"one": ["o1"]}, "east", "ballot.unknown_district", {"district": "east"}),
    ({"one": ["zz"]}, "north", "ballot.unknown_item", {"item": "zz"}),
    ({"one": ["u1"]}, "north", "ballot.item_of_other_pool", {"item": "u1", "pool": "one", "item_pool": "upto"}),
    ({"one": []}, "north", "ballot.empty", {}),
    ({"one": ["o1", "o2"]}, "north", "ballot.not_exactly", {"n": 1, "count": 1, "chosen": 2}),
    ({"upto": ["u1", "u2", "u3"]}, "north", "ballot.too_many", {"max": 2, "count": 2, "chosen": 3}),
    ({"upto": ["u1", "u1"]}, "north", "ballot.duplicate", {"pool": "upto", "item": "u1"}),
    ({"exact": ["e1"]}, "north", "ballot.not_exactly", {"n": 2, "chosen": 1}),
    ({"exact": ["e1", "e2", "e3"]}, "north", "ballot.not_exactly", {"n": 2, "chosen": 3}),
    ({"range": ["r1"]}, "north", "ballot.too_few", {"min": 2, "count": 2, "chosen": 1}),
    ({"range": ["r1", "r2", "r3", "r4"]}, "north", "ballot.too_many", {"max": 3, "chosen": 4}),
    (
        {"budget": ["b1", "b2", "b3"]},
        "north",
        "ballot.over_budget",
        {"cost": Decimal(120_000), "budget": Decimal(100_000), "over": Decimal(20_000)},
    ),
    ({"budget": ["b4", "b2"]}, "north", "ballot.over_budget", {"cost": Decimal(120_000)}),
    ({"points": {"p1": 3, "p2": 3}}, "north", "ballot.too_many_points", {"total": 6, "max": 5, "count": 5}),
    ({"points": {"p1": 4}}, "north", "ballot.too_many_points_item", {"item": "p1", "points": 4, "max": 3}),
    ({"points": {"p1": -1, "p2": 3}}, "north", "ballot.negative_points", {"item": "p1", "points": -1}),
    ({"points": ["p1"]}, "north", "ballot.malformed", {"pool": "points"}),
    ({"points": {"p1": "3"}}, "north", "ballot.malformed", {"pool": "points"}),
    ({"points": {"p1": True}}, "north", "ballot.malformed", {"pool": "points"}),
    ({"points": {"p1": 1, "x1": 1}}, "north", "ballot.item_of_other_pool", {"item": "x1", "item_pool": "south"}),
    ({"score": {"s1": 6, "s2": 1, "s3": 1}}, "north", "ballot.score_out_of_range", {"item": "s1", "score": 6}),
    ({"score": {"s1": 0, "s2": 1, "s3": 1}}, "north", "ballot.score_out_of_range", {"min": 1, "max": 5}),
    ({"score": {"s1": 3}}, "north", "ballot.missing_scores", {"count": 2, "items": "s2, s3"}),
    ({"rank": ["k1"]}, "north", "ballot.ranking_too_short", {"min": 2, "count": 2, "chosen": 1}),
    ({"rank": ["k1", "k2", "k3", "k4"]}, "north", "ballot.ranking_too_long", {"max": 3, "chosen": 4}),
    ({"rank": ["k1", "k2", "k1"]}, "north", "ballot.ranking_duplicate", {"item": "k1"}),
    ({"rank": {"k1": 1}}, "north", "ballot.malformed", {"pool": "rank"}),
    ({"rank3": ["t1", "t2"]}, "north", "ballot.ranking_not_exactly", {"n": 3, "count": 3, "chosen": 2}),
    ({"rank3": ["t1", "t2", "t3", "t4"]}, "north", "ballot.ranking_not_exactly", {"chosen": 4}),
    ({"yn": {"q1": "maybe", "q2": "yes"}}, "north", "ballot.invalid_answer", {"item": "q1", "answer": "maybe"}),
    ({"yn": {"q1": "yes"}}, "north", "ballot.missing_answers", {"count": 1, "items": "q2"}),
    ({"yn": ["q1"]}, "north", "ballot.malformed", {"pool": "yn"}),
    ({"one": [None]}, "north", "ballot.malformed", {"pool": "one"}),
    (["o1"], "north", "ballot.malformed", {}),
]


@pytest.mark.parametrize(
    ("ballot", "district", "key", "params"),
    INVALID,
    ids=[f"{key}:{ballot}" for ballot, _, key, _ in INVALID],
)
def test_invalid_ballots_are_refused_with_the_broken_rule(
    every_rule: ProcessDefinition, ballot: Any, district: str | None, key: str, params: dict[str, Any]
) -> None:
    error = refused(every_rule, ballot, district)
    assert error.key == key
    for name, value in params.items():
        assert error.params[name] == value, name


def test_every_ballot_rule_kind_is_exercised(every_rule: ProcessDefinition) -> None:
    assert {pool.ballot.rule for pool in every_rule.pools} == set(BallotRuleKind)


def test_warsaw_voter_uses_the_city_pool_and_only_their_own_district(warsaw: ProcessDefinition) -> None:
    own = validate_ballot(warsaw, {"city": ["1", "5"], "wesola": ["10", "12"]}, district="wesola")
    assert own == {"city": ["1", "5"], "wesola": ["10", "12"]}
    other = refused(warsaw, {"city": ["1"], "bemowo": ["20"]}, "wesola")
    assert (other.key, other.params["pool"], other.params["voter_district"]) == (
        "ballot.other_district",
        "bemowo",
        "wesola",
    )
    assert refused(warsaw, {"city": ["1"], "wesola": ["20"]}, "wesola").key == "ballot.item_of_other_pool"
    assert validate_ballot(warsaw, {"city": ["1"]}) == {"city": ["1"]}  # no district yet: the city pool is fine
    assert refused(warsaw, {"wesola": ["10"]}).key == "ballot.no_district"
    six = refused(warsaw, {"city": ["1", "2", "3", "4", "5", "6"]}, "wesola")
    assert (six.key, six.params["max"], six.params["chosen"]) == ("ballot.too_many", 5, 6)


def test_krakow_ranking_needs_exactly_three(krakow: ProcessDefinition) -> None:
    assert validate_ballot(krakow, {"miasto": ["3", "1", "2"]}) == {"miasto": ["3", "1", "2"]}
    error = refused(krakow, {"miasto": ["3", "1"]})
    assert (error.key, error.params["n"], error.params["chosen"]) == ("ballot.ranking_not_exactly", 3, 2)


def test_basket_shows_cost_money_left_count_and_limits(every_rule: ProcessDefinition) -> None:
    basket = basket_summary(every_rule, {"budget": ["b1", "b2"]}, "budget")
    assert (basket.count, basket.min, basket.max) == (2, 0, 3)
    assert (basket.cost, basket.budget, basket.left) == (Decimal(90_000), Decimal(100_000), Decimal(10_000))
    assert not basket.over_budget and not basket.full
    over = basket_summary(every_rule, {"budget": ["b4", "b2"]}, "budget")
    assert over.over_budget and over.left == Decimal(-20_000) and over.full
    empty = basket_summary(every_rule, {}, "budget")
    assert (empty.count, empty.cost, empty.left) == (0, Decimal(0), Decimal(100_000))


def test_basket_of_an_up_to_pool_is_full_at_its_maximum(warsaw: ProcessDefinition) -> None:
    basket = basket_summary(warsaw, {"city": ["1", "2", "3", "4", "5"]}, "city")
    assert basket.full and basket.max == 5
    assert basket.cost == Decimal(3_200_000 + 450_000 + 900_000 + 1_100_000 + 4_800_000)
    assert basket.budget == Decimal(9_000_000) and basket.over_budget  # shown, not refused: greedy decides


def test_basket_counts_points_of_a_cumulative_pool(every_rule: ProcessDefinition) -> None:
    basket = basket_summary(every_rule, {"points": {"p1": 3, "p2": 1, "p3": 0}}, "points")
    assert (basket.count, basket.points, basket.max_points) == (2, 4, 5)


def test_basket_refuses_what_cannot_be_summed(every_rule: ProcessDefinition) -> None:
    with pytest.raises(BallotError) as unknown_pool:
        basket_summary(every_rule, {}, "nowhere")
    assert unknown_pool.value.key == "ballot.unknown_pool"
    with pytest.raises(BallotError) as other_pool:
        basket_summary(every_rule, {"budget": ["p1"]}, "budget")
    assert other_pool.value.key == "ballot.item_of_other_pool"
