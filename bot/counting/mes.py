"""The Method of Equal Shares (MES) with cost utilities, vectorised and exact.

Definition (pabutools' ``method_of_equal_shares(..., sat_class=Cost_Sat)``; equalshares.net): every voter gets an
equal share ``budget / n`` of the money (empty ballots included). In each round, for every remaining project ``p``
with cost ``c`` find the smallest per-supporter payment cap ``q`` with ``Σ_i min(b_i, q) = c`` over its
supporters' current budgets ``b_i``; a project whose supporters hold less than ``c`` in total is dropped for good.
Fund the project with the smallest ``ρ = q / c`` (ties: project id **as a string**, like pabutools), let each of
its supporters pay ``min(b_i, q)``, repeat until nothing is affordable. Projects nobody supports are never funded, and
neither are projects of cost 0 (their cost utility is 0, as in pabutools; a greedy fill adds them).

How it is fast: budgets live in one float64 numpy array (one entry per voter) and each project keeps the array
of its supporters' indices. A project's cap is found by Newton steps on ``f(q) = Σ min(b_i, q)`` over its
supporters (vectorised; exact after one to three passes because ``f`` is piecewise linear and concave). As in
pabutools, ``ρ`` of a project never decreases from one round to the next, so last round's value is a lower bound
and only the few projects whose bound could still beat the round's best are re-evaluated.

How it stays exact: a float decision is trusted only when its margin is far above float error (about 1e-14
relative): the winner's ``ρ`` must beat every other candidate by a relative ``1e-9`` (:data:`REL_TOL`) and its
supporters' money must exceed its cost by the same margin; a project is dropped as unaffordable only when its
supporters are short by that margin. Otherwise (true ties such as equal vote counts, or near-ties) the budgets
are rebuilt exactly with :class:`fractions.Fraction` by replaying the rounds so far (voters with equal budgets
share one Fraction, so this is cheap), the near-tied candidates are compared exactly, ties go to the smaller id
string, and the rest of the run is exact (floats are re-derived from the exact budgets, so errors never
accumulate). A float error therefore cannot change a winner or a tie-break; ``tests/counting`` checks the
results against pabutools' exact (gmpy2 ``mpq``) implementation on real and random elections.

Add1 completion (:func:`equal_shares_add1`) follows pabulib's ``equalshares/add1``: raise every voter's share by
one currency unit at a time and rerun MES until the outcome would cost more than the real budget, then keep the
**last feasible** outcome (pabutools' ``voter_budget_increment`` stops at the first *exhaustive* one instead). It
does not visit every unit: a run at a larger share made against a reference run can certify that every share in
between has the reference's outcome (:meth:`EqualShares.trace`), so the search gallops over those shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from bot.counting.approvals import Approvals, id_order
from bot.counting.greedy import greedy
from bot.counting.outcome import BudgetOutcome, Reason

__all__ = ["REL_TOL", "EqualShares", "Trace", "equal_shares", "equal_shares_add1", "fill_greedily", "prefer_counts"]

REL_TOL = 1e-9
"""Relative margin below which a float decision is re-checked with exact arithmetic."""


def _float_cap(budgets: npt.NDArray[np.float64], cost: float, start: float = 0.0) -> float:
    """The payment cap q with Σ min(b_i, q) = cost, by Newton steps from below (float).

    f(q) = Σ min(b_i, q) is concave and piecewise linear, so Newton from below never overshoots and stops once
    the set of capped voters is right — usually after one to three passes over the supporters. ``start`` is a
    known lower bound of q (last round's cap of the same project: caps never decrease), else ``cost / n``.
    """
    q = max(cost / budgets.size, start)
    for _ in range(64):
        above = int(np.count_nonzero(budgets > q))
        if above == 0:
            return float(budgets.max())
        gap = cost - float(np.minimum(budgets, q).sum())
        if gap <= cost * 1e-15:
            return q
        step = q + gap / above
        if step == q:
            return q
        q = step
    # Pathological inputs only: solve by sorting.
    ordered = np.sort(budgets)
    before = np.concatenate(([0.0], np.cumsum(ordered)[:-1]))
    caps = (cost - before) / (budgets.size - np.arange(budgets.size))
    fits = np.flatnonzero(caps <= ordered)
    return float(caps[fits[0]]) if fits.size else float(ordered[-1])


class _Exact:
    """Exact per-voter budgets, stored as groups of voters sharing one :class:`Fraction` value.

    Voters with equal budgets are merged into one group (e.g. everyone not yet paying, everyone exhausted), so
    the Fraction work per round is proportional to the number of distinct budgets among a project's supporters.
    """

    def __init__(self, n_voters: int, share: Fraction) -> None:
        self.group = np.zeros(n_voters, dtype=np.int64)
        self.values: list[Fraction] = [share]
        self.index: dict[Fraction, int] = {share: 0}

    def cap(self, supporters: npt.NDArray[np.int64], cost: Fraction) -> Fraction | None:
        """The exact payment cap for a project with these supporters, None if they cannot pay ``cost``."""
        groups, counts = np.unique(self.group[supporters], return_counts=True)
        items = sorted(zip((self.values[g] for g in groups.tolist()), counts.tolist(), strict=True))
        remaining = int(supporters.size)
        spent = Fraction(0)
        for budget, count in items:
            cap = (cost - spent) / remaining
            if cap <= budget:
                return cap
            spent += count * budget
            remaining -= count
        return None

    def pay(self, supporters: npt.NDArray[np.int64], cap: Fraction) -> None:
        """Each supporter pays ``min(budget, cap)``."""
        groups, inverse = np.unique(self.group[supporters], return_inverse=True)
        new_ids = []
        for g in groups.tolist():
            value = self.values[g]
            value -= min(value, cap)
            gid = self.index.get(value)
            if gid is None:
                gid = self.index[value] = len(self.values)
                self.values.append(value)
            new_ids.append(gid)
        self.group[supporters] = np.asarray(new_ids, dtype=np.int64)[inverse]

    def floats(self) -> npt.NDArray[np.float64]:
        """Every voter's budget as float64 (correctly rounded from the exact value)."""
        return np.array([float(v) for v in self.values], dtype=np.float64)[self.group]


class EqualShares:
    """A MES engine for one :class:`Approvals`; ``run(share)`` is MES with every voter starting at ``share``.

    :func:`equal_shares` and :func:`equal_shares_add1` are the usual entry points.
    """

    def __init__(self, approvals: Approvals) -> None:
        self.approvals = approvals
        m = approvals.n_projects
        self.costs = approvals.costs
        self.cost_f = [float(c) for c in approvals.costs]
        self.ranks = id_order(approvals.project_ids)
        self.totals = approvals.supporter_counts()
        by_project = np.argsort(approvals.project_of, kind="stable")
        bounds = np.zeros(m + 1, dtype=np.int64)
        np.cumsum(self.totals, out=bounds[1:])
        self.supporters = [approvals.voter_of[by_project[bounds[p] : bounds[p + 1]]] for p in range(m)]

    def run(self, share: Fraction) -> BudgetOutcome:
        """MES with every voter starting at ``share`` (see the module docstring); ``spent`` may exceed the real
        budget when ``share`` was raised (Add1)."""
        return self.trace(share).outcome

    def trace(self, share: Fraction, reference: Trace | None = None) -> Trace:
        """MES at ``share`` with each round's winning ρ; given a ``reference`` run at a smaller share, also
        whether the outcome is certainly the reference's for every share in between (:attr:`Trace.certified`).

        The certificate (see :func:`equal_shares_add1`): while this run funds the reference's projects in the
        same order, every voter's budget at every round is a non-decreasing function of the share, so every ρ
        is non-increasing. If in each round ``r`` every other project still affordable here has ``(ρ, id)``
        above the reference winner's ``(ρ, id)`` at the reference share, then for any share in between the
        winner's ρ is at most its reference value and the other's at least its value here: the same project
        wins round ``r`` (by induction, every round), and what is unaffordable here is unaffordable below.
        Float comparisons are trusted only beyond :data:`REL_TOL`; closer ones count only when both sides are
        exact, otherwise the certificate is refused (which is always safe).
        """
        costs, cost_f, ranks, supporters = self.costs, self.cost_f, self.ranks, self.supporters
        m, n = self.approvals.n_projects, self.approvals.n_voters
        reasons: dict[int, Reason] = {}
        selected: list[int] = []
        alive: list[int] = []
        for p in range(m):
            # Under cost utilities a project of cost 0 brings satisfaction 0, so pabutools never funds it.
            if self.totals[p] == 0 or costs[p] == 0:
                reasons[p] = Reason.NO_SUPPORT
            else:
                alive.append(p)
        budgets = np.full(n, float(share))
        # ρ never decreases (budgets only shrink), so last round's ρ is a lower bound: like pabutools we only
        # re-evaluate projects whose bound is not already worse than the best ρ found this round.
        bound = {p: 1.0 / float(self.totals[p]) for p in alive}
        exact: _Exact | None = None
        path: list[tuple[int, Fraction | float]] = []
        rhos: list[float] = []
        rhos_exact: list[Fraction | None] = []
        following = reference is not None  # same winners as the reference so far, and every check passed

        def go_exact() -> _Exact:
            state = _Exact(n, Fraction(share))
            for project, _ in path:
                cap = state.cap(supporters[project], costs[project])
                assert cap is not None  # it was affordable when it was funded
                state.pay(supporters[project], cap)
            return state

        while alive:
            alive.sort(key=lambda p: (bound[p], ranks[p]))
            best = np.inf
            round_no = len(selected)
            # While certifying, also evaluate the projects that might beat the reference winner's ρ.
            threshold = -np.inf
            if following and reference is not None and round_no < len(reference.rhos):
                threshold = reference.rhos[round_no]
            # (ρ as float, project, cap as float, clearly affordable?, exact ρ, exact cap)
            seen: list[tuple[float, int, float, bool, Fraction | None, Fraction | None]] = []
            for p in list(alive):
                if bound[p] > max(best, threshold) * (1 + REL_TOL):
                    break
                if exact is not None:
                    qx = exact.cap(supporters[p], costs[p])
                    if qx is None:
                        reasons[p] = Reason.INSUFFICIENT_SHARES
                        alive.remove(p)
                        continue
                    rho_x = qx / costs[p]
                    rho = float(rho_x)
                    seen.append((rho, p, float(qx), True, rho_x, qx))
                else:
                    mine = budgets[supporters[p]]
                    available = float(mine.sum())
                    if available < cost_f[p] * (1 - REL_TOL):
                        reasons[p] = Reason.INSUFFICIENT_SHARES
                        alive.remove(p)
                        continue
                    q = _float_cap(mine, cost_f[p], bound[p] * cost_f[p])
                    rho = q / cost_f[p]
                    seen.append((rho, p, q, available >= cost_f[p] * (1 + REL_TOL), None, None))
                bound[p] = rho
                best = min(best, rho)
            if not seen:
                break
            near = [entry for entry in seen if entry[0] <= best * (1 + REL_TOL)]
            cap: Fraction | float
            exact_rho: dict[int, Fraction] = {e[1]: e[4] for e in seen if e[4] is not None}
            if exact is None and len(near) == 1 and near[0][3]:
                winner, cap = near[0][1], near[0][2]
            else:
                if exact is None:
                    exact = go_exact()
                scored: list[tuple[Fraction, int, int, Fraction]] = []
                for entry in near:
                    p = entry[1]
                    qx = entry[5] if entry[5] is not None else exact.cap(supporters[p], costs[p])
                    if qx is None:
                        reasons[p] = Reason.INSUFFICIENT_SHARES
                        alive.remove(p)
                    else:
                        scored.append((qx / costs[p], ranks[p], p, qx))
                        exact_rho[p] = qx / costs[p]
                if not scored:
                    continue
                _, _, winner, cap = min(scored)
            if following:
                following = self._beats(reference, round_no, winner, seen, exact_rho, alive)
            selected.append(winner)
            alive.remove(winner)
            path.append((winner, cap))
            rhos_exact.append(exact_rho.get(winner))
            rhos.append(float(cap) / cost_f[winner])
            if exact is not None:
                assert isinstance(cap, Fraction)
                exact.pay(supporters[winner], cap)
                budgets = exact.floats()
            else:
                mine = budgets[supporters[winner]]
                budgets[supporters[winner]] = mine - np.minimum(mine, float(cap))
        for p in alive:
            reasons[p] = Reason.INSUFFICIENT_SHARES
        spent = sum((costs[p] for p in selected), Fraction(0))
        outcome = BudgetOutcome(tuple(selected), reasons, spent)
        certified = following and reference is not None and outcome.selected == reference.outcome.selected
        return Trace(Fraction(share), outcome, tuple(rhos), tuple(rhos_exact), certified)

    def _beats(
        self,
        reference: Trace | None,
        round_no: int,
        winner: int,
        seen: Sequence[tuple[float, int, float, bool, Fraction | None, Fraction | None]],
        exact_rho: dict[int, Fraction],
        alive: Sequence[int],
    ) -> bool:
        """The certificate's check of one round (see :meth:`trace`): the reference funded ``winner`` in this
        round too, and every other project evaluated here and still affordable has ``(ρ, id)`` above the
        reference winner's. Projects not evaluated have a lower bound above the threshold already."""
        if reference is None or round_no >= len(reference.rhos) or reference.outcome.selected[round_no] != winner:
            return False
        limit, limit_exact, rank = reference.rhos[round_no], reference.rhos_exact[round_no], self.ranks[winner]
        still = set(alive)
        for rho, p, *_ in seen:
            if p == winner or p not in still or rho > limit * (1 + REL_TOL):
                continue
            mine = exact_rho.get(p)
            if mine is None or limit_exact is None or (mine, self.ranks[p]) <= (limit_exact, rank):
                return False
        return True


@dataclass(frozen=True, slots=True)
class Trace:
    """One MES run: the share, the outcome, each round's winning ρ (as float, and exactly when the run had it)
    and, for a run made with a reference, whether the reference's outcome holds for every share between."""

    share: Fraction
    outcome: BudgetOutcome
    rhos: tuple[float, ...]
    rhos_exact: tuple[Fraction | None, ...]
    certified: bool = False


def equal_shares(approvals: Approvals, budget: Fraction) -> BudgetOutcome:
    """MES with cost utilities, each voter's share ``budget / n_voters``; empty profile → nothing funded."""
    if approvals.n_voters == 0:
        return BudgetOutcome((), dict.fromkeys(range(approvals.n_projects), Reason.NO_SUPPORT), Fraction(0))
    return EqualShares(approvals).run(Fraction(budget) / approvals.n_voters)


def equal_shares_add1(approvals: Approvals, budget: Fraction, *, increment: Fraction = Fraction(1)) -> BudgetOutcome:
    """MES completed by Add1 in pabulib's last-feasible sense.

    Definition: shares ``budget / n + k·increment`` for ``k = 0, 1, 2, …``; stop at the first ``k`` whose
    outcome costs more than ``budget`` and return the outcome of ``k - 1``, or at the first outcome funding
    every supported project (more money cannot change it) and return it.

    Computed without visiting every ``k``: from the current share it tries a jump of ``j`` steps and runs MES
    there with the current run as reference (:meth:`EqualShares.trace`). A certified run proves that every
    share in between has the current outcome — which fits the budget and does not fund everything, so the
    definition would walk through them without stopping — and the jump doubles; otherwise it halves, and a
    jump of one step is simply the next ``k`` of the definition. The result is therefore the definition's
    (``tests/counting/test_counting_add1.py`` compares them), in a few dozen runs instead of thousands.
    """
    budget = Fraction(budget)
    if approvals.n_voters == 0:
        return equal_shares(approvals, budget)
    engine = EqualShares(approvals)
    supported = sum(1 for p in range(approvals.n_projects) if engine.totals[p] > 0 and approvals.costs[p] > 0)
    current = engine.trace(budget / approvals.n_voters)
    # Runs made for a refused jump are still valid runs at their share: a later plain step may reuse them.
    made: dict[Fraction, Trace] = {}
    jump = 2
    while len(current.outcome.selected) < supported:
        if jump >= 2:
            farther = engine.trace(current.share + jump * increment, reference=current)
            if farther.certified:
                current = farther
                jump *= 2
            else:
                made[farther.share] = farther
                jump //= 2
            continue
        share = current.share + increment
        candidate = made.pop(share, None) or engine.trace(share)
        if candidate.outcome.spent > budget:
            break
        current = candidate
        jump = 2
    return current.outcome


def fill_greedily(
    approvals: Approvals,
    outcome: BudgetOutcome,
    budget: Fraction,
    support: Sequence[Fraction | int],
    *,
    min_support: Fraction | int = 0,
) -> BudgetOutcome:
    """Spend what ``outcome`` left of ``budget`` greedily by ``support`` (votes or points) on the projects it did
    not fund, skipping what does not fit; projects below ``min_support`` stay out. Reasons of projects still
    not funded are kept from ``outcome`` where it had one."""
    filled = greedy(
        approvals.project_ids,
        approvals.costs,
        support,
        budget,
        min_support=min_support,
        already_selected=outcome.selected,
    )
    reasons = {p: outcome.reasons.get(p, reason) for p, reason in filled.reasons.items()}
    return BudgetOutcome(filled.selected, reasons, filled.spent)


def prefer_counts(approvals: Approvals, first: Sequence[int], second: Sequence[int]) -> tuple[int, int]:
    """How many voters prefer outcome ``first`` to ``second`` and vice versa, a voter's utility being the total
    cost of the funded projects she supports (cost utilities, as in MES)."""
    cost = np.array([float(c) for c in approvals.costs])
    in_first = np.zeros(approvals.n_projects)
    in_first[list(first)] = 1.0
    in_second = np.zeros(approvals.n_projects)
    in_second[list(second)] = 1.0
    # Costs are integers or cents in practice; the difference is summed per voter, so compare exactly where
    # close by falling back to Fractions for those voters.
    diff = np.bincount(
        approvals.voter_of,
        weights=(in_first - in_second)[approvals.project_of] * cost[approvals.project_of],
        minlength=approvals.n_voters,
    )
    scale = max(float(sum(approvals.costs)), 1.0) * 1e-9
    unclear = np.flatnonzero(np.abs(diff) <= scale)
    a = int(np.count_nonzero(diff > scale))
    b = int(np.count_nonzero(diff < -scale))
    if unclear.size:
        f_first, f_second = set(first), set(second)
        for v in unclear.tolist():
            lo, hi = np.searchsorted(approvals.voter_of, [v, v + 1])
            delta = Fraction(0)
            for p in approvals.project_of[lo:hi].tolist():
                delta += approvals.costs[p] * ((p in f_first) - (p in f_second))
            a += delta > 0
            b += delta < 0
    return a, b
