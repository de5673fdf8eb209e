"""A consultation's draft as a page: every unit with its text, an anchor per unit (``#u-KEY``, the link the
e-mail invitation and a chat message can point at), the number of published remarks on it, and how to remark.

The counts are the remarks the report publishes (:mod:`bot.services.remarks`): approved in moderation, never a
text or an author, so they are shown while the consultation is open — where others remarked is what a reader
looks for.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bot.commands.names import command_in
from bot.domain import ProcessKind
from bot.errors import NotFound
from bot.views.notice import notice_lines
from bot.web.site import SiteDep, in_unit

__all__ = ["router"]

router = APIRouter()


@router.get("/p/{slug}/projekt", response_class=HTMLResponse)
@in_unit
def document_page(request: Request, slug: str, site: SiteDep) -> HTMLResponse:
    info = site.public(slug)
    if info.kind is not ProcessKind.CONSULTATION:
        raise NotFound("process.not_found", slug=slug)
    t = site.translator(request)
    tally = site.services.report.tally(slug)
    counts = {unit.key: unit.published for unit in tally.units}
    return site.page(
        request,
        "document.html",
        info=info,
        units=info.definition.sections(),
        counts=counts,
        general=tally.general,
        notice=notice_lines(info.definition, t),
        command=command_in("opinia", t.language),
    )
