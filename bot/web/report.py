"""The consultation report (*raport z konsultacji*): as a page, and as CSV, DOCX and ODT downloads."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from bot.views.report_files import rejected_rows, render_report, report_lines, withdrawn_rows
from bot.web.site import SiteDep, in_unit

__all__ = ["router"]

router = APIRouter()


@router.get("/p/{slug}/raport", response_class=HTMLResponse)
@in_unit
def report_page(request: Request, slug: str, site: SiteDep) -> HTMLResponse:
    info = site.public(slug)
    t = site.translator(request)
    report = site.services.report.report(slug, language=t.language)
    return site.page(
        request,
        "report.html",
        info=info,
        report=report,
        lines=report_lines(report, t),
        rejected=rejected_rows(report, t),
        withdrawn=withdrawn_rows(report, t),
    )


def _download(request: Request, slug: str, site: SiteDep, fmt: str) -> Response:
    site.public(slug)
    t = site.translator(request)
    content, suffix, media = render_report(site.services.report.report(slug, language=t.language), t, fmt)
    return Response(
        content,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{slug}-raport.{suffix}"'},
    )


@router.get("/p/{slug}/raport.csv")
@in_unit
def report_csv(request: Request, slug: str, site: SiteDep) -> Response:
    return _download(request, slug, site, "report-csv")


@router.get("/p/{slug}/raport.docx")
@in_unit
def report_document(request: Request, slug: str, site: SiteDep) -> Response:
    return _download(request, slug, site, "report-docx")


@router.get("/p/{slug}/raport.odt")
@in_unit
def report_opendocument(request: Request, slug: str, site: SiteDep) -> Response:
    return _download(request, slug, site, "report-odt")
