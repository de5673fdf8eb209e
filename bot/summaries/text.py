"""A published result in words: the summary posted to chats and mailed to rosters.

For budgets, per pool: the selected projects with their votes or points and cost, the threshold, the money used
out of the budget; for consultations: who took part (by kind and channel), how many published remarks each unit
got and how many were not published (:mod:`bot.views.turnout`, as the report counts them); for deliberative polls: how
opinion shifted between the first and the second survey, per question; for other kinds the full result table.
The text is plain (one line per row) so it reads the same in a chat and in an e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from bot.counting.pool import ItemRow, PoolResult, opinion_shift
from bot.definition import ProcessDefinition
from bot.domain import ProcessKind
from bot.i18n import Translator
from bot.services import ProcessInfo, ProcessResults
from bot.services.remarks import RemarkTally
from bot.views.results import results_text
from bot.views.turnout import consultation_lines

__all__ = ["SectionOpinions", "summary_text", "support_text"]


@dataclass(frozen=True)
class SectionOpinions:
    """How many opinions one § section (``number`` None: the document as a whole) received."""

    number: str | None
    title: str
    opinions: int


def support_text(row: ItemRow, t: Translator) -> str:
    """A row's support in words: votes, points, mean score or yes/no/abstain."""
    if row.yes is not None:
        return t("results.answers", yes=row.yes, no=row.no or 0, abstain=row.abstain or 0)
    if row.score is not None:
        return t("results.mean", mean=f"{float(row.score):.2f}")
    if row.points is not None:
        if row.points.denominator == 1:
            return t("results.points", count=int(row.points))
        return t("results.points_fraction", points=f"{float(row.points):.2f}")
    return t("results.votes", count=row.votes or 0)


def _budget_pool(definition: ProcessDefinition, result: PoolResult, t: Translator) -> list[str]:
    pool = definition.pool(result.pool)
    titles = {item.key: item.title.get(t.language) for item in definition.items_of(pool.key)}
    name = pool.name.get(t.language) if pool.name else t("process.pool_default")
    lines = [f"{name} — {t('results.ballots', count=result.ballots)}"]
    if pool.counting.min_votes:
        lines.append(t("summary.threshold", count=pool.counting.min_votes))
    selected = [row for row in result.rows if row.selected]
    if not selected:
        lines.append(t("summary.none_selected"))
    for row in selected:
        cost = f" · {t.money(row.cost)}" if row.cost is not None else ""
        lines.append(f"✅ {row.item}. {titles.get(row.item, row.item)}: {support_text(row, t)}{cost}")
    others = len(result.rows) - len(selected)
    if others:
        lines.append(t("summary.not_selected", count=others))
    if result.budget is not None:
        lines.append(t("results.budget_used", used=t.money(result.used or Decimal(0)), budget=t.money(result.budget)))
    return lines


def _shift_lines(definition: ProcessDefinition, results: ProcessResults, t: Translator) -> list[str]:
    titles = {item.key: item.title.get(t.language) for item in definition.items}
    lines = [t("summary.shift_header")]
    for key, before in results.rounds[0].items():
        after = results.rounds[1].get(key)
        if after is None:
            continue
        means_before = {row.item: row for row in before.rows}
        for item, change in opinion_shift(before, after).items():
            first, second = _mean(means_before.get(item)), _mean(after.row(item))
            if change is None or first is None or second is None:
                lines.append(f"{titles.get(item, item)}: {t('summary.shift_unknown')}")
                continue
            sign = "+" if change > 0 else ""
            lines.append(
                f"{titles.get(item, item)}: "
                + t(
                    "summary.shift",
                    before=f"{float(first):.2f}",
                    after=f"{float(second):.2f}",
                    shift=f"{sign}{float(change):.2f}",
                )
            )
    return lines


def _mean(row: ItemRow | None) -> Fraction | None:
    if row is None:
        return None
    if row.score is not None:
        return row.score
    if row.yes is not None and row.votes:
        return Fraction(row.yes, row.votes)
    return None


def summary_text(
    info: ProcessInfo,
    results: ProcessResults,
    t: Translator,
    *,
    sections: list[SectionOpinions] | None = None,
    tally: RemarkTally | None = None,
    link: str = "",
    ranking: str = "",
) -> str:
    """The summary of a published process in the reader's language (module docstring); ``ranking``: an index
    edition's ranking (:func:`bot.views.index.ranking_text`), shown instead of the survey's figures by area."""
    definition = info.definition
    lines = [
        t("summary.header", title=info.title(t.language)),
        t("results.turnout", count=results.turnout.participants),
    ]
    assert info.kind is not ProcessKind.CONSULTATION or tally is not None, "a consultation's summary needs its tally"
    if info.kind is ProcessKind.BUDGET:
        for result in results.rounds[0].values():
            lines += ["", *_budget_pool(definition, result, t)]
    elif info.kind is ProcessKind.CONSULTATION and tally is not None:
        lines += consultation_lines(results.turnout, tally, t, general=t("summary.whole_document"))
    elif info.kind is ProcessKind.DELIBERATIVE_POLL and len(results.rounds) == 2:
        lines += ["", *_shift_lines(definition, results, t)]
    else:
        table = results_text(info, results, t, areas=not ranking).split("\n")
        lines += table[2:]  # its own header and turnout are already here
        if ranking:
            lines += ["", ranking]
    if link:
        label = "summary.report_link" if info.kind is ProcessKind.CONSULTATION else "summary.link"
        lines += ["", t(label, url=link)]
    return "\n".join(lines).strip()
