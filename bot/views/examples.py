"""The "e.g." of every instruction, built from the process's own definition: its items, its pools, its ballot
rule and the reader's answer words — never a fixed string that fits one example and misleads the others.

:func:`example_ballot` writes a ballot in the syntax :func:`bot.ballot_text.parse_ballot_text` reads; the test
suite parses the example of every example process in every language, so an instruction cannot suggest a ballot
that the bot itself would refuse.
"""

from __future__ import annotations

from decimal import Decimal

from bot.ballot_text import ANSWER_WORDS, item_number
from bot.definition import Item, Pool, ProcessDefinition
from bot.domain import Answer, BallotRuleKind, ItemKind

__all__ = ["example_ballot", "example_pools", "pool_example"]

_ANSWER_CYCLE = (Answer.YES, Answer.NO, Answer.ABSTAIN)


def example_pools(definition: ProcessDefinition, district: str | None = None) -> list[Pool]:
    """The pools a voter of ``district`` fills: every city-wide pool and their district's (without a district:
    the first district pool, as an illustration)."""
    city = [pool for pool in definition.pools if pool.district is None]
    local = [pool for pool in definition.pools if pool.district is not None]
    if district is not None:
        local = [pool for pool in local if pool.district == district]
    return city + local[:1]


def _choice(definition: ProcessDefinition, pool: Pool, items: list[Item]) -> list[Item]:
    """A few items that make a valid choice: at least the minimum, within the maximum and the money."""
    rule = pool.ballot
    wanted = 1 if rule.rule is BallotRuleKind.ONE_OF else max(rule.min, min(2, rule.max or 2))
    if rule.rule is BallotRuleKind.RANKING:
        wanted = max(rule.min, min(3, rule.max or len(rule.weights or ()) or 3))
    if rule.rule is BallotRuleKind.EXACTLY and rule.max:
        wanted = rule.max
    limit = rule.max_cost or pool.budget if rule.rule is BallotRuleKind.WITHIN_BUDGET else None
    chosen: list[Item] = []
    spent = Decimal(0)
    for item in items:
        if len(chosen) == wanted:
            break
        cost = item.cost or Decimal(0)
        if limit is not None and spent + cost > limit:
            continue
        chosen.append(item)
        spent += cost
    return chosen


def pool_example(definition: ProcessDefinition, pool: Pool, language: str) -> str:
    """A valid vote in one pool, as typed (``1, 2``; ``1:5 2:3``; ``1: TAK, 2: NIE``)."""
    items = [item for item in definition.items_of(pool.key) if item.kind is not ItemKind.SECTION]
    rule = pool.ballot
    if rule.rule is BallotRuleKind.YES_NO_ABSTAIN:
        words = ANSWER_WORDS.get(language, ANSWER_WORDS["pl"])
        return ", ".join(
            f"{item_number(definition, item.key)}: {words[_ANSWER_CYCLE[index % 3]]}"
            for index, item in enumerate(items)
        )
    if rule.rule is BallotRuleKind.SCORE:
        scored = items if rule.require_all else items[: max(rule.min, min(3, len(items)))]
        span = rule.max_score - rule.min_score + 1
        return " ".join(
            f"{item_number(definition, item.key)}:{rule.min_score + (index * 3 + span - 1) % span}"
            for index, item in enumerate(scored)
        )
    if rule.rule is BallotRuleKind.CUMULATIVE:
        total = rule.max_total or 3
        per_item = min(rule.max_per_item or total, max(1, total - 1))
        first, second = items[0], items[1] if len(items) > 1 else None
        parts = [f"{item_number(definition, first.key)}:{per_item}"]
        if second is not None and total - per_item > 0:
            parts.append(f"{item_number(definition, second.key)}:{min(total - per_item, rule.max_per_item or total)}")
        return " ".join(parts)
    chosen = _choice(definition, pool, items)
    separator = " > " if rule.rule is BallotRuleKind.RANKING else ", "
    return separator.join(item_number(definition, item.key) for item in chosen)


def example_ballot(definition: ProcessDefinition, language: str, district: str | None = None) -> str:
    """A valid ballot for this process, as a voter of ``district`` would type it (``1, 2, 12``; ``1:4 2:5``;
    ``1: TAK, 2: NIE``). Items are unique across a process, so pools need no prefix."""
    parts = [pool_example(definition, pool, language) for pool in example_pools(definition, district)]
    joined = [part for part in parts if part]
    separator = "; " if any(pool.ballot.rule is BallotRuleKind.RANKING for pool in definition.pools) else ", "
    return separator.join(joined)
