"""Random small profiles: our rules equal the reference libraries, ties included.

Budget rules against pabutools (exact arithmetic, lexicographic tie-breaking by project name): greedy and MES
with cost utilities. Ranked rules against pref_voting: IRV = ``instant_runoff_tb`` with the candidate order as
tie-breaker, Schulze = ``beat_path`` (our winner is the first of its tied winners in item order), Borda =
``borda`` (likewise). Costs are drawn from a few values and budgets are small so that ties are frequent.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance, Project
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
from pref_voting.iterative_methods import instant_runoff_tb
from pref_voting.margin_based_methods import beat_path
from pref_voting.profiles import Profile
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.scoring_methods import borda

from bot.counting.approvals import Approvals
from bot.counting.borda import borda_scores
from bot.counting.greedy import greedy
from bot.counting.irv import instant_runoff
from bot.counting.mes import equal_shares
from bot.counting.schulze import schulze
from bot.counting.scores import rank_by

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
# pref_voting builds its profiles slowly; 40 examples keep the ranked checks at a few seconds.
RANKED = settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

# Ids that sort differently as strings and as numbers, to exercise the tie-breaker.
IDS = ["1", "10", "2", "311", "1003", "7", "70", "8"]


@st.composite
def budget_profiles(draw: st.DrawFn) -> tuple[list[str], list[Fraction], Fraction, list[list[str]]]:
    m = draw(st.integers(1, 8))
    ids = IDS[:m]
    costs = [Fraction(draw(st.sampled_from([0, 1, 2, 3, 5, 10, 15]))) for _ in ids]
    budget = Fraction(draw(st.integers(1, 30)))
    ballots = draw(st.lists(st.lists(st.sampled_from(ids), unique=True), min_size=0, max_size=30))
    return ids, costs, budget, ballots


def _pabutools(ids: list[str], costs: list[Fraction], budget: Fraction, ballots: list[list[str]]):  # type: ignore[no-untyped-def]
    projects = {pid: Project(pid, cost) for pid, cost in zip(ids, costs, strict=True)}
    instance = Instance(projects.values(), budget_limit=budget)
    profile = ApprovalProfile([ApprovalBallot([projects[p] for p in b]) for b in ballots], instance=instance)
    return instance, profile


@SETTINGS
@given(budget_profiles())
def test_greedy_equals_pabutools(case: tuple[list[str], list[Fraction], Fraction, list[list[str]]]) -> None:
    ids, costs, budget, ballots = case
    votes = [sum(1 for b in ballots if pid in b) for pid in ids]
    ours = greedy(ids, costs, votes, budget)
    instance, profile = _pabutools(ids, costs, budget, ballots)
    theirs = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    assert [ids[i] for i in ours.selected] == [p.name for p in theirs]


@SETTINGS
@given(budget_profiles())
def test_mes_equals_pabutools(case: tuple[list[str], list[Fraction], Fraction, list[list[str]]]) -> None:
    ids, costs, budget, ballots = case
    ours = equal_shares(Approvals.from_ballots(ids, costs, ballots), budget)
    instance, profile = _pabutools(ids, costs, budget, ballots)
    theirs = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
    assert [ids[i] for i in ours.selected] == [p.name for p in theirs]  # same projects, same order


@st.composite
def rankings(draw: st.DrawFn, complete: bool) -> tuple[list[str], list[list[str]]]:
    m = draw(st.integers(2, 5))
    items = ["a", "b", "c", "d", "e"][:m]
    if complete:
        ballots = draw(st.lists(st.permutations(items), min_size=1, max_size=30))
    else:
        ballots = draw(
            st.lists(st.lists(st.sampled_from(items), unique=True, min_size=1, max_size=m), min_size=1, max_size=30)
        )
    return items, [list(b) for b in ballots]


def _with_ties(items: list[str], ballots: list[list[str]]) -> ProfileWithTies:
    profile = ProfileWithTies(
        [{items.index(c): place for place, c in enumerate(b)} for b in ballots], candidates=list(range(len(items)))
    )
    profile.use_extended_strict_preference()
    return profile


@RANKED
@given(rankings(complete=False))
def test_irv_equals_pref_voting_instant_runoff_tb(case: tuple[list[str], list[list[str]]]) -> None:
    items, ballots = case
    theirs = instant_runoff_tb(_with_ties(items, ballots))
    assert [instant_runoff(items, ballots).winner] == [items[c] for c in theirs]


@RANKED
@given(rankings(complete=True))
def test_irv_equals_pref_voting_on_complete_rankings(case: tuple[list[str], list[list[str]]]) -> None:
    items, ballots = case
    profile = Profile([[items.index(c) for c in b] for b in ballots])
    theirs = instant_runoff_tb(profile)
    assert [instant_runoff(items, ballots).winner] == [items[c] for c in theirs]


@RANKED
@given(rankings(complete=False))
def test_schulze_equals_beat_path(case: tuple[list[str], list[list[str]]]) -> None:
    items, ballots = case
    theirs = [items[c] for c in beat_path(_with_ties(items, ballots))]
    ours = schulze(items, ballots)
    assert sorted(ours.tied) == sorted(theirs)
    assert ours.order[0] == min(theirs, key=items.index)


@RANKED
@given(rankings(complete=True))
def test_borda_equals_pref_voting(case: tuple[list[str], list[list[str]]]) -> None:
    items, ballots = case
    profile = Profile([[items.index(c) for c in b] for b in ballots])
    theirs = [items[c] for c in borda(profile)]
    scores = borda_scores(items, ballots)
    best = max(scores.values())
    assert sorted(c for c in items if scores[c] == best) == sorted(theirs)
    assert rank_by(items, scores)[0] == min(theirs, key=items.index)
