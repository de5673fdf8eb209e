"""The index as people read it: a municipality's name and place, its figure in words, and the ranking of one
edition as plain text (the published summary, the CLI). Only published figures are ever formatted; a withheld
municipality is "za mało odpowiedzi" and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.i18n import Translator
from bot.services import Services
from bot.services.index import AreaFigures, Figure, IndexEdition, IndexHistory
from bot.views.process import district_name

__all__ = ["Place", "area_name", "figure_text", "places_of", "previous_year", "ranking_text"]


@dataclass(frozen=True, slots=True)
class Place:
    """What an index knows of a municipality beyond its key: its name (an organisation's, when the municipality is
    one) and where it lies (WGS 84 degrees; None: not on the map)."""

    name: str | None = None
    lat: float | None = None
    lon: float | None = None


def places_of(services: Services) -> dict[str, Place]:
    """Every organisation the store knows, by slug, with its name and coordinates: an index's municipality whose
    key is an organisation's slug is named and placed as that organisation."""
    return {info.slug: Place(info.name, info.lat, info.lon) for info in services.organisations.list()}


def area_name(edition: IndexEdition, area: str, language: str, places: Mapping[str, Place] | None = None) -> str:
    """The municipality's name: the organisation's where there is one, else the definition's in ``language``."""
    place = (places or {}).get(area)
    if place is not None and place.name:
        return place.name
    return district_name(edition.definition, area, language)


def previous_year(history: IndexHistory, edition: IndexEdition) -> int | None:
    """The year of the edition before ``edition`` (what a change is measured from), if any."""
    years = [other.year for other in history.editions if other.year < edition.year]
    return max(years) if years else None


def figure_text(figure: Figure, t: Translator, *, since: int | None = None) -> str:
    """``4,20 (przedział 95%: 3,80–4,60; 5 odpowiedzi; +0,30 od 2026)``, or ``za mało odpowiedzi``."""
    if not figure.published or figure.mean is None:
        return t("index.too_few")
    parts = []
    if figure.low is not None and figure.high is not None:
        parts.append(t("index.ci", low=t.decimal(figure.low), high=t.decimal(figure.high)))
    parts.append(t("results.answers_count", count=figure.responses or 0))
    if figure.change is not None and since is not None:
        parts.append(t("index.change", change=t.signed(figure.change), year=str(since)))
    return f"{t.decimal(figure.mean)} ({'; '.join(parts)})"


def _row(entry: AreaFigures, name: str, t: Translator, since: int | None) -> str:
    if entry.rank is None:
        return f"{name}: {t('index.too_few')}"
    return f"{entry.rank}. {name} — {figure_text(entry.overall, t, since=since)}"


def ranking_text(
    history: IndexHistory, edition: IndexEdition, t: Translator, places: Mapping[str, Place] | None = None
) -> str:
    """The ranking of ``edition``: a header, one line per municipality (ranked, then the withheld ones) and,
    when some are withheld, the rule that withholds them."""
    since = previous_year(history, edition)
    lines = [t("index.ranking_header", title=edition.definition.title.get(t.language))]
    for entry in edition.areas:
        lines.append(_row(entry, area_name(edition, entry.area, t.language, places), t, since))
    if any(not entry.published for entry in edition.areas):
        lines.append(t("index.too_few_rule", count=edition.min_responses))
    return "\n".join(lines)
