"""Results as plain text for chat channels, e-mail and the terminal, presented for what the process is.

* a budget: each project with its support and cost, ✅ for chosen, the reason for the others ("nie zmieścił się
  w pozostałej kwocie"), the money used and the threshold;
* a survey, an index, a deliberative poll (score counting): each item's mean with the language's decimal comma,
  how many answered and how the answers split; no "chosen", no "not reached";
* yes / no / abstain: the tallies, passed or not, and the majority rule applied;
* a single-choice vote: the counts, the winner, a tie named with the tie-break rule;
* IRV: every round, who was eliminated; Schulze and Borda: their scores;
* a deliberative poll's two rounds: the shift among the people who answered both rounds, paired per ballot;
* a consultation: its authors by kind and channel, the published remarks per unit and those not published.

Items are shown by the number people typed and their title, pools by name: never a key.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from bot.ballot_text import item_number
from bot.counting.pool import ItemRow, PoolResult
from bot.definition import Pool, ProcessDefinition
from bot.domain import CountingRuleKind
from bot.i18n import Translator
from bot.services import ProcessInfo, ProcessResults
from bot.services.remarks import RemarkTally
from bot.views.process import district_name, pool_name
from bot.views.turnout import consultation_lines

__all__ = ["results_text"]

_BUDGET = frozenset({CountingRuleKind.GREEDY, CountingRuleKind.GREEDY_NO_SKIP, CountingRuleKind.MES})
_RANKED_SCORES = frozenset({CountingRuleKind.SCHULZE, CountingRuleKind.BORDA, CountingRuleKind.POINTS})


class _Names:
    """``1. Title`` for an item key, in the reader's language."""

    def __init__(self, definition: ProcessDefinition, t: Translator) -> None:
        self.definition = definition
        self.titles = {item.key: item.title.get(t.language) for item in definition.items}

    def __call__(self, key: str) -> str:
        return f"{item_number(self.definition, key)}. {self.titles.get(key, key)}"

    def bare(self, key: str) -> str:
        return self.titles.get(key, key)


def _support(row: ItemRow, t: Translator) -> str:
    if row.points is not None:
        if row.points.denominator == 1:
            return t("results.points", count=int(row.points))
        return t("results.points_fraction", points=t.decimal(row.points))
    return t("results.votes", count=row.votes or 0)


def _budget_rows(pool: Pool, result: PoolResult, names: _Names, t: Translator) -> list[str]:
    lines = []
    for row in result.rows:
        text = f"{'✅' if row.selected else '▫️'} {names(row.item)} — {_support(row, t)}"
        if row.cost is not None:
            text += f" · {t.money(row.cost)}"
        if not row.selected and row.reason:
            text += f" — {t('counting.reason.' + row.reason)}"
        lines.append(text)
    if pool.counting.min_votes:
        lines.append(t("summary.threshold", count=pool.counting.min_votes))
    if result.budget is not None:
        lines.append(t("results.budget_used", used=t.money(result.used or Decimal(0)), budget=t.money(result.budget)))
    return lines


def _distribution(counts: Mapping[Any, Any], t: Translator) -> str:
    return ", ".join(t("results.score_count", score=str(score), count=int(count)) for score, count in counts.items())


def _score_rows(result: PoolResult, names: _Names, t: Translator) -> list[str]:
    distribution: Mapping[str, Mapping[Any, Any]] = result.details.get("distribution", {})
    lines = []
    for row in sorted(result.rows, key=lambda row: item_number(names.definition, row.item).zfill(6)):
        if row.score is None:
            lines.append(f"{names(row.item)} — {t('results.index_none')}")
            continue
        split = _distribution(distribution.get(row.item, {}), t)
        answers = t("results.answers_count", count=row.votes or 0)
        lines.append(f"{names(row.item)} — {t('results.mean', mean=t.decimal(row.score))} ({answers}; {split})")
    return lines


def _majority_rows(pool: Pool, result: PoolResult, names: _Names, t: Translator) -> list[str]:
    lines = [t("results.majority." + pool.counting.majority)]
    for row in sorted(result.rows, key=lambda row: item_number(names.definition, row.item).zfill(6)):
        tally = t("results.answers", yes=row.yes or 0, no=row.no or 0, abstain=row.abstain or 0)
        verdict = t("results.passed" if row.selected else "results.failed")
        lines.append(f"{'✅' if row.selected else '❌'} {names(row.item)} — {tally} — {verdict}")
    return lines


def _choice_rows(pool: Pool, result: PoolResult, names: _Names, t: Translator) -> list[str]:
    lines = [f"{'✅' if row.selected else '▫️'} {names(row.item)} — {_support(row, t)}" for row in result.rows]
    winners = pool.counting.winners
    if len(result.rows) > winners and result.ballots:
        last = result.rows[winners - 1]
        tied = [row for row in result.rows if _support(row, t) == _support(last, t)]
        if len(tied) > 1 and any(not row.selected for row in tied):
            lines.append(
                t(
                    "results.tie",
                    items=", ".join(names(row.item) for row in tied),
                    support=_support(last, t),
                    winner=", ".join(names(row.item) for row in tied if row.selected),
                )
            )
    return lines


