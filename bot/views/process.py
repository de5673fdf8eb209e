"""Plain-text views of processes for chat channels: what a resident reads before voting or commenting."""

from __future__ import annotations

from bot.ballot_text import item_number
from bot.definition import Item, Pool, ProcessDefinition
from bot.domain import BallotRuleKind, ItemKind, Phase, ProcessKind
from bot.i18n import Translator
from bot.services import ProcessInfo
from bot.views.examples import example_ballot
from bot.views.notice import notice_lines

__all__ = [
    "ballot_rule_text",
    "district_name",
    "how_to_take_part",
    "item_line",
    "pool_name",
    "process_line",
    "process_text",
]


def process_line(info: ProcessInfo, t: Translator) -> str:
    """One line for a list: slug, title, phase and, until it closes, its closing time."""
    line = f"{info.slug} — {info.title(t.language)} ({t('phase.' + info.phase.value)}"
    # "until 06.09" beside "closed" would read as still running (or as closed then, which an early close is not)
    if info.closes_at is not None and info.phase in (Phase.DRAFT, Phase.OPEN):
        line += ", " + t("process.closes", when=info.closes_at)
    return line + ")"


def district_name(definition: ProcessDefinition, key: str | None, language: str) -> str:
    """The human name of a district key."""
    if key is None:
        return ""
    name = definition.eligibility.district_names.get(key)
    return name.get(language) if name else key


def ballot_rule_text(pool: Pool, t: Translator) -> str:
    """What a valid ballot is in this pool, in one sentence."""
    rule = pool.ballot
    params: dict[str, object] = {"min": rule.min, "max": rule.max or 0, "count": rule.max or 1}
    if rule.rule is BallotRuleKind.MIN_MAX and rule.max is None:
        return t("rule.at_least", count=max(rule.min, 1))
    if rule.rule is BallotRuleKind.CUMULATIVE:
        params.update(count=rule.max_total or 0, max_total=rule.max_total or 0)
    if rule.rule is BallotRuleKind.SCORE:
        params.update(min_score=rule.min_score, max_score=rule.max_score)
    if rule.rule is BallotRuleKind.WITHIN_BUDGET:
        params.update(budget=t.money(rule.max_cost or pool.budget or 0))
    if rule.rule is BallotRuleKind.RANKING and rule.weights:
        params.update(weights="/".join(str(weight) for weight in rule.weights))
        return t("rule.ranking_weights", **params)
    return t("rule." + rule.rule.value, **params)


def pool_name(pool: Pool, t: Translator) -> str:
    """The pool as a reader calls it: its name, else "Głosowanie" (the key never shows)."""
    return pool.name.get(t.language) if pool.name else t("process.pool_default")


def item_line(definition: ProcessDefinition, item: Item, t: Translator) -> str:
    """``1. Title (cost)``: the number the voter types, the title in the reader's language, a project's cost."""
    text = f"{item_number(definition, item.key)}. {item.title.get(t.language)}"
    if item.kind is ItemKind.PROJECT and item.cost is not None:
        text += f" ({t.money(item.cost)})"
    return text


def how_to_take_part(info: ProcessInfo, t: Translator, *, district: str | None = None) -> str:
    """The instruction with an example made of this process's own items, pools and rule."""
    definition = info.definition
    if info.kind is ProcessKind.CONSULTATION:
        sections = definition.sections()
        first = (sections[0].number or sections[0].key) if sections else "§1"
        return t("process.how.consultation", slug=info.slug, section=first)
    example = example_ballot(definition, t.language, district)
    yes_no = any(pool.ballot.rule is BallotRuleKind.YES_NO_ABSTAIN for pool in definition.pools)
    if info.kind is ProcessKind.VOTE and not yes_no:  # a poll with options, not yes / no / abstain
        return t("process.how.vote_choice", slug=info.slug, example=example)
    return t("process.how." + info.kind.value, slug=info.slug, example=example)


def process_text(info: ProcessInfo, t: Translator, *, district: str | None = None) -> str:
    """The full description: title, phase, dates, pools with their items, sections or questions, and how to take
    part (with an example that this process accepts)."""
    definition = info.definition
    lang = t.language
    lines = [info.title(lang), t("process.kind." + info.kind.value) + " · " + t("phase." + info.phase.value)]
    if info.opens_at is not None and info.closes_at is not None:
        lines.append(t("process.window", opens=info.opens_at, closes=info.closes_at))
    elif info.closes_at is not None:
        lines.append(t("process.closes", when=info.closes_at))
    if definition.description is not None:
        lines += ["", definition.description.get(lang)]
    if info.kind is ProcessKind.CONSULTATION:
        notice = notice_lines(definition, t)
        if notice:
            lines += ["", *notice]
        lines += ["", t("process.sections")]
        for section in definition.sections():
            lines.append(f"{section.number or section.key} {section.title.get(lang)}")
        lines += ["", how_to_take_part(info, t)]
        return "\n".join(lines)
    for pool in definition.pools:
        if district is not None and pool.district not in (None, district):
            continue
        lines.append("")
        if pool.name is not None or pool.budget is not None or len(definition.pools) > 1:
            header = pool_name(pool, t)
            if pool.budget is not None:
                header += " — " + t("process.pool_budget", budget=t.money(pool.budget))
            lines.append(header)
        lines.append(ballot_rule_text(pool, t))
        lines.append(t("process.counting", rule=t("counting.rule." + pool.counting.rule.value)))
        lines += ["  " + item_line(definition, item, t) for item in definition.items_of(pool.key)]
    if definition.rounds > 1:
        lines += ["", t("process.rounds", count=definition.rounds)]
        if definition.briefing_at is not None:
            lines.append(t("process.round2_at", when=definition.briefing_at))
        else:
            lines.append(t("process.round2_after_briefing"))
    lines += ["", how_to_take_part(info, t, district=district)]
    return "\n".join(lines)
