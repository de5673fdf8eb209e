"""The consultation report as a DOCX document for the BIP (Biuletyn Informacji Publicznej), via python-docx.

Same content as the report page: the figures, then one table row per approved opinion with its section, author
(or anonymised label), date and channel, text, and the authority's position with its justification.
"""

from __future__ import annotations

import io

from docx import Document as DocxDocument
from docx.shared import Pt

from bot.i18n import Translator
from bot.services.report import ConsultationReport
from bot.text import for_xml

__all__ = ["report_docx"]


def report_docx(report: ConsultationReport, t: Translator) -> bytes:
    """The report rendered as a ``.docx`` file."""
    document = DocxDocument()
    style = document.styles["Normal"]
    style.font.size = Pt(10)
    document.add_heading(t("web.report.title"), level=1)
    document.add_paragraph(for_xml(report.title))
    document.add_paragraph(t("web.report.figures", received=report.received, approved=report.approved))
    if not report.entries:
        document.add_paragraph(t("web.report.empty"))
    else:
        headers = [
            "web.col.number",
            "web.col.section",
            "web.col.author",
            "web.col.date",
            "web.col.opinion",
            "web.col.response",
        ]
        table = document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        for cell, key in zip(table.rows[0].cells, headers, strict=True):
            cell.text = t(key)
        for entry in report.entries:
            response = ""
            if entry.response_status is not None:
                response = t("response." + entry.response_status.value) + "\n" + (entry.response_text or "")
            values = [
                str(entry.number),
                entry.section or t("opinion.general"),
                entry.author,
                f"{t.datetime(entry.created_at)}\n{t('channel.' + entry.channel.value)}",
                entry.text,
                response or t("web.report.no_response"),
            ]
            for cell, value in zip(table.add_row().cells, values, strict=True):
                cell.text = for_xml(value)  # what was stored before texts were cleaned on the way in, too
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
