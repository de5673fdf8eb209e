"""The consultation report as files: CSV, a standalone HTML page, DOCX (python-docx) and ODT (odfpy).

All four carry the same content, built once by :func:`report_lines` and :func:`report_rows`: the heading
(subject, organiser, description and legal basis, dates, the forms of consultation used, participants by kind
and channel, and opinions, with the rule of what is published), then one row per published opinion in the
document's order — number, unit, author (the NGO's name, a named person, or *mieszkaniec/mieszkanka*), date and
channel, text, the authority's position and justification — then the opinions rejected in moderation with the
reason given (not their text: it was rejected as spam, abuse or off-topic), then those withdrawn by their
authors with that status (not their text: the author took it back). CSV cells never start like a formula
(:func:`bot.text.for_csv_cell`); DOCX and ODT text has the code points XML cannot carry removed.
"""

from __future__ import annotations

import copy
import csv
import html
import io
import re
import zipfile
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from bot.i18n import Translator
from bot.services.report import ConsultationReport, ReportEntry
from bot.text import for_csv_cell, for_xml
from bot.views.turnout import counting_rule_line, turnout_lines

__all__ = [
    "REPORT_FORMATS",
    "rejected_rows",
    "render_report",
    "report_csv",
    "report_docx",
    "report_html",
    "report_lines",
    "report_odt",
    "withdrawn_rows",
]

REPORT_FORMATS = {
    "report-html": ("html", "text/html; charset=utf-8"),
    "report-docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "report-odt": ("odt", "application/vnd.oasis.opendocument.text"),
    "report-csv": ("csv", "text/csv; charset=utf-8"),
}
_HEADERS = (
    "web.col.number",
    "web.col.section",
    "web.col.author",
    "web.col.date",
    "web.col.opinion",
    "web.col.response",
)
_REJECTED_HEADERS = ("web.col.number", "web.col.section", "web.col.author", "web.col.date", "report.reason")
_WITHDRAWN_HEADERS = ("web.col.number", "web.col.section", "web.col.author", "web.col.date", "report.status")


def report_lines(report: ConsultationReport, t: Translator) -> list[str]:
    """The report's heading: what was consulted, when, how, and how many took part."""
    lines = [t("report.subject", title=report.title)]
    if report.organiser:
        lines.append(t("report.organiser", organiser=report.organiser))
    if report.description:
        lines.append(report.description)
    if report.legal_basis:
        lines.append(t("report.legal_basis", basis=report.legal_basis))
    if report.opens_at and report.closes_at:
        lines.append(t("report.dates", opens=t.datetime(report.opens_at), closes=t.datetime(report.closes_at)))
    forms = [t("channel." + channel) for channel in sorted(report.channels)]
    if report.meetings:
        forms.append(t("report.form_meetings", count=report.meetings))
    if forms:
        lines.append(t("report.forms", forms=", ".join(forms)))
    lines.append(t("report.participants", count=report.participants))
    lines += turnout_lines(report.participants_by_kind, report.participants_by_channel, t)
    lines.append(
        t(
            "report.figures",
            received=report.received,
            approved=report.approved,
            rejected=len(report.rejected),
            withdrawn=len(report.withdrawn),
            pending=report.pending,
        )
    )
    lines.append(counting_rule_line(t))
    return lines


def _author(entry: ReportEntry, t: Translator) -> str:
    return entry.author if entry.author else t("report.resident")


def _response(entry: ReportEntry, t: Translator) -> str:
    if entry.response_status is None:
        return t("web.report.no_response")
    return t("response." + entry.response_status.value) + "\n" + (entry.response_text or "")


def report_rows(report: ConsultationReport, t: Translator) -> list[list[str]]:
    """One row per published opinion, in the columns of ``_HEADERS``."""
    return [
        [
            str(entry.number),
            entry.section or t("opinion.general"),
            _author(entry, t),
            f"{t.datetime(entry.created_at)}\n{t('channel.' + entry.channel.value)}",
            entry.text,
            _response(entry, t),
        ]
        for entry in report.entries
    ]


def rejected_rows(report: ConsultationReport, t: Translator) -> list[list[str]]:
    """One row per opinion rejected in moderation, in the columns of ``_REJECTED_HEADERS``: its text is not
    published (it was rejected as spam, abuse or off-topic, which the reason says), the fact and the reason are."""
    return [
        [
            str(entry.number),
            entry.section or t("opinion.general"),
            _author(entry, t),
            f"{t.datetime(entry.created_at)}\n{t('channel.' + entry.channel.value)}",
            entry.response_text or t("report.no_reason"),
        ]
        for entry in report.rejected
    ]


