"""Add1 without the 1 zł scan: ``equal_shares_add1`` equals the step-by-step definition, everywhere we can look.

The reference below is the definition itself (pabulib's ``equalshares/add1``, last feasible): raise every share
by one unit, rerun MES, stop at the first outcome over the budget (keep the previous one) or at the first that
funds every supported project. It is compared with the jumping implementation on every shared pabulib file, on
every budget pool of every example (with seeded ballots), and on thousands of random small elections whose
costs tie often; on small ones also with pabutools' ``exhaustion_by_budget_increase`` (no exhaustive stop, the
budget growing by one unit per voter), the published library's Add1 loop.
"""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance, Project
from pabutools.rules import exhaustion_by_budget_increase, method_of_equal_shares

from bot.counting.approvals import Approvals
from bot.counting.mes import EqualShares, equal_shares_add1
from bot.counting.outcome import BudgetOutcome
from bot.counting.pb import read_pb
from bot.definition.loader import load_definition_file
from bot.domain import CountingRuleKind

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.toml"))


def add1_step_by_step(approvals: Approvals, budget: Fraction, increment: Fraction = Fraction(1)) -> BudgetOutcome:
    """The definition, one share after another (slow: thousands of MES runs on a small electorate)."""
    engine = EqualShares(approvals)
    supported = sum(1 for p in range(approvals.n_projects) if engine.totals[p] > 0 and approvals.costs[p] > 0)
    share = budget / approvals.n_voters
    outcome = engine.run(share)
    while len(outcome.selected) < supported:
        share += increment
        candidate = engine.run(share)
        if candidate.spent > budget:
            break
        outcome = candidate
    return outcome


def _same(approvals: Approvals, budget: Fraction, increment: Fraction = Fraction(1)) -> BudgetOutcome:
    fast = equal_shares_add1(approvals, budget, increment=increment)
    slow = add1_step_by_step(approvals, budget, increment)
    assert fast == slow
    return fast


def test_add1_equals_the_definition_on_every_pabulib_file(pabulib_path_big_slow: Path) -> None:
    election = read_pb(pabulib_path_big_slow)
    ids = [p.project_id for p in election.projects]
    approvals = Approvals.from_ballots(ids, [p.cost for p in election.projects], (v.vote for v in election.votes))
    outcome = _same(approvals, election.budget)
    assert 0 < outcome.spent <= election.budget


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_add1_equals_the_definition_on_every_example(path: Path) -> None:
    """Every budget pool of every example, with a few electorates of seeded random ballots (7 voters, as in
    the issue's green-budget count, up to a few hundred)."""
    definition = load_definition_file(path)
    pools = [pool for pool in definition.pools if pool.budget is not None]
    if not pools:
        pytest.skip(f"{path.name} has no budget pool")
    for pool in pools:
        items = [item for item in definition.items_of(pool.key) if item.cost is not None]
        ids = [item.key for item in items]
        costs = [Fraction(item.cost) for item in items if item.cost is not None]
        assert pool.budget is not None
        for seed, voters in ((7, 7), (8, 7), (9, 30), (10, 300)):
            rng = random.Random(seed)
            ballots = [rng.sample(ids, rng.randint(1, min(len(ids), 6))) for _ in range(voters)]
            # Step by step at 1 zł the reference needs up to millions of runs on 7 voters and millions of zł;
            # the jumping does not depend on the step, so 1 000 zł keeps the reference within seconds.
            approvals = Approvals.from_ballots(ids, costs, ballots)
            outcome = _same(approvals, Fraction(pool.budget), Fraction(1000))
            assert outcome.spent <= pool.budget


@pytest.mark.slow
def test_green_budget_example_with_seven_voters() -> None:
    """The issue's case (7 voters, 500 000 zł), at the real step of 1 zł: tens of thousands of MES runs step
    by step (slow), about a hundred here."""
    definition = load_definition_file(next(p for p in EXAMPLES if p.stem == "zielony-budzet-wieliczka"))
    pool = definition.pools[0]
    assert (pool.counting.rule, pool.counting.add1) == (CountingRuleKind.MES, True)
    items = definition.items_of(pool.key)
    ids = [item.key for item in items]
    ballots = [["3", "4", "6", "1", "5", "8"], ["6", "5"], ["4"], ["2"], ["7", "1", "2", "8", "4", "5", "3"]]
    ballots += [["1", "5", "7", "4"], ["4"]]
    approvals = Approvals.from_ballots(ids, [Fraction(item.cost or 0) for item in items], ballots)
    outcome = _same(approvals, Fraction(500_000))
    assert [ids[i] for i in outcome.selected] == ["4", "5", "1", "2", "6", "7"]
    assert outcome.spent == 430_000


# Costs drawn from few values (ties), ids that sort differently as strings and numbers, budgets large against
# the costs for few voters (many Add1 steps), some empty ballots and unsupported or free projects.
IDS = ["1", "10", "2", "311", "1003", "7", "70", "8"]


