"""A consultation's figures in words: its authors by kind (NGO, resident) and by channel, the published remarks
per unit, and those not published — the same lines in the summary, ``/wyniki`` and the report's heading."""

from __future__ import annotations

from bot.i18n import Translator
from bot.services.remarks import RemarkTally
from bot.services.results import Turnout

__all__ = ["KIND_NAMES", "consultation_lines", "counting_rule_line", "turnout_lines", "unpublished_line"]

KIND_NAMES = {"ngo": "turnout.kind.ngo", "resident": "turnout.kind.resident"}  # bot.services.authors.AUTHORKIND_NAMES
_ALL_UNITS = 20  # a draft of up to this many units lists each; a longer one only those with remarks


def turnout_lines(by_kind: dict[str, int], by_channel: dict[str, int], t: Translator) -> list[str]:
    """The authors by kind and by the channel of their first remark, one line each (none when empty)."""
    lines = []
    if by_kind:
        parts = ", ".join(t("turnout.part", name=t(KIND_NAMES[kind]), count=n) for kind, n in by_kind.items())
        lines.append(t("turnout.by_kind_line", parts=parts))
    if by_channel:
        parts = ", ".join(t("turnout.part", name=t("channel." + channel), count=n) for channel, n in by_channel.items())
        lines.append(t("turnout.by_channel_line", parts=parts))
    return lines


def unpublished_line(tally: RemarkTally, t: Translator) -> str:
    """The remarks not published, by why ("" when there are none)."""
    if not (tally.pending or tally.rejected or tally.withdrawn):
        return ""
    return t("remarks.unpublished", pending=tally.pending, rejected=tally.rejected, withdrawn=tally.withdrawn)


def counting_rule_line(t: Translator) -> str:
    """What the counts per unit include: the same sentence in the summary and the report."""
    return t("remarks.rule")


def consultation_lines(turnout: Turnout, tally: RemarkTally, t: Translator, *, general: str) -> list[str]:
    """After the turnout sentence: authors by kind and channel, then the published remarks in all and per unit
    (units without remarks left out when the draft has many), those not published, and the rule.
    ``general`` names the remarks on the document as a whole."""
    lines = turnout_lines(turnout.by_kind, turnout.by_channel, t)
    lines += ["", t("summary.opinions_total", count=tally.published)]
    many = len(tally.units) > _ALL_UNITS
    for unit in tally.units:
        if many and not unit.published:
            continue
        title = unit.title_in(t.language)
        label = f"{unit.number} {title}" if unit.number and title != unit.number else unit.number or title
        lines.append(f"{label}: {t('summary.opinions', count=unit.published)}")
    if tally.general:
        lines.append(f"{general}: {t('summary.opinions', count=tally.general)}")
    unpublished = unpublished_line(tally, t)
    if unpublished:
        lines.append(unpublished)
    lines.append(counting_rule_line(t))
    return lines
