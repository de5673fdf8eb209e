"""The Borda count on rankings.

With ``m`` items, the item in place ``i`` (0-based) of a ballot gets ``m - 1 - i`` points; unranked items get 0
(for complete rankings this is pref_voting's ``borda``). Ties: definition order (:func:`scores.rank_by`).
Kraków-style ranked ballots with their own place values (3/2/1) are counted by the ``points`` rule instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["borda_scores"]


def borda_scores(items: Sequence[str], ballots: Iterable[Sequence[str]]) -> dict[str, int]:
    """Borda points per item (see the module docstring)."""
    m = len(items)
    scores = dict.fromkeys(items, 0)
    for ballot in ballots:
        for place, item in enumerate(ballot):
            scores[item] += m - 1 - place
    return scores