@st.composite
def elections(draw: st.DrawFn) -> tuple[list[str], list[Fraction], Fraction, list[list[str]], Fraction]:
    m = draw(st.integers(1, 8))
    ids = IDS[:m]
    unit = draw(st.sampled_from([1, 3, 10]))
    costs = [Fraction(unit * draw(st.sampled_from([0, 1, 2, 2, 3, 5, 5, 10]))) for _ in ids]
    ballots = draw(st.lists(st.lists(st.sampled_from(ids), unique=True), min_size=1, max_size=12))
    budget = Fraction(draw(st.integers(1, 40 * unit)))
    increment = draw(st.sampled_from([Fraction(1), Fraction(1, 3), Fraction(unit)]))
    return ids, costs, budget, ballots, increment


@settings(max_examples=1200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(elections())
def test_add1_equals_the_definition_on_random_elections(
    case: tuple[list[str], list[Fraction], Fraction, list[list[str]], Fraction],
) -> None:
    ids, costs, budget, ballots, increment = case
    _same(Approvals.from_ballots(ids, costs, ballots), budget, increment)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(elections())
def test_add1_equals_pabutools_exhaustion_by_budget_increase(
    case: tuple[list[str], list[Fraction], Fraction, list[list[str]], Fraction],
) -> None:
    """pabutools' loop without its exhaustive stop is the same definition (the total budget grows by one
    increment per voter); it keeps a funded-everything outcome until its budget bound, as we stop there."""
    ids, costs, budget, ballots, increment = case
    ours = equal_shares_add1(Approvals.from_ballots(ids, costs, ballots), budget, increment=increment)
    projects = {pid: Project(pid, cost) for pid, cost in zip(ids, costs, strict=True)}
    instance = Instance(projects.values(), budget_limit=budget)
    profile = ApprovalProfile([ApprovalBallot([projects[p] for p in b]) for b in ballots], instance=instance)
    theirs = exhaustion_by_budget_increase(
        instance,
        profile,
        method_of_equal_shares,
        rule_params={"sat_class": Cost_Sat},
        exhaustive_stop=False,
        budget_step=increment * len(ballots),
        budget_bound=budget + increment * len(ballots) * (int(sum(costs) / increment) + 2),
    )
    assert [ids[i] for i in ours.selected] == [p.name for p in theirs]


def test_an_outcome_that_leaves_and_comes_back_is_not_certified() -> None:
    """MES is not monotone in the share: here shares 3.5 and 4 fund (1, 10) but 3.75 funds (1, 2, 10). Equal
    endpoints prove nothing, and the certificate must refuse the window."""
    ids, costs = ["1", "10", "2"], [Fraction(10), Fraction(2), Fraction(1)]
    ballots = [[], ["1", "2", "10"], ["10"], ["2", "1"], [], [], ["10", "1", "2"]]
    engine = EqualShares(Approvals.from_ballots(ids, costs, ballots))
    low, middle, high = (engine.trace(Fraction(share, 4)) for share in (14, 15, 16))
    assert low.outcome.selected == high.outcome.selected == (0, 1) != middle.outcome.selected == (0, 2, 1)
    assert not engine.trace(Fraction(16, 4), reference=low).certified


@st.composite
def windows(draw: st.DrawFn) -> tuple[list[str], list[Fraction], list[list[str]], Fraction, Fraction, int]:
    """Elections where the outcome often changes back and forth with the share (few voters, empty ballots,
    fractional steps), a start share and a window length."""
    m = draw(st.integers(2, 6))
    ids = IDS[:m]
    costs = [Fraction(draw(st.sampled_from([1, 2, 3, 4, 5, 6, 7, 9, 10, 12, 15]))) for _ in ids]
    ballots = draw(st.lists(st.lists(st.sampled_from(ids), unique=True), min_size=2, max_size=10))
    increment = Fraction(1, draw(st.sampled_from([1, 2, 4, 8])))
    low = Fraction(1, 2) + draw(st.integers(0, 30)) * increment
    return ids, costs, ballots, increment, low, draw(st.integers(2, 40))


@settings(max_examples=800, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(windows())
def test_a_certified_run_has_the_reference_outcome_at_every_share_between(
    case: tuple[list[str], list[Fraction], list[list[str]], Fraction, Fraction, int],
) -> None:
    """The certificate alone, over windows much wider than the jumps Add1 happens to try: whenever a run at
    ``low + steps·increment`` is certified against the run at ``low``, every share between has the same
    outcome."""
    ids, costs, ballots, increment, low, steps = case
    engine = EqualShares(Approvals.from_ballots(ids, costs, ballots))
    reference = engine.trace(low)
    high = engine.trace(low + steps * increment, reference=reference)
    if high.certified:
        for k in range(1, steps + 1):
            assert engine.run(low + k * increment) == reference.outcome
