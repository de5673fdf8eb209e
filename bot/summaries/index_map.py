"""The map of an index edition: the region's municipalities placed by their coordinates and coloured by their
index, with their names, a colour bar and a caption that says the same in words.

Drawn with matplotlib's Agg backend through the object API (no display, no pyplot state, no network: no tiles,
no shapes — a point per municipality on longitude and latitude, the latitude stretched by 1/cos φ so distances
look right). Published municipalities are coloured by their overall mean on the survey's own scale (red low,
green high) and sized by how many answered; withheld ones are grey ("za mało odpowiedzi") and carry no figure.
A municipality without coordinates is named in the caption instead.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain import BallotRuleKind
from bot.i18n import Translator
from bot.services.index import IndexEdition
from bot.views.index import Place, area_name

__all__ = ["IndexMap", "index_map", "map_caption"]

_GREY = "#b0b0b0"


@dataclass(frozen=True)
class IndexMap:
    """A drawn map: PNG bytes, its caption in words, and the municipalities it could not place."""

    png: bytes
    caption: str
    unplaced: tuple[str, ...]


def _scale(edition: IndexEdition) -> tuple[float, float]:
    """The score scale of the edition's questions (1–5 in the example)."""
    for pool in edition.definition.pools:
        if pool.ballot.rule is BallotRuleKind.SCORE:
            return float(pool.ballot.min_score), float(pool.ballot.max_score)
    return 1.0, 5.0


def map_caption(edition: IndexEdition, t: Translator, places: Mapping[str, Place]) -> str:
    """The map's caption in words (what :func:`index_map` draws), without drawing it: for a page's text."""
    unplaced = [
        area_name(edition, entry.area, t.language, places)
        for entry in edition.areas
        if (place := places.get(entry.area)) is None or place.lat is None or place.lon is None
    ]
    return _caption(edition, t, places, unplaced)


def _caption(edition: IndexEdition, t: Translator, places: Mapping[str, Place], unplaced: list[str]) -> str:
    title = edition.definition.title.get(t.language)
    shown = [entry for entry in edition.areas if entry.published and entry.overall.mean is not None]
    parts = [t("index.map.caption", title=title, count=len(edition.areas))]
    if shown:
        best, worst = shown[0], shown[-1]
        parts.append(
            t(
                "index.map.extremes",
                best=area_name(edition, best.area, t.language, places),
                best_value=t.decimal(best.overall.mean or 0),
                worst=area_name(edition, worst.area, t.language, places),
                worst_value=t.decimal(worst.overall.mean or 0),
            )
        )
    withheld = len(edition.areas) - len(shown)
    if withheld:
        parts.append(t("index.map.withheld", count=withheld))
    if unplaced:
        parts.append(t("index.map.unplaced", names=", ".join(unplaced)))
    return " ".join(parts)


def index_map(edition: IndexEdition, t: Translator, places: Mapping[str, Place]) -> IndexMap:
    """The map of ``edition`` in ``t``'s language, municipalities placed by ``places`` (module docstring)."""
    low, high = _scale(edition)
    points: list[tuple[float, float, str, float | None, int]] = []
    unplaced: list[str] = []
    for entry in edition.areas:
        place = places.get(entry.area)
        name = area_name(edition, entry.area, t.language, places)
        if place is None or place.lat is None or place.lon is None:
            unplaced.append(name)
            continue
        value = entry.overall.mean if entry.published else None
        points.append((place.lon, place.lat, name, value, entry.overall.responses or 0))
    # Imported here: matplotlib costs ~60 MB of memory, and most bot processes never draw.
    from matplotlib import colormaps
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure
    from matplotlib.transforms import offset_copy

    figure = Figure(figsize=(9, 8), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    norm = Normalize(vmin=low, vmax=high)
    cmap = colormaps["RdYlGn"]
    grey = [(x, y) for x, y, _, value, _ in points if value is None]
    base = 60.0 if len(points) <= 40 else 15.0  # a region of 200 municipalities needs smaller points
    if grey:
        axes.scatter(
            [x for x, _ in grey], [y for _, y in grey], s=base, c=_GREY, edgecolors="#606060", linewidths=0.5,
            label=t("index.too_few"), zorder=2,
        )  # fmt: skip
    coloured = [(x, y, value, n) for x, y, _, value, n in points if value is not None]
    if coloured:
        most = max(n for *_, n in coloured)
        sizes = [base + 4 * base * math.sqrt(n / most) for *_, n in coloured]
        scatter = axes.scatter(
            [p[0] for p in coloured], [p[1] for p in coloured], s=sizes, c=[p[2] for p in coloured],
            cmap=cmap, norm=norm, edgecolors="#303030", linewidths=0.5, zorder=3,
        )  # fmt: skip
        bar = figure.colorbar(scatter, ax=axes, shrink=0.8)
        bar.set_label(t("index.map.scale"))
    small = 5 if len(points) > 40 else 8
    beside = offset_copy(axes.transData, fig=figure, x=4, y=4, units="points")  # one transform for every name
    for x, y, name, _, _ in points:
        axes.text(x, y, name, transform=beside, fontsize=small, zorder=4)
    if points:
        middle = sum(y for _, y, *_ in points) / len(points)
        # a degree of longitude is cos φ of a degree of latitude; the limits give way, not the drawing's box
        axes.set_aspect(1 / max(math.cos(math.radians(middle)), 0.1), adjustable="datalim")
        axes.margins(x=0.25, y=0.12)  # room for the names beside the points at the edges
    if grey:
        axes.legend(loc="lower left", fontsize=8)
    axes.set_xlabel(t("index.map.lon"))
    axes.set_ylabel(t("index.map.lat"))
    axes.set_title(edition.definition.title.get(t.language))
    # fixed margins, not tight_layout: that draws the whole figure once more (a third of the time with 200 names)
    figure.subplots_adjust(left=0.08, right=0.97, top=0.95, bottom=0.07)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return IndexMap(buffer.getvalue(), _caption(edition, t, places, unplaced), tuple(unplaced))
