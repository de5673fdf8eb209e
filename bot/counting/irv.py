"""Instant-runoff voting (IRV) on rankings, possibly truncated.

Each round every ballot counts for its highest-ranked item still in the race (a ballot with none left is
exhausted); the item with the fewest such votes is eliminated, until one remains.

Tie-breaking is exactly pref_voting's ``instant_runoff_tb`` with ``tie_breaker`` = the items in definition
order (its default, the candidate order): when several items share the fewest votes, the one that comes
**first** in ``tie_breaker`` is eliminated. Pass another ``tie_breaker`` to change it. pref_voting eliminates one
candidate at a time in that case too, so winners are identical (``tests/counting`` checks it on random
profiles, using ``ProfileWithTies`` for truncated ballots).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["IrvResult", "instant_runoff"]


@dataclass(frozen=True, slots=True)
class IrvResult:
    """The winner, the elimination order (first eliminated first), and each round's vote counts."""

    winner: str | None
    eliminated: tuple[str, ...]
    rounds: tuple[dict[str, int], ...]

    def order(self) -> list[str]:
        """All items from best to worst: the winner, then the reverse elimination order."""
        head = [self.winner] if self.winner is not None else []
        return head + list(reversed(self.eliminated))


def instant_runoff(
    items: Sequence[str], ballots: Iterable[Sequence[str]], *, tie_breaker: Sequence[str] | None = None
) -> IrvResult:
    """Run IRV (see the module docstring). With no items the winner is ``None``."""
    position = {item: i for i, item in enumerate(tie_breaker if tie_breaker is not None else items)}
    profile = [tuple(b) for b in ballots if b]
    remaining = list(items)
    eliminated: list[str] = []
    rounds: list[dict[str, int]] = []
    while len(remaining) > 1:
        alive = set(remaining)
        counts = dict.fromkeys(remaining, 0)
        for ballot in profile:
            for item in ballot:
                if item in alive:
                    counts[item] += 1
                    break
        rounds.append(counts)
        fewest = min(counts.values())
        loser = min((item for item in remaining if counts[item] == fewest), key=lambda item: position[item])
        remaining.remove(loser)
        eliminated.append(loser)
    if remaining:
        alive = set(remaining)
        rounds.append({remaining[0]: sum(1 for b in profile if any(i in alive for i in b))})
    return IrvResult(remaining[0] if remaining else None, tuple(eliminated), tuple(rounds))
