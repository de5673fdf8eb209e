"""The organisations' public pages: ``/o/SLUG`` lists what an organisation runs (its processes with their phases,
dates, results and reports) and the organisations that belong to it; the home page groups organisations by kind.

Drafts are never shown (as on ``/p/SLUG``). Whether a process's results are public is read from its phase and its
``results`` rule, without counting anything: the page links the results, the CSV and the consultation report, and
their own routes decide again when they are asked.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bot.domain import Phase, ResultsVisibility
from bot.errors import NotFound
from bot.services import ProcessInfo
from bot.services.organisations import KIND_ORDER, OrganisationInfo
from bot.web.site import SiteDep, in_unit

__all__ = ["grouped", "results_public", "router"]

router = APIRouter()


def results_public(info: ProcessInfo) -> bool:
    """Whether everybody may see the process's results now (the rule the results service applies)."""
    rule = info.definition.results
    if info.phase is Phase.PUBLISHED:
        return True
    if info.phase is Phase.CLOSED:
        return rule is not ResultsVisibility.AFTER_PUBLISH
    return info.phase is Phase.OPEN and rule is ResultsVisibility.LIVE


def grouped(organisations: list[OrganisationInfo]) -> list[tuple[str, list[OrganisationInfo]]]:
    """``(kind, organisations of that kind)`` in :data:`KIND_ORDER`, kinds without any left out."""
    return [
        (kind.value, [org for org in organisations if org.kind is kind])
        for kind in KIND_ORDER
        if any(org.kind is kind for org in organisations)
    ]


@router.get("/o/{slug}", response_class=HTMLResponse)
@in_unit
def organisation_page(request: Request, slug: str, site: SiteDep) -> HTMLResponse:
    organisations = site.services.organisations
    org = organisations.find(slug)
    if org is None:
        raise NotFound("web.org.not_found", slug=slug[:40])
    processes = [info for info in site.services.processes.of_organisation(org.slug) if info.phase is not Phase.DRAFT]
    everyone = organisations.list()
    return site.page(
        request,
        "organisation.html",
        org=org,
        parent=next((other for other in everyone if other.slug == org.parent), None),
        members=[other for other in everyone if other.parent == org.slug],
        processes=processes,
        results_public=results_public,
        area_indexes=site.services.index.area_history(org.slug),  # its rows in the index, if it is rated
    )