def withdrawn_rows(report: ConsultationReport, t: Translator) -> list[list[str]]:
    """One row per opinion withdrawn by its author, in the columns of ``_WITHDRAWN_HEADERS``: the fact and the
    status are published, the text is not (its author took it back)."""
    return [
        [
            str(entry.number),
            entry.section or t("opinion.general"),
            _author(entry, t),
            f"{t.datetime(entry.created_at)}\n{t('channel.' + entry.channel.value)}",
            t("moderation.withdrawn"),
        ]
        for entry in report.withdrawn
    ]


def report_csv(report: ConsultationReport, t: Translator) -> bytes:
    """One line per opinion (published, then rejected, then withdrawn, with ``status``), UTF-8 with BOM for
    spreadsheets."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["nr", "section", "author", "date", "channel", "opinion", "status", "response", "justification"])
    listed = ((report.entries, "approved"), (report.rejected, "rejected"), (report.withdrawn, "withdrawn"))
    for entries, status in listed:
        for entry in entries:
            writer.writerow(
                for_csv_cell(value)
                for value in [
                    entry.number,
                    entry.section,
                    _author(entry, t),
                    t.datetime(entry.created_at),
                    t("channel." + entry.channel.value),
                    entry.text if status == "approved" else "",  # a rejected or withdrawn text is not published
                    status,
                    t("response." + entry.response_status.value) if entry.response_status else "",
                    entry.response_text or "",
                ]
            )
    return buffer.getvalue().encode("utf-8-sig")


def report_html(report: ConsultationReport, t: Translator) -> bytes:
    """A standalone page (no scripts, no outside resources) to publish as it is, e.g. in the BIP."""

    def table(rows: list[list[str]], headers: tuple[str, ...]) -> str:
        heads = [t(key) for key in headers]
        head = "".join(f'<th scope="col">{html.escape(text)}</th>' for text in heads)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(cell).replace(chr(10), '<br>')}</td>" for cell in row) + "</tr>"
            for row in rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    parts = [
        f'<!doctype html><html lang="{t.language}"><head><meta charset="utf-8">',
        f"<title>{html.escape(t('web.report.title'))}: {html.escape(report.title)}</title>",
        "<style>table{border-collapse:collapse}td,th{border:1px solid #888;padding:4px;vertical-align:top}</style>",
        f"</head><body><h1>{html.escape(t('web.report.title'))}</h1>",
        *(f"<p>{html.escape(line)}</p>" for line in report_lines(report, t)),
        table(report_rows(report, t), _HEADERS) if report.entries else "",
        f"<p>{html.escape(t('web.report.empty'))}</p>" if not report.entries else "",
    ]
    if report.rejected:
        parts += [f"<h2>{html.escape(t('report.rejected'))}</h2>", table(rejected_rows(report, t), _REJECTED_HEADERS)]
    if report.withdrawn:
        parts += [
            f"<h2>{html.escape(t('report.withdrawn'))}</h2>",
            table(withdrawn_rows(report, t), _WITHDRAWN_HEADERS),
        ]
    parts.append("</body></html>")
    return "".join(parts).encode("utf-8")


def report_docx(report: ConsultationReport, t: Translator) -> bytes:
    """The report rendered as a ``.docx`` file."""
    from docx import Document as DocxDocument  # python-docx and lxml: loaded on the first download
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = DocxDocument()
    style = document.styles["Normal"]
    style.font.size = Pt(10)
    document.add_heading(t("web.report.title"), level=1)
    for line in report_lines(report, t):
        document.add_paragraph(for_xml(line))

    def table(rows: list[list[str]], headers: tuple[str, ...]) -> None:
        grid = document.add_table(rows=2, cols=len(headers))
        grid.style = "Table Grid"
        for cell, text in zip(grid.rows[0].cells, [t(key) for key in headers], strict=True):
            cell.text = text
        # python-docx's add_row() and row.cells walk the whole table each time (11 s for 5,000 remarks): each row
        # is a copy of one empty row's XML instead, its cells' text written as runs with line breaks
        template = grid.rows[1]._tr
        body = template.getparent()
        body.remove(template)
        for row in rows:
            line = copy.deepcopy(template)
            for cell, value in zip(line.iterchildren(qn("w:tc")), row, strict=True):
                _docx_cell_text(cell, for_xml(value))  # what was stored before texts were cleaned, too
            body.append(line)

    if report.entries:
        table(report_rows(report, t), _HEADERS)
    else:
        document.add_paragraph(t("web.report.empty"))
    if report.rejected:
        document.add_heading(t("report.rejected"), level=2)
        table(rejected_rows(report, t), _REJECTED_HEADERS)
    if report.withdrawn:
        document.add_heading(t("report.withdrawn"), level=2)
        table(withdrawn_rows(report, t), _WITHDRAWN_HEADERS)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_cell_text(cell: Any, text: str) -> None:
    """Write ``text`` into the one paragraph of an empty table cell (``w:tc``), ``\n`` as line breaks."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = cell.find(qn("w:p"))
    run = OxmlElement("w:r")
    for number, line in enumerate(text.split("\n")):
        if number:
            run.append(OxmlElement("w:br"))
        piece = OxmlElement("w:t")
        piece.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        piece.text = line
        run.append(piece)
    paragraph.append(run)


