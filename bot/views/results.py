"""Results as plain text for chat channels and the terminal: per pool, the items in the rule's order with
their support, what was selected, the money used; the opinion shift of a deliberative poll."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from bot.counting.pool import ItemRow, PoolResult, opinion_shift
from bot.definition import Item, ProcessDefinition
from bot.domain import CountingRuleKind
from bot.i18n import Translator
from bot.services import ProcessInfo, ProcessResults
from bot.views.process import district_name

__all__ = ["results_text"]


def _decimal(value: Fraction, places: int = 2) -> str:
    return f"{float(value):.{places}f}"


def _support(row: ItemRow, t: Translator) -> str:
    if row.yes is not None:
        return t("results.answers", yes=row.yes, no=row.no or 0, abstain=row.abstain or 0)
    if row.score is not None:
        return t("results.mean", mean=_decimal(row.score))
    if row.points is not None:
        if row.points.denominator == 1:
            return t("results.points", count=int(row.points))
        return t("results.points_fraction", points=_decimal(row.points))
    return t("results.votes", count=row.votes or 0)


def _pool_text(definition: ProcessDefinition, result: PoolResult, t: Translator) -> list[str]:
    pool = definition.pool(result.pool)
    items: dict[str, Item] = {item.key: item for item in definition.items_of(pool.key)}
    name = pool.name.get(t.language) if pool.name else t("process.pool_default")
    lines = [f"[{pool.key}] {name} — {t('results.ballots', count=result.ballots)}"]
    if result.ballots == 0:
        lines.append("  " + t("results.no_ballots"))
        return lines
    majority = pool.counting.rule is CountingRuleKind.MAJORITY
    for row in result.rows:
        item = items.get(row.item)
        title = item.title.get(t.language) if item else row.item
        mark = "✅" if row.selected else "  "
        text = f"{mark} {row.item}. {title}: {_support(row, t)}"
        if row.cost is not None:
            text += f" · {t.money(row.cost)}"
        if majority:
            text += " — " + t("results.passed" if row.selected else "results.failed")
        elif not row.selected and row.reason:
            text += f" — {t('counting.reason.' + row.reason)}"
        lines.append(text)
    if result.budget is not None:
        lines.append(t("results.budget_used", used=t.money(result.used or Decimal(0)), budget=t.money(result.budget)))
    return lines


def results_text(info: ProcessInfo, results: ProcessResults, t: Translator) -> str:
    """The whole result of a process in the reader's language."""
    definition = info.definition
    lines = [t("results.header", title=info.title(t.language))]
    lines.append(t("results.turnout", count=results.turnout.participants))
    for number, pools in enumerate(results.rounds, start=1):
        if len(results.rounds) > 1:
            lines += ["", t("results.round", round=number)]
        for result in pools.values():
            lines += ["", *_pool_text(definition, result, t)]
    if results.by_district:
        lines += ["", t("results.index_header")]
        for entry in sorted(results.by_district, key=lambda entry: -(entry.index or 0)):
            name = district_name(definition, entry.district, t.language)
            value = _decimal(entry.index) if entry.index is not None else t("results.index_none")
            lines.append(f"  {name}: {value} ({t('results.ballots', count=entry.ballots)})")
    if len(results.rounds) == 2:
        lines.append("")
        for key, before in results.rounds[0].items():
            shift = opinion_shift(before, results.rounds[1][key])
            for item_key, change in shift.items():
                if change is not None:
                    sign = "+" if change > 0 else ""
                    lines.append(f"{item_key}: {t('results.shift', shift=sign + _decimal(change))}")
    return "\n".join(lines)
