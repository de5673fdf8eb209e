"""The consultation report (*raport z konsultacji*): as a page, as CSV and as a Word document."""

from __future__ import annotations

import csv
import io

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from bot.text import for_csv_cell
from bot.web.site import SiteDep, in_unit

__all__ = ["router"]

router = APIRouter()


@router.get("/p/{slug}/raport", response_class=HTMLResponse)
@in_unit
def report_page(request: Request, slug: str, site: SiteDep) -> HTMLResponse:
    info = site.public(slug)
    report = site.services.report.report(slug, language=site.translator(request).language)
    return site.page(request, "report.html", info=info, report=report)


@router.get("/p/{slug}/raport.csv")
@in_unit
def report_csv(request: Request, slug: str, site: SiteDep) -> Response:
    site.public(slug)
    t = site.translator(request)
    report = site.services.report.report(slug, language=t.language)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["nr", "section", "author", "date", "channel", "opinion", "response", "justification"])
    for entry in report.entries:
        writer.writerow(
            for_csv_cell(value)
            for value in [
                entry.number,
                entry.section,
                entry.author,
                t.datetime(entry.created_at),
                t("channel." + entry.channel.value),
                entry.text,
                t("response." + entry.response_status.value) if entry.response_status else "",
                entry.response_text or "",
            ]
        )
    return Response(
        buffer.getvalue().encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{slug}-raport.csv"'},
    )


@router.get("/p/{slug}/raport.docx")
@in_unit
def report_document(request: Request, slug: str, site: SiteDep) -> Response:
    site.public(slug)
    t = site.translator(request)
    from bot.web.report_docx import report_docx  # python-docx and lxml: loaded on the first download

    content = report_docx(site.services.report.report(slug, language=t.language), t)
    return Response(
        content,
        media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": f'attachment; filename="{slug}-raport.docx"'},
    )
