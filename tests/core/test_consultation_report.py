"""The consultation report as a municipality publishes it: heading, every remark by unit, the rejected ones
with their reason (not their text), NGOs by name, residents as *mieszkaniec/mieszkanka* — the same in HTML,
DOCX, ODT and CSV, from the command line (``glos process export SLUG --format report-…``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import docx
from odf import teletype
from odf.opendocument import load as load_odt
from odf.table import TableRow

from bot.domain import Channel, ModerationStatus, ResponseStatus
from bot.exports import export_process
from bot.services import Services
from bot.services.eligibility import RosterRow
from storage.models import ProcessOrganisation


def _consultation(services: Services, load_example: Callable[..., str]) -> str:
    slug = load_example("konsultacje-program-wspolpracy-2027")
    services.eligibility.import_roster(
        slug, [RosterRow(Channel.EMAIL, "biuro@razem.example.pl", "Anna Nowak", "Fundacja Razem")]
    )
    ngo = services.people.identify(Channel.EMAIL, "biuro@razem.example.pl").person_id
    resident = services.people.identify(Channel.TELEGRAM, "500100").person_id  # gave no name to be shown
    spammer = services.people.identify(Channel.CONSOLE, "ktos").person_id
    admin = services.people.identify(Channel.CONSOLE, "moderator").person_id
    first = services.opinions.submit(slug, ngo, "=SUMA(A1) Dopisać jawność konkursów.", Channel.EMAIL, section="3")
    second = services.opinions.submit(slug, resident, "Więcej małych grantów.", Channel.TELEGRAM, section="5")
    third = services.opinions.submit(slug, spammer, "Kupię rower.", Channel.CONSOLE)
    pending = services.opinions.submit(slug, resident, "Jeszcze jedno.", Channel.TELEGRAM)
    assert pending
    taken_back = services.opinions.submit(slug, ngo, "Jednak nie.", Channel.EMAIL, section="§ 6")
    services.opinions.withdraw(taken_back, ngo)
    # a person whose only remark is withdrawn took no part: neither a participant nor on any channel
    undecided = services.people.identify(Channel.TELEGRAM, "500200").person_id
    services.opinions.withdraw(services.opinions.submit(slug, undecided, "Nieważne.", Channel.TELEGRAM), undecided)
    for number in (first, second):
        services.opinions.moderate(number, ModerationStatus.APPROVED, actor_id=admin)
    services.opinions.moderate(third, ModerationStatus.REJECTED, actor_id=admin)
    services.opinions.respond(third, ResponseStatus.REJECTED, "Nie dotyczy projektu.", actor_id=admin)
    services.opinions.respond(first, ResponseStatus.ACCEPTED, "Dopisano w § 3.", actor_id=admin)
    services.opinions.respond(second, ResponseStatus.PARTIAL, "Limit podniesiono do 10 000 zł.", actor_id=admin)
    services.processes.close(slug)
    return slug


def test_the_report_in_every_format_names_ngos_and_lists_rejected_remarks_with_the_reason(
    services: Services, load_example: Callable[..., str], tmp_path: Path
) -> None:
    slug = _consultation(services, load_example)
    report = services.report.report(slug, moderator=True)
    figures = (report.participants, report.received, report.approved, len(report.rejected), len(report.withdrawn))
    assert figures == (3, 6, 2, 1, 2) and report.pending == 1
    assert report.channels == {"email": 2, "telegram": 3, "console": 1}
    assert report.participants_by_channel == {"console": 1, "email": 1, "telegram": 1}
    assert report.participants_by_kind == {"ngo": 1, "resident": 2}
    turnout = services.results.turnout(slug)
    assert (turnout.participants, turnout.by_kind, turnout.by_channel) == (
        3,
        {"ngo": 1, "resident": 2},
        {"console": 1, "email": 1, "telegram": 1},
    )

    html = export_process(services, slug, "report-html").content.decode()
    assert "<p>Przedmiot konsultacji: Konsultacje projektu „Programu współpracy" in html
    assert "<p>Termin konsultacji: od 20.09.2027, 08:00 do 11.10.2027, 23:59.</p>" in html
    assert "<p>Formy konsultacji: konsola, e-mail, Telegram, spotkania konsultacyjne (2).</p>" in html
    assert "<p>W konsultacjach wzięło udział 3 uczestników.</p>" in html
    assert "<p>Uczestnicy według rodzaju: organizacje pozarządowe — 1, mieszkańcy — 2.</p>" in html
    assert "<p>Uczestnicy według kanału: konsola — 1, e-mail — 1, Telegram — 1.</p>" in html
    figures_line = "Uwagi: 6, w tym opublikowane: 2, odrzucone: 1, wycofane przez autorów: 2, nierozpatrzone: 1."
    assert f"<p>{figures_line}</p>" in html
    assert "<h2>Uwagi wycofane przez autorów</h2>" in html and "<td>wycofana przez autora</td>" in html
    assert "Jednak nie." not in html and "Nieważne." not in html  # a withdrawn text is not published
    assert "<td>Fundacja Razem</td>" in html and "<td>mieszkaniec/mieszkanka</td>" in html
    assert "<h2>Uwagi odrzucone, z powodem</h2>" in html and "<td>Nie dotyczy projektu.</td>" in html

    rows = list(
        csv.reader(io.StringIO(export_process(services, slug, "csv").content.decode("utf-8-sig")), delimiter=";")
    )
    assert rows[0] == ["nr", "section", "author", "date", "channel", "opinion", "status", "response", "justification"]
    assert [row[:3] + row[4:] for row in rows[1:]] == [
        [
            "1",
            "§3",
            "Fundacja Razem",
            "e-mail",
            "'=SUMA(A1) Dopisać jawność konkursów.",
            "approved",
            "uwzględniono",
            "Dopisano w § 3.",
        ],
        [
            "2",
            "§5",
            "mieszkaniec/mieszkanka",
            "Telegram",
            "Więcej małych grantów.",
            "approved",
            "uwzględniono częściowo",
            "Limit podniesiono do 10 000 zł.",
        ],
        [
            "3",
            "",
            "mieszkaniec/mieszkanka",
            "konsola",
            "",
            "rejected",
            "nie uwzględniono",
            "Nie dotyczy projektu.",
        ],
        ["5", "§6", "Fundacja Razem", "e-mail", "", "withdrawn", "", ""],
        ["6", "", "mieszkaniec/mieszkanka", "Telegram", "", "withdrawn", "", ""],
    ]

    word = docx.Document(io.BytesIO(export_process(services, slug, "docx").content))
    assert [cell.text for cell in word.tables[0].rows[1].cells] == [
        "1",
        "§3",
        "Fundacja Razem",
        "20.09.2027, 09:00\ne-mail",
        "=SUMA(A1) Dopisać jawność konkursów.",
        "uwzględniono\nDopisano w § 3.",
    ]
    assert [cell.text for cell in word.tables[1].rows[1].cells][-1] == "Nie dotyczy projektu."
    assert figures_line in [p.text for p in word.paragraphs]
    assert [cell.text for cell in word.tables[2].rows[1].cells][-1] == "wycofana przez autora"

    odt_path = tmp_path / "raport.odt"
    odt_path.write_bytes(export_process(services, slug, "report-odt").content)
    rows_odt = [teletype.extractText(row) for row in load_odt(str(odt_path)).getElementsByType(TableRow)]
    assert rows_odt[1].startswith("1§3Fundacja Razem")
    assert rows_odt[-4].endswith("konsolaNie dotyczy projektu.")
    assert rows_odt[-1].endswith("Telegramwycofana przez autora")
    assert "Kupię rower." not in html  # the fact and the reason are published, never a rejected text


def test_the_organiser_is_the_processs_organisation_record_else_the_notice(
    services: Services, load_example: Callable[..., str]
) -> None:
    slug = _consultation(services, load_example)  # the example names organisation = "wieliczka"
    report = services.report.report(slug, moderator=True)
    assert report.organiser == "Gmina Wieliczka"  # the record's name wins over the [notice] organiser
    assert report.legal_basis.startswith("art. 5 ust. 5 i art. 5a ust. 1 ustawy z dnia 24 kwietnia 2003 r.")
    html = export_process(services, slug, "report-html").content.decode()
    assert "<p>Organizator konsultacji: Gmina Wieliczka</p>" in html
    with services.context.transaction() as session:  # a process of no organisation: the notice names one
        row = session.get(ProcessOrganisation, services.processes.get(slug).id)
        assert row is not None
        session.delete(row)
    assert services.report.report(slug, moderator=True).organiser == "Burmistrz Miasta i Gminy Wieliczka"
    english = services.report.report(slug, moderator=True, language="en").organiser
    assert english == "Mayor of the Town and Municipality of Wieliczka"
