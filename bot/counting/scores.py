"""Counting by sums: plurality, approval, points (ranking weights or cumulative points) and score.

Every function takes the pool's item keys in definition order and an iterable of ballots and returns a total
per item. :func:`rank_by` turns totals into an order of winners. Tie-breaking, documented once: equal totals
are ordered by the items' definition order (the item listed first wins the tie), which is deterministic and
visible to voters on the ballot.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

__all__ = [
    "approval_counts",
    "plurality_counts",
    "points_from_rankings",
    "rank_by",
    "ranking_weights",
    "score_totals",
    "sum_points",
]


def plurality_counts(items: Sequence[str], ballots: Iterable[Sequence[str]]) -> dict[str, int]:
    """First choices per item: each non-empty ballot counts once, for its first item (a one-of ballot has only
    that one; for a ranking it is the first preference)."""
    counts = dict.fromkeys(items, 0)
    for ballot in ballots:
        if ballot:
            counts[ballot[0]] += 1
    return counts


def approval_counts(items: Sequence[str], ballots: Iterable[Iterable[str]]) -> dict[str, int]:
    """Ballots naming each item (an item repeated on one ballot counts once)."""
    counts = dict.fromkeys(items, 0)
    for ballot in ballots:
        for item in set(ballot):
            counts[item] += 1
    return counts


def ranking_weights(length: int, weights: Sequence[int] | None = None) -> list[int]:
    """Points per place for rankings of up to ``length`` items: ``weights`` if given (Kraków: 3, 2, 1), else
    ``length, length-1, …, 1``; places beyond the list are worth 0."""
    if weights is not None:
        return list(weights)
    return list(range(length, 0, -1))


def points_from_rankings(
    items: Sequence[str], ballots: Iterable[Sequence[str]], weights: Sequence[int]
) -> dict[str, Fraction]:
    """Points per item when the place ``i`` on a ranking is worth ``weights[i]`` (0 beyond the weights)."""
    totals = dict.fromkeys(items, Fraction(0))
    for ballot in ballots:
        for place, item in enumerate(ballot):
            if place < len(weights):
                totals[item] += weights[place]
    return totals


def sum_points(items: Sequence[str], ballots: Iterable[Mapping[str, int | Fraction]]) -> dict[str, Fraction]:
    """Total points per item over cumulative (points) ballots."""
    totals = dict.fromkeys(items, Fraction(0))
    for ballot in ballots:
        for item, points in ballot.items():
            totals[item] += points
    return totals


def score_totals(
    items: Sequence[str], ballots: Iterable[Mapping[str, int | Fraction]]
) -> dict[str, tuple[Fraction, int]]:
    """Per item: (sum of scores, number of ballots that scored it). The mean is ``sum / count`` (undefined, and
    reported as ``None`` by :mod:`bot.counting.pool`, when nobody scored the item)."""
    totals = {item: (Fraction(0), 0) for item in items}
    for ballot in ballots:
        for item, score in ballot.items():
            total, count = totals[item]
            totals[item] = (total + score, count + 1)
    return totals


def rank_by(items: Sequence[str], value: Mapping[str, Fraction | int | None]) -> list[str]:
    """Items by ``value`` descending; equal values keep the definition order; ``None`` values come last."""
    position = {item: i for i, item in enumerate(items)}

    def key(item: str) -> tuple[int, Fraction, int]:
        v = value[item]
        return (1, Fraction(0), position[item]) if v is None else (0, -Fraction(v), position[item])

    return sorted(items, key=key)
