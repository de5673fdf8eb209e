"""Greedy budget rules: most support first, with a minimum-support threshold.

``greedy`` skips a project that does not fit the money left and goes on (Warszawa, Kraków, Łódź …);
``greedy_no_skip`` stops at the first project that does not fit (Gdynia's ``greedy-no-skip``).

Order, identical to pabutools' ``greedy_utilitarian_welfare(..., sat_class=Cost_Sat)``: by support descending
(support = votes, or points), ties by project id **as a string**; a project of cost 0 ranks as if it had no
support (cost utilities give it satisfaction 0) and, being free, is funded at its turn.
Like pabutools, a project with zero support is still funded when money is left and no threshold excludes it;
set ``min_support=1`` to exclude it. Projects with support below ``min_support`` are never funded (pabutools
ignores the threshold; the cities apply it).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from bot.counting.approvals import id_order
from bot.counting.outcome import BudgetOutcome, Reason

__all__ = ["greedy", "greedy_order"]


def greedy_order(project_ids: Sequence[str], costs: Sequence[Fraction], support: Sequence[Fraction | int]) -> list[int]:
    """Project indices in the order greedy considers them (see the module docstring)."""
    ranks = id_order(project_ids)

    def key(i: int) -> tuple[Fraction, int]:
        # pabutools sorts by satisfaction density = (support · cost) / cost under cost utilities; a project of
        # cost 0 gives satisfaction 0, so its density is 0 whatever its support (it is free, so it still fits).
        density = Fraction(support[i]) if costs[i] > 0 else Fraction(0)
        return (-density, ranks[i])

    return sorted(range(len(project_ids)), key=key)


def greedy(
    project_ids: Sequence[str],
    costs: Sequence[Fraction],
    support: Sequence[Fraction | int],
    budget: Fraction,
    *,
    min_support: Fraction | int = 0,
    stop_at_first_misfit: bool = False,
    already_selected: Sequence[int] = (),
) -> BudgetOutcome:
    """Fund projects by support within ``budget``.

    ``already_selected`` (indices) are taken as funded first (used to complete another rule's outcome); their
    cost counts against ``budget`` and they lead ``selected``. Returns a :class:`BudgetOutcome` whose reasons are
    ``below_threshold``, ``does_not_fit`` or (no-skip, after the stop) ``not_reached``.
    """
    selected = list(already_selected)
    chosen = set(selected)
    left = Fraction(budget) - sum((costs[i] for i in selected), Fraction(0))
    reasons: dict[int, Reason] = {}
    stopped = False
    for i in greedy_order(project_ids, costs, support):
        if i in chosen:
            continue
        if support[i] < min_support:
            reasons[i] = Reason.BELOW_THRESHOLD
        elif stopped:
            reasons[i] = Reason.NOT_REACHED
        elif costs[i] <= left:
            selected.append(i)
            chosen.add(i)
            left -= costs[i]
        else:
            reasons[i] = Reason.DOES_NOT_FIT
            stopped = stop_at_first_misfit
    return BudgetOutcome(tuple(selected), reasons, Fraction(budget) - left)