def _irv_rows(result: PoolResult, names: _Names, t: Translator) -> list[str]:
    rounds: list[Mapping[str, int]] = result.details.get("rounds", [])
    eliminated: list[str] = result.details.get("eliminated", [])
    lines = []
    for number, counts in enumerate(rounds, start=1):
        standing = ", ".join(
            f"{names.bare(key)} {t.number(votes)}" for key, votes in sorted(counts.items(), key=lambda kv: -kv[1])
        )
        out = eliminated[number - 1] if number - 1 < len(eliminated) and number < len(rounds) else None
        text = t("results.irv_round", round=number, standing=standing)
        if out is not None:
            text += " " + t("results.irv_out", item=names.bare(out))
        lines.append(text)
    if result.winners:
        lines.append(t("results.winner", winner=names(result.winners[0])))
    return lines


def _ranked_rows(pool: Pool, result: PoolResult, names: _Names, t: Translator) -> list[str]:
    key = "results.schulze_wins" if pool.counting.rule is CountingRuleKind.SCHULZE else "results.points"
    lines = []
    for row in result.rows:
        value = int(row.points or 0)
        lines.append(f"{'✅' if row.selected else '▫️'} {names(row.item)} — {t(key, count=value)}")
    tied: list[str] = result.details.get("tied", [])
    if tied:
        lines.append(t("results.schulze_tied", items=", ".join(names(key) for key in tied)))
    return lines


def _pool_text(definition: ProcessDefinition, result: PoolResult, t: Translator) -> list[str]:
    pool = definition.pool(result.pool)
    names = _Names(definition, t)
    header = t("results.ballots", count=result.ballots)
    if pool.name is not None or len(definition.pools) > 1:
        header = f"{pool_name(pool, t)} — {header}"
    lines = [header, t("process.counting", rule=t("counting.rule." + pool.counting.rule.value))]
    if result.ballots == 0:
        return [*lines, t("results.no_ballots")]
    rule = pool.counting.rule
    if rule in _BUDGET:
        return lines + _budget_rows(pool, result, names, t)
    if rule is CountingRuleKind.SCORE:
        return lines + _score_rows(result, names, t)
    if rule is CountingRuleKind.MAJORITY:
        return lines + _majority_rows(pool, result, names, t)
    if rule is CountingRuleKind.IRV:
        return lines + _irv_rows(result, names, t)
    if rule in _RANKED_SCORES:
        return lines + _ranked_rows(pool, result, names, t)
    return lines + _choice_rows(pool, result, names, t)


def _shift_lines(definition: ProcessDefinition, results: ProcessResults, t: Translator) -> list[str]:
    """Round 1 → round 2 per item, over the people who answered both rounds (paired by ballot, not by person)."""
    names = _Names(definition, t)
    lines: list[str] = []
    paired = results.paired
    if paired is None:
        return lines
    lines.append(t("results.shift_header", count=paired.people))
    for key, (before, after) in paired.means.items():
        if before is None or after is None:
            continue
        shift = after - before
        lines.append(
            f"{names(key)} — {t.decimal(before)} → {t.decimal(after)} ({t('results.shift', shift=t.signed(shift))})"
        )
    return lines


def results_text(
    info: ProcessInfo,
    results: ProcessResults,
    t: Translator,
    *,
    areas: bool = True,
    tally: RemarkTally | None = None,
) -> str:
    """The whole result of a process in the reader's language (``areas``: with a survey's figures by area; an
    index's summary gives its own ranking instead); a consultation's with its remarks ``tally`` (authors by kind
    and channel, published remarks per unit, as the summary and the report give them)."""
    definition = info.definition
    lines = [t("results.header", title=info.title(t.language))]
    lines.append(t("results.turnout", count=results.turnout.participants))
    if any(not entry.published for entry in results.by_district):
        # the figures below leave the withheld areas out (ResultsService): say so, or they would not add up
        lines.append(t("index.covers_published", count=results.min_responses or definition.min_responses))
    if tally is not None:
        lines += consultation_lines(results.turnout, tally, t, general=t("summary.whole_document"))
    for number, pools in enumerate(results.rounds, start=1):
        if len(results.rounds) > 1:
            lines += ["", t("results.round", round=number)]
        for result in pools.values():
            lines += ["", *_pool_text(definition, result, t)]
    if results.by_district and areas:
        lines += ["", t("results.index_header")]
        shown = [entry for entry in results.by_district if entry.published]
        for entry in sorted(shown, key=lambda entry: -(entry.index or Fraction(0))):
            name = district_name(definition, entry.district, t.language)
            value = t.decimal(entry.index) if entry.index is not None else t("results.index_none")
            lines.append(f"{name}: {value} ({t('results.answers_count', count=entry.ballots)})")
        withheld = [entry for entry in results.by_district if not entry.published]
        for entry in withheld:
            lines.append(f"{district_name(definition, entry.district, t.language)}: {t('index.too_few')}")
        if withheld:
            lines.append(t("index.too_few_rule", count=results.min_responses or definition.min_responses))
    if len(results.rounds) == 2:
        shift = _shift_lines(definition, results, t)
        if shift:
            lines += ["", *shift]
    return "\n".join(lines)
