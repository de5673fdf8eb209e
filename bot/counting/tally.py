"""Counting a whole pabulib election: ``tally(election, rule)``.

``rule="auto"`` reads META ``rule``:

=============================  =================================================================================
``greedy``, ``greedy-threshold``  most support first, skip what does not fit, ``min_project_score_threshold``
``greedy-no-skip``             stop at the first project that does not fit
``equalshares``                Method of Equal Shares, cost utilities
``equalshares/add1``           MES + Add1 (last feasible)
``equalshares/add1-comparison``  MES + Add1, then compared with greedy: the greedy outcome is taken only if
                               more voters prefer it (a voter prefers the outcome funding more money of the
                               projects she supports). Wieliczka 2023 (Zielony Milion) publishes exactly the
                               MES + Add1 outcome (30 projects); the comparison keeps it (1,576 voters prefer it,
                               1,050 prefer greedy).
=============================  =================================================================================

Anything else raises :class:`PabulibError` ``pabulib.unsupported_rule`` naming it. Explicit ``rule`` values:
``greedy``, ``greedy-no-skip``, ``mes``, ``mes-add1`` (the threshold applies to the greedy ones).

Support per project follows ``vote_type``: ``approval`` and ``choose-1`` count votes; ``cumulative`` and
``scoring`` sum the points; ``ordinal`` gives the place ``i`` of a ranking ``max_length - i`` points (Kraków:
``max_length`` 3, so 3/2/1; without ``max_length`` the longest ballot sets it). Greedy ranks by that support; MES
treats every project on a ballot as supported (pabutools' ``Cost_Sat``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from itertools import chain
from typing import Any

from bot.counting.approvals import Approvals
from bot.counting.greedy import greedy
from bot.counting.outcome import BudgetOutcome, Reason
from bot.counting.pb import PbElection, format_number, parse_number
from bot.errors import PabulibError

__all__ = ["RULES", "TallyResult", "project_support", "tally"]

RULES = ("auto", "greedy", "greedy-no-skip", "mes", "mes-add1")
"""Accepted values of ``tally(rule=...)`` and of the CLI's ``--rule``."""

_META_RULES = {
    "greedy": "greedy",
    "greedy-threshold": "greedy",
    "greedy-no-skip": "greedy-no-skip",
    "equalshares": "mes",
    "equalshares/add1": "mes-add1",
    "equalshares/add1-comparison": "mes-add1-comparison",
}
_VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring", "ordinal")


@dataclass(frozen=True, slots=True)
class TallyResult:
    """The counted election: ``selected`` project ids in the order the rule funded them, the rule actually
    applied, money, per-project support and, for projects not funded, the reason code."""

    rule: str
    selected: tuple[str, ...]
    budget: Fraction
    spent: Fraction
    support: dict[str, Fraction]
    reasons: dict[str, str]
    threshold: Fraction

    def to_json(self) -> dict[str, Any]:
        """``{"selected": [...], "rule": ..., "budget", "spent", "threshold", "projects": [...]}``."""
        return {
            "rule": self.rule,
            "selected": list(self.selected),
            "budget": format_number(self.budget),
            "spent": format_number(self.spent),
            "threshold": format_number(self.threshold),
            "projects": [
                {
                    "project_id": pid,
                    "support": format_number(value),
                    "selected": pid in self.selected,
                    **({"reason": self.reasons[pid]} if pid in self.reasons else {}),
                }
                for pid, value in self.support.items()
            ],
        }


def project_support(election: PbElection, approvals: Approvals | None = None) -> dict[str, Fraction]:
    """Votes or points per project, in file order, following ``vote_type`` (see the module docstring).

    ``approvals``, when the caller has built them from the same ballots, give approval counts without another pass
    over the votes (they already count a project named twice on a ballot once)."""
    vote_type = election.vote_type
    if vote_type not in _VOTE_TYPES:
        raise PabulibError("pabulib.unsupported_vote_type", vote_type=vote_type)
    support = {p.project_id: Fraction(0) for p in election.projects}
    if vote_type in ("approval", "choose-1") and approvals is not None:
        for pid, count in zip(approvals.project_ids, approvals.supporter_counts().tolist(), strict=True):
            support[pid] += count
    elif vote_type in ("approval", "choose-1"):
        # One Counter pass over all ballots (C speed); a ballot naming a project twice counts it once.
        counted = Counter(
            chain.from_iterable(
                v.vote if len(frozenset(v.vote)) == len(v.vote) else frozenset(v.vote) for v in election.votes
            )
        )
        for pid, count in counted.items():
            support[pid] += count
    elif vote_type == "ordinal":
        raw = election.meta.get("max_length", "").strip()
        if raw:
            length = int(parse_number(raw, line=None, column="max_length"))
        else:
            length = max((len(v.vote) for v in election.votes), default=0)
        for vote in election.votes:
            for place, pid in enumerate(vote.vote):
                support[pid] += max(length - place, 0)
    else:
        for vote in election.votes:
            if vote.points is None:
                raise PabulibError("pabulib.missing_column", line=None, section="VOTES", column="points")
            for pid, points in zip(vote.vote, vote.points, strict=True):
                support[pid] += points
    return support


def tally(election: PbElection, rule: str = "auto") -> TallyResult:
    """Count ``election`` under ``rule`` (one of :data:`RULES`; see the module docstring)."""
    if rule == "auto":
        meta_rule = election.meta.get("rule", "").strip()
        applied = _META_RULES.get(meta_rule)
        if applied is None:
            raise PabulibError("pabulib.unsupported_rule", rule=meta_rule or "-")
    elif rule in RULES:
        applied = rule
    else:
        raise PabulibError("pabulib.unsupported_rule", rule=rule)

    ids = [p.project_id for p in election.projects]
    costs = [p.cost for p in election.projects]
    budget = election.budget
    approvals = None
    if applied not in ("greedy", "greedy-no-skip"):
        approvals = Approvals.from_ballots(ids, costs, (v.vote for v in election.votes))
    support = project_support(election, approvals)
    values = [support[pid] for pid in ids]
    raw_threshold = election.meta.get("min_project_score_threshold", "").strip()
    threshold = (
        parse_number(raw_threshold, line=None, column="min_project_score_threshold") if raw_threshold else Fraction(0)
    )

    outcome: BudgetOutcome
    if applied in ("greedy", "greedy-no-skip"):
        outcome = greedy(
            ids, costs, values, budget, min_support=threshold, stop_at_first_misfit=applied == "greedy-no-skip"
        )
    else:
        from bot.counting.mes import equal_shares, equal_shares_add1, prefer_counts  # numpy: only when counting

        assert approvals is not None
        if applied == "mes":
            outcome = equal_shares(approvals, budget)
        else:
            outcome = equal_shares_add1(approvals, budget)
            if applied == "mes-add1-comparison":
                other = greedy(ids, costs, values, budget)
                prefer_mes, prefer_greedy = prefer_counts(approvals, outcome.selected, other.selected)
                if prefer_greedy > prefer_mes:
                    outcome = other
    reasons = {ids[i]: r.value for i, r in outcome.reasons.items()}
    for i in range(len(ids)):
        if i not in outcome.selected and ids[i] not in reasons:
            reasons[ids[i]] = Reason.NOT_REACHED.value
    return TallyResult(
        rule=applied,
        selected=tuple(ids[i] for i in outcome.selected),
        budget=budget,
        spent=outcome.spent,
        support=support,
        reasons=reasons,
        threshold=threshold,
    )
