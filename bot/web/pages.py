"""The public pages: the list of processes, a process with its results and chart."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from bot.ballot_text import item_number
from bot.domain import CountingRuleKind, Phase, ProcessKind
from bot.errors import WrongPhase
from bot.views.notice import notice_lines
from bot.views.process import district_name
from bot.views.turnout import KIND_NAMES
from bot.web.organisations import grouped
from bot.web.site import SiteDep, in_unit

__all__ = ["router"]

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
@in_unit
def index(request: Request, site: SiteDep) -> HTMLResponse:
    listed = site.services.processes.list((Phase.OPEN, Phase.CLOSED, Phase.PUBLISHED))
    indexes = [site.services.index.history(key) for key in site.services.index.index_keys()]
    organisations = grouped(site.services.organisations.list())
    return site.page(request, "index.html", processes=listed, indexes=indexes, organisations=organisations)


@router.get("/p/{slug}", response_class=HTMLResponse)
@in_unit
def process_page(request: Request, slug: str, site: SiteDep) -> HTMLResponse:
    info = site.public(slug)
    results = site.cache.results(slug)
    chart = None
    if results is not None and info.kind is not ProcessKind.CONSULTATION:
        chart = site.chart(info, results, site.translator(request))
    return site.page(
        request,
        "process.html",
        info=info,
        results=results,
        district_name=district_name,
        item_number=item_number,
        # Only a budget says chosen / did not fit; a score (survey, index, poll) shows means; a yes/no vote
        # passed or not; any other vote names its winners.
        budget_rules={CountingRuleKind.GREEDY, CountingRuleKind.GREEDY_NO_SKIP, CountingRuleKind.MES},
        score_rule=CountingRuleKind.SCORE,
        majority_rule=CountingRuleKind.MAJORITY,
        chart=chart,
        kind_names=KIND_NAMES,
        notice=notice_lines(info.definition, site.translator(request)),
    )


@router.get("/p/{slug}/chart.png")
@in_unit
def chart_png(request: Request, slug: str, site: SiteDep) -> Response:
    info = site.public(slug)
    results = site.cache.results(slug)
    if results is None:
        raise WrongPhase("results.not_visible", slug=slug)
    return Response(site.chart(info, results, site.translator(request)).png, media_type="image/png")
