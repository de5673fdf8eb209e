"""Real elections: our counts equal the published outcome and pabutools (greedy and MES, cost utilities)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from pabutools.election import Cost_Sat
from pabutools.election.satisfaction import AdditiveSatisfaction
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

from bot.counting.approvals import Approvals
from bot.counting.greedy import greedy
from bot.counting.mes import equal_shares
from bot.counting.pb import read_pb
from bot.counting.tally import project_support, tally


def _points_times_cost(instance, profile, ballot, project, precomputed_values):  # type: ignore[no-untyped-def]
    # Greedy by points in pabutools' terms: satisfaction density = sat / cost, so sat = points · cost.
    return ballot.get(project, 0) * project.cost


class PointsCostSat(AdditiveSatisfaction):
    """A satisfaction whose greedy density is the project's points (for cumulative and ranked files)."""

    def __init__(self, instance, profile, ballot):  # type: ignore[no-untyped-def]
        super().__init__(instance, profile, ballot, _points_times_cost)


def test_auto_tally_equals_published_selection(pabulib_path: Path) -> None:
    path = pabulib_path
    election = read_pb(path)
    published = {p.project_id for p in election.projects if p.selected == 1}
    result = tally(election)
    assert set(result.selected) == published
    assert result.spent <= election.budget
    assert result.spent == sum(election.project(pid).cost for pid in result.selected)


def test_parser_agrees_with_pabutools(pabulib_path_big_slow: Path, parsed_by_pabutools: Any) -> None:
    election = read_pb(pabulib_path_big_slow)
    instance, profile = parsed_by_pabutools(pabulib_path_big_slow)
    assert {p.project_id: p.cost for p in election.projects} == {p.name: p.cost for p in instance}
    assert election.budget == instance.budget_limit
    assert len(election.votes) == profile.num_ballots()
    theirs = sorted(sorted(p.name for p in ballot) for ballot in profile)
    assert theirs == sorted(sorted(v.vote) for v in election.votes)


def test_greedy_equals_pabutools(
    pabulib_path_big_slow: Path, parsed_by_pabutools: Any, approvals_for_pabutools: Any
) -> None:
    path = pabulib_path_big_slow
    election = read_pb(path)
    if election.vote_type == "ordinal" and len(election.votes) > 10_000:
        # Re-scoring 65,000 rankings through a Python satisfaction class takes ~40 s; the same rule is compared
        # on Kraków's district file, and this file's greedy outcome equals the published one (test above).
        pytest.skip("pabutools greedy by points on a large ranked file is too slow; covered by the district file")
    ids = [p.project_id for p in election.projects]
    costs = [p.cost for p in election.projects]
    support = project_support(election)
    ours = greedy(ids, costs, [support[i] for i in ids], election.budget)  # no threshold: pabutools has none
    if election.vote_type in ("approval", "choose-1"):
        instance, profile = approvals_for_pabutools(path)
        theirs = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    else:
        instance, profile = parsed_by_pabutools(path)
        if election.vote_type == "ordinal":  # pabutools ranks give Borda points; the city counts 3/2/1
            from pabutools.election import CumulativeBallot, CumulativeProfile

            length = int(election.meta["max_length"])
            by_name = {p.name: p for p in instance}
            ballots = []
            for vote in election.votes:
                ballot = CumulativeBallot({by_name[pid]: Fraction(length - i) for i, pid in enumerate(vote.vote)})
                ballots.append(ballot)
            profile = CumulativeProfile(ballots, instance=instance)
        theirs = greedy_utilitarian_welfare(instance, profile, sat_class=PointsCostSat)
    assert sorted(ids[i] for i in ours.selected) == sorted(p.name for p in theirs)


def test_mes_equals_pabutools(pabulib_path_big_slow: Path, approvals_for_pabutools: Any) -> None:
    path = pabulib_path_big_slow
    election = read_pb(path)
    instance, profile = approvals_for_pabutools(path)
    approvals = Approvals.from_ballots(
        [p.project_id for p in election.projects], [p.cost for p in election.projects], (v.vote for v in election.votes)
    )
    ours = equal_shares(approvals, election.budget)
    theirs = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
    assert sorted(approvals.project_ids[i] for i in ours.selected) == sorted(p.name for p in theirs)
