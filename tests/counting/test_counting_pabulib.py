"""Real elections: our counts equal the published outcome and pabutools (greedy and MES, cost utilities)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from pabutools.election import Cost_Sat, parse_pabulib
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


def test_greedy_equals_pabutools(pabulib_path_big_slow: Path) -> None:
    path = pabulib_path_big_slow
    election = read_pb(path)
    instance, profile = parse_pabulib(str(path))
    ids = [p.project_id for p in election.projects]
    costs = [p.cost for p in election.projects]
    support = project_support(election)
    ours = greedy(ids, costs, [support[i] for i in ids], election.budget)  # no threshold: pabutools has none
    if election.vote_type in ("approval", "choose-1"):
        theirs = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    else:
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


def test_mes_equals_pabutools(pabulib_path_big_slow: Path) -> None:
    path = pabulib_path_big_slow
    election = read_pb(path)
    instance, profile = parse_pabulib(str(path))
    approvals = Approvals.from_ballots(
        [p.project_id for p in election.projects], [p.cost for p in election.projects], (v.vote for v in election.votes)
    )
    ours = equal_shares(approvals, election.budget)
    theirs = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
    assert sorted(approvals.project_ids[i] for i in ours.selected) == sorted(p.name for p in theirs)
