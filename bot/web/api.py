"""The open-data JSON API: processes, their definitions, counted results and exports — results only once they
are visible, the same rule as ``/wyniki``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from bot.domain import Phase
from bot.errors import WrongPhase
from bot.exports import export_process
from bot.i18n import LANGUAGES
from bot.web.site import SiteDep, in_unit

__all__ = ["router"]

router = APIRouter(prefix="/api")


@router.get("/processes")
@in_unit
def api_processes(site: SiteDep) -> list[dict[str, Any]]:
    return [
        {
            "slug": info.slug,
            "kind": info.kind.value,
            "phase": info.phase.value,
            "title": {language: info.title(language) for language in LANGUAGES},
            "opens_at": info.opens_at.isoformat() if info.opens_at else None,
            "closes_at": info.closes_at.isoformat() if info.closes_at else None,
            "organisation": info.organisation,
        }
        for info in site.services.processes.list((Phase.OPEN, Phase.CLOSED, Phase.PUBLISHED))
    ]


@router.get("/organisations")
@in_unit
def api_organisations(site: SiteDep) -> list[dict[str, Any]]:
    """Every organisation that runs processes: slug, name, kind, TERYT code, coordinates and parent's slug."""
    return [
        {
            "slug": org.slug,
            "name": org.name,
            "kind": org.kind.value,
            "teryt": org.teryt,
            "lat": org.lat,
            "lon": org.lon,
            "parent": org.parent,
        }
        for org in site.services.organisations.list()
    ]


@router.get("/processes/{slug}")
@in_unit
def api_process(slug: str, site: SiteDep) -> dict[str, Any]:
    info = site.public(slug)
    return {"slug": info.slug, "phase": info.phase.value, "definition": info.definition.model_dump(mode="json")}


@router.get("/processes/{slug}/results")
@in_unit
def api_results(slug: str, site: SiteDep) -> dict[str, Any]:
    site.public(slug)
    results = site.cache.results(slug)
    if results is None:
        raise WrongPhase("results.not_visible", slug=slug)
    return results.to_json()


@router.get("/processes/{slug}/export.{fmt}")
@in_unit
def api_export(slug: str, fmt: str, site: SiteDep, pool: str | None = None) -> Response:
    site.public(slug)
    results = site.cache.results(slug)
    if results is None:
        raise WrongPhase("results.not_visible", slug=slug)
    document = export_process(site.services, slug, fmt, pool, counted=results)  # no recount: the cache's
    return Response(
        document.content,
        media_type=document.mime_type,
        headers={"Content-Disposition": f'attachment; filename="{document.filename}"'},
    )
