"""What a budget rule returns: the funded projects in order and, for the others, why not.

The reason codes are shared with :mod:`bot.counting.pool` (they end up on the results page, translated from the
``counting.reason.*`` message keys).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

__all__ = ["BudgetOutcome", "Reason"]


class Reason(StrEnum):
    """Why an item was not selected."""

    BELOW_THRESHOLD = "below_threshold"  # fewer votes (points) than the minimum
    DOES_NOT_FIT = "does_not_fit"  # greedy: its cost exceeded the money left when its turn came
    NOT_REACHED = "not_reached"  # greedy-no-skip stopped before it; majority not reached; not among winners
    INSUFFICIENT_SHARES = "insufficient_shares"  # equal shares: its supporters' shares could not pay for it
    NO_SUPPORT = "no_support"  # nobody supported it (equal shares never funds such a project)


@dataclass(frozen=True, slots=True)
class BudgetOutcome:
    """The result of a budget rule over projects indexed ``0 … n-1``.

    ``selected`` lists the funded project indices in the order the rule picked them; ``reasons`` maps every
    other index to its :class:`Reason`; ``spent`` is the total cost of ``selected``.
    """

    selected: tuple[int, ...]
    reasons: dict[int, Reason] = field(default_factory=dict)
    spent: Fraction = Fraction(0)
