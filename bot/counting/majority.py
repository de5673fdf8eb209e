"""Yes / no / abstain questions decided by majority.

Per question: ``simple`` passes when yes > no; ``absolute`` passes when yes is more than half of the ballots that
answered the question (abstentions count as cast). Ballots that skip a question do not count for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.domain import Answer

__all__ = ["Tally", "answers", "passes"]


@dataclass(frozen=True, slots=True)
class Tally:
    """Answers to one question."""

    yes: int = 0
    no: int = 0
    abstain: int = 0

    @property
    def cast(self) -> int:
        """Ballots that answered (abstentions included)."""
        return self.yes + self.no + self.abstain


def answers(items: Sequence[str], ballots: Iterable[Mapping[str, str]]) -> dict[str, Tally]:
    """Count answers per item; an answer other than yes/no/abstain raises :class:`ValueError`."""
    counts = {item: [0, 0, 0] for item in items}
    slot = {Answer.YES.value: 0, Answer.NO.value: 1, Answer.ABSTAIN.value: 2}
    for ballot in ballots:
        for item, answer in ballot.items():
            where = slot.get(str(answer))
            if where is None:
                raise ValueError(f"not a yes/no/abstain answer: {answer!r}")
            counts[item][where] += 1
    return {item: Tally(*values) for item, values in counts.items()}


def passes(tally: Tally, majority: str = "simple") -> bool:
    """Whether the question passes under ``simple`` or ``absolute`` majority."""
    if majority == "absolute":
        return 2 * tally.yes > tally.cast
    return tally.yes > tally.no