def report_odt(report: ConsultationReport, t: Translator) -> bytes:
    """The report rendered as an ``.odt`` file (OpenDocument, for LibreOffice and the BIP).

    odfpy builds the document with each table's header row and one marker row; the rows are then written into
    ``content.xml`` as text (odfpy's elements cost about 100 µs each: 6 s for 5,000 remarks)."""
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, P

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text=t("web.report.title")))
    for line in report_lines(report, t):
        document.text.addElement(P(text=for_xml(line)))
    bodies: dict[str, str] = {}

    def table(name: str, rows: list[list[str]], headers: tuple[str, ...]) -> None:
        grid = Table(name=name)
        grid.addElement(TableColumn(numbercolumnsrepeated=len(headers)))
        for row, marker in (([t(key) for key in headers], None), ([f"GLOS-ROWS-{name}"], name)):
            line = TableRow()
            for value in row:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=for_xml(value)))
                line.addElement(cell)
            grid.addElement(line)
            if marker:
                bodies[marker] = "".join(_odt_row(values) for values in rows)
        document.text.addElement(grid)

    if report.entries:
        table("opinie", report_rows(report, t), _HEADERS)
    else:
        document.text.addElement(P(text=t("web.report.empty")))
    if report.rejected:
        document.text.addElement(H(outlinelevel=2, text=t("report.rejected")))
        table("odrzucone", rejected_rows(report, t), _REJECTED_HEADERS)
    if report.withdrawn:
        document.text.addElement(H(outlinelevel=2, text=t("report.withdrawn")))
        table("wycofane", withdrawn_rows(report, t), _WITHDRAWN_HEADERS)
    buffer = io.BytesIO()
    document.write(buffer)
    return _odt_with_rows(buffer.getvalue(), bodies)


def _odt_row(values: list[str]) -> str:
    cells = "".join(
        '<table:table-cell office:value-type="string">'
        + "".join(f"<text:p>{xml_escape(line)}</text:p>" for line in for_xml(value).split("\n"))
        + "</table:table-cell>"
        for value in values
    )
    return f"<table:table-row>{cells}</table:table-row>"


def _odt_with_rows(package: bytes, bodies: dict[str, str]) -> bytes:
    """The ODT package with each marker row of ``content.xml`` replaced by its table's rows."""
    source = zipfile.ZipFile(io.BytesIO(package))
    content = source.read("content.xml").decode("utf-8")
    for name, rows in bodies.items():
        pattern = re.compile(
            r"<table:table-row>(?:(?!<table:table-row>).)*?GLOS-ROWS-" + name + r".*?</table:table-row>"
        )
        content = pattern.sub(lambda _, rows=rows: rows, content, count=1)  # type: ignore[misc]
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for info in source.infolist():  # "mimetype" first and stored, as ODF requires: the order is kept
            data = content.encode("utf-8") if info.filename == "content.xml" else source.read(info.filename)
            target.writestr(info, data, compress_type=info.compress_type)
    return output.getvalue()


def render_report(report: ConsultationReport, t: Translator, fmt: str) -> tuple[bytes, str, str]:
    """``(content, file suffix, media type)`` of the report in ``fmt`` (a key of :data:`REPORT_FORMATS`)."""
    suffix, media = REPORT_FORMATS[fmt]
    render = {"html": report_html, "docx": report_docx, "odt": report_odt, "csv": report_csv}[suffix]
    return render(report, t), suffix, media
