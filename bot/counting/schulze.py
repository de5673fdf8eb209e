"""The Schulze method (pref_voting's ``beat_path``) on rankings, possibly truncated.

``d[x][y]`` counts the ballots ranking x above y (a ranked item is above every unranked one; two unranked items
are not compared — pref_voting's ``ProfileWithTies`` with ``use_extended_strict_preference()``). A link x→y
exists when the margin ``d[x][y] - d[y][x]`` is positive and has that margin as strength; ``p[x][y]`` is the
strength of the strongest (widest) path. x beats y when ``p[x][y] > p[y][x]``; this relation is transitive.

Winners of pref_voting's ``beat_path`` are the unbeaten items (:func:`schulze` returns them all in ``tied``).
Our deterministic order: repeatedly take the items unbeaten among those left; within such a group the item that
comes first in definition order goes first. So the single winner is the first unbeaten item.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["SchulzeResult", "pairwise", "schulze"]


@dataclass(frozen=True, slots=True)
class SchulzeResult:
    """``order``: all items best first; ``tied``: the unbeaten items (pref_voting's winners); ``wins``: how many
    items each one beats."""

    order: tuple[str, ...]
    tied: tuple[str, ...]
    wins: dict[str, int]


def pairwise(items: Sequence[str], ballots: Iterable[Sequence[str]]) -> list[list[int]]:
    """``d[i][j]``: ballots ranking ``items[i]`` above ``items[j]`` (ranked above unranked)."""
    index = {item: i for i, item in enumerate(items)}
    m = len(items)
    d = [[0] * m for _ in range(m)]
    for ballot in ballots:
        ranked = [index[item] for item in ballot]
        unranked = set(range(m)) - set(ranked)
        for place, i in enumerate(ranked):
            row = d[i]
            for j in ranked[place + 1 :]:
                row[j] += 1
            for j in unranked:
                row[j] += 1
    return d


def schulze(items: Sequence[str], ballots: Iterable[Sequence[str]]) -> SchulzeResult:
    """Run Schulze (see the module docstring)."""
    m = len(items)
    d = pairwise(items, ballots)
    none = float("-inf")
    p: list[list[float]] = [
        [float(d[i][j] - d[j][i]) if i != j and d[i][j] > d[j][i] else none for j in range(m)] for i in range(m)
    ]
    for k in range(m):
        for i in range(m):
            if i == k:
                continue
            pik = p[i][k]
            if pik == none:
                continue
            row = p[i]
            for j in range(m):
                if j != i and j != k:
                    via = min(pik, p[k][j])
                    if via > row[j]:
                        row[j] = via
    beats = [[i != j and p[i][j] > p[j][i] for j in range(m)] for i in range(m)]
    left = list(range(m))
    order: list[int] = []
    tied: list[int] = []
    while left:
        group = [i for i in left if not any(beats[j][i] for j in left)]
        if not group:  # cannot happen (the relation is a strict order), but never loop forever
            group = left[:]
        if not order:
            tied = group
        order.extend(group)
        left = [i for i in left if i not in group]
    return SchulzeResult(
        order=tuple(items[i] for i in order),
        tied=tuple(items[i] for i in tied),
        wins={items[i]: sum(beats[i]) for i in range(m)},
    )
