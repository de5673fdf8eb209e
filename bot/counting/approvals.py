"""The input of the budget rules: projects (ids, exact costs) and who supports what, in compact arrays.

Every budget rule in this package reads an :class:`Approvals`: the project ids in a fixed order, their exact
costs, and the support relation as two parallel integer arrays (voter index, project index) — one entry per
(voter, project) pair. Approval, choose-1, cumulative, scoring and ranked ballots all reduce to it for the Method
of Equal Shares with cost utilities (a voter "supports" every project on her ballot, as pabutools' ``Cost_Sat``
does); greedy rules read a separate per-project support score (votes or points).

Tie-breaking across the package is pabutools' lexicographic rule: projects compare by their id **as a string**
(``"1003"`` before ``"311"``); :func:`id_order` gives that rank.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import chain
from typing import TYPE_CHECKING

# numpy (about 20 MB resident) is imported when support arrays are first built, not when the bot starts:
# an idle bot never counts (see BENCHMARKS.md, Telegram, idle RSS).
if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["Approvals", "id_order"]


def id_order(project_ids: Sequence[str]) -> list[int]:
    """For each project (by index) its rank in string order of the ids — the pabutools tie-breaker."""
    ranks = [0] * len(project_ids)
    for rank, index in enumerate(sorted(range(len(project_ids)), key=lambda i: project_ids[i])):
        ranks[index] = rank
    return ranks


@dataclass(frozen=True, eq=False)
class Approvals:
    """Projects and the support relation.

    ``voter_of[k]`` supports ``project_of[k]``; entries are grouped by voter (ascending) and a voter supports a
    project at most once. ``n_voters`` counts every ballot, empty ones included (they still receive a share of
    the budget in the Method of Equal Shares, as in pabutools).
    """

    project_ids: tuple[str, ...]
    costs: tuple[Fraction, ...]
    n_voters: int
    voter_of: npt.NDArray[np.int64]
    project_of: npt.NDArray[np.int64]

    @classmethod
    def from_ballots(
        cls, project_ids: Sequence[str], costs: Sequence[Fraction], ballots: Iterable[Iterable[str]]
    ) -> Approvals:
        """Build from one iterable of supported project ids per voter; unknown ids raise :class:`KeyError`,
        repeated ids on one ballot count once."""
        import numpy as np

        index = {pid: i for i, pid in enumerate(project_ids)}
        listed = [b if isinstance(b, (tuple, list)) else tuple(b) for b in ballots]
        lengths = np.fromiter(map(len, listed), dtype=np.int64, count=len(listed))
        flat = chain.from_iterable(listed)
        # One C-level pass over every (voter, project) pair; an unknown id raises KeyError from the dict.
        projects = np.fromiter(map(index.__getitem__, flat), dtype=np.int64, count=int(lengths.sum()))
        voters = np.repeat(np.arange(len(listed), dtype=np.int64), lengths)
        m = max(len(project_ids), 1)
        pairs = voters * m + projects
        if pairs.size and np.unique(pairs).size != pairs.size:
            # A ballot naming a project twice: keep its first mention, in ballot order.
            _, first = np.unique(pairs, return_index=True)
            keep = np.sort(first)
            voters, projects = voters[keep], projects[keep]
        return cls(
            project_ids=tuple(project_ids),
            costs=tuple(Fraction(c) for c in costs),
            n_voters=len(listed),
            voter_of=voters,
            project_of=projects,
        )

    @property
    def n_projects(self) -> int:
        """How many projects there are."""
        return len(self.project_ids)

    def supporter_counts(self) -> npt.NDArray[np.int64]:
        """For each project, how many voters support it."""
        import numpy as np

        return np.bincount(self.project_of, minlength=self.n_projects).astype(np.int64)
