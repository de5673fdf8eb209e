"""The summary as a bar chart (PNG) with a caption that says the same in words, for people who cannot see it.

The chart is drawn with matplotlib's Agg backend (no display needed, safe in a server thread) through the
object API, never pyplot's global state. Bars: support per project (selected ones highlighted), opinions per
§ section, or the mean before and after for a deliberative poll. At most :data:`MAX_BARS` bars (the strongest).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from bot.counting.pool import ItemRow
from bot.domain import CountingRuleKind, ProcessKind
from bot.i18n import Translator
from bot.services import ProcessInfo, ProcessResults
from bot.summaries.text import SectionOpinions

__all__ = ["CAPTION_LIMIT", "MAX_BARS", "Bar", "Chart", "summary_chart"]

MAX_BARS = 25
CAPTION_LIMIT = 1024  # Telegram's limit for a photo or document caption


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value and whether it is highlighted (selected)."""

    label: str
    value: float
    highlighted: bool = False


@dataclass(frozen=True)
class Chart:
    """A rendered chart: PNG bytes, the caption in words, and the bars it shows."""

    png: bytes
    caption: str
    bars: tuple[Bar, ...]


def _value(row: ItemRow) -> float:
    # a survey's bar is its mean score (what its text reports), never the sum of the scores
    for candidate in (row.score, row.points, row.yes, row.votes):
        if candidate is not None:
            return float(candidate)
    return 0.0


def _bars(info: ProcessInfo, results: ProcessResults, t: Translator, sections: list[SectionOpinions]) -> list[Bar]:
    definition = info.definition
    if info.kind is ProcessKind.CONSULTATION:
        return [Bar(entry.number or entry.title, float(entry.opinions)) for entry in sections]
    titles = {item.key: item.title.get(t.language) for item in definition.items}
    rows = [row for pools in results.rounds[-1:] for result in pools.values() for row in result.rows]
    # only a budget or an election chooses: a survey's or a resolution's bars are not "selected (green)"
    chooses = any(
        definition.pool(result.pool).counting.rule not in (CountingRuleKind.SCORE, CountingRuleKind.MAJORITY)
        for pools in results.rounds[-1:]
        for result in pools.values()
    )
    bars = [Bar(titles.get(row.item, row.item), _value(row), row.selected and chooses) for row in rows]
    bars.sort(key=lambda bar: -bar.value)
    return bars[:MAX_BARS]


def _caption(info: ProcessInfo, bars: list[Bar], t: Translator) -> str:
    if not bars:
        return t("summary.chart.empty", title=info.title(t.language))
    shown = ", ".join(
        f"{bar.label} ({t.number(int(bar.value)) if bar.value == int(bar.value) else t.decimal(bar.value)})"
        for bar in bars[:10]
    )
    key = "summary.chart.caption_sections" if info.kind is ProcessKind.CONSULTATION else "summary.chart.caption"
    caption = t(key, title=info.title(t.language), bars=shown)
    chosen = [bar.label for bar in bars if bar.highlighted]
    if chosen:
        caption += " " + t("summary.chart.selected", names=", ".join(chosen))
    return caption if len(caption) <= CAPTION_LIMIT else caption[: CAPTION_LIMIT - 1] + "…"


def summary_chart(
    info: ProcessInfo, results: ProcessResults, t: Translator, *, sections: list[SectionOpinions] | None = None
) -> Chart:
    """The chart of a published process, with its caption."""
    bars = _bars(info, results, t, sections or [])
    # Imported here, not at the top: matplotlib costs ~60 MB of memory, and most bot processes never draw.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, max(2.0, 0.35 * len(bars) + 1.2)), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = [bar.label if len(bar.label) <= 40 else bar.label[:39] + "…" for bar in reversed(bars)]
    values = [bar.value for bar in reversed(bars)]
    colours = ["#2e7d32" if bar.highlighted else "#90a4ae" for bar in reversed(bars)]
    axes.barh(range(len(bars)), values, color=colours)
    axes.set_yticks(range(len(bars)), labels)
    axes.set_title(info.title(t.language))
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return Chart(buffer.getvalue(), _caption(info, bars, t), tuple(bars))
