"""A moderator imports a draft document from the command line; residents remark on its units at any level.

The draft is an ODT written here with odfpy (a local regulation with §, ust., pkt and lit.) and a DOCX cooperation
programme whose provisions sit in the resolution's annex; remarks come from the chat and from an e-mail reply.
"""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from odf.opendocument import OpenDocumentText
from odf.text import H, P
from typer.testing import CliRunner

from bot.cli import app
from bot.definition import load_definition
from bot.documents import draft_definition, read_document
from bot.domain import Channel
from mail.interpret import read_reply

ROOT = Path(__file__).resolve().parents[2]

REGULATION = [
    "w sprawie regulaminu korzystania z gminnych obiektów sportowych",
    "§ 1. Uchwala się regulamin korzystania z obiektów sportowych Gminy.",
    "§ 2. 1. Obiekty są czynne codziennie w godzinach 8.00–22.00.",
    "2. Z obiektów mogą korzystać:",
    "1) mieszkańcy Gminy;",
    "2) kluby sportowe, na podstawie umowy:",
    "a) zawartej na sezon,",
    "b) zawartej na pojedyncze wydarzenie;",
    "§ 3. Uchwała wchodzi w życie po upływie 14 dni od dnia ogłoszenia.",
]


@pytest.fixture
def glos(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    config = tmp_path / "glos.toml"
    config.write_text(
        f'[bot]\nadmins = ["console:moderator"]\nexamples_dir = "{ROOT / "examples"}"\n'
        f'[storage]\nurl = "{database_url}"\n',
        encoding="utf-8",
    )
    env = {"GLOS_BOT__SECRET_KEY": "cli-test-secret-0123456789abcdef"}
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None, status: int = 0) -> str:
        result = runner.invoke(app, ["--config", str(config), *args], env=env, input=stdin)
        assert result.exit_code == status, result.output
        return result.output

    run("db", "upgrade")
    return run


def _regulation_odt(path: Path) -> Path:
    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=0, text="UCHWAŁA NR XXX/300/2027 RADY GMINY"))
    for line in REGULATION:
        document.text.addElement(P(text=line))
    document.save(str(path))
    return path


def test_a_draft_is_imported_and_residents_remark_on_a_letter_of_a_point(glos, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _regulation_odt(tmp_path / "regulamin.odt")
    assert glos("process", "import-document", str(path), "--slug", "regulamin-obiektow") == (
        "regulamin-obiektow: projekt konsultacji „UCHWAŁA NR XXX/300/2027 RADY GMINY w sprawie regulaminu "
        "korzystania z gminnych obiektów sportowych” — 9 jednostek redakcyjnych. Sprawdź je, ustal terminy i "
        "otwórz konsultacje.\n"
        "§ 1\n"
        "§ 2\n"
        "  § 2 ust. 1\n"
        "  § 2 ust. 2\n"
        "    § 2 ust. 2 pkt 1\n"
        "    § 2 ust. 2 pkt 2\n"
        "      § 2 ust. 2 pkt 2 lit. a\n"
        "      § 2 ust. 2 pkt 2 lit. b\n"
        "§ 3\n"
    )
    assert "regulamin-obiektow" in glos("process", "list")
    assert glos("process", "open", "regulamin-obiektow") == "regulamin-obiektow: open\n"
    chat = glos(
        "chat",
        "--user",
        "ania",
        stdin="/opinia regulamin-obiektow § 2 ust. 2 pkt 2 lit. a: Proszę dodać umowy miesięczne.\n"
        "/opinia regulamin-obiektow §3 Termin 14 dni jest za krótki.\n"
        "/opinia regulamin-obiektow § 2 ust. 9: Nie ma takiego ustępu.\n/koniec\n",
    )
    replies = [line.removeprefix("> ") for line in chat.splitlines()[1:] if line.strip("> ")]
    assert replies == [
        "Dziękujemy! Opinia nr 1 do § 2 ust. 2 pkt 2 lit. a (UCHWAŁA NR XXX/300/2027 RADY GMINY w sprawie regulaminu "
        "korzystania z gminnych obiektów sportowych) została przyjęta i czeka na moderację.",
        "Dziękujemy! Opinia nr 2 do §3 (UCHWAŁA NR XXX/300/2027 RADY GMINY w sprawie regulaminu korzystania z gminnych "
        "obiektów sportowych) została przyjęta i czeka na moderację.",
        "W dokumencie nie ma części § 2 ust. 9. Spis części: /proces.",
    ]
    listed = glos("chat", "--user", "moderator", stdin="/opinie regulamin-obiektow\n/koniec\n")
    assert "#1 [§ 2 ust. 2 pkt 2 lit. a] (czeka na moderację, konsola)\nProszę dodać umowy miesięczne." in listed
    assert "#2 [§ 3] (czeka na moderację, konsola)\nTermin 14 dni jest za krótki." in listed
    glos("chat", "--user", "moderator", stdin="/zatwierdz 1\n/odrzuc 2\n/koniec\n")
    glos("process", "close", "regulamin-obiektow")
    exported = glos("process", "export", "regulamin-obiektow", "--format", "report-csv").lstrip("\ufeff")
    rows = [line.split(";") for line in exported.splitlines()]
    assert [row[:3] + row[4:] for row in rows] == [
        ["nr", "section", "author", "channel", "opinion", "status", "response", "justification"],
        [
            "1",
            "§ 2 ust. 2 pkt 2 lit. a",
            "mieszkaniec/mieszkanka",
            "konsola",
            "Proszę dodać umowy miesięczne.",
            "approved",
            "",
            "",
        ],
        ["2", "§ 3", "mieszkaniec/mieszkanka", "konsola", "", "rejected", "", ""],
    ]
    page = tmp_path / "raport.html"
    glos("process", "export", "regulamin-obiektow", "--format", "report-html", "-o", str(page))
    shown = page.read_text("utf-8")
    assert "<p>W konsultacjach wziął udział 1 uczestnik.</p>" in shown
    figures = "Uwagi: 2, w tym opublikowane: 1, odrzucone: 1, wycofane przez autorów: 0, nierozpatrzone: 0."
    assert f"<p>{figures}</p>" in shown


def test_a_refused_file_is_one_translated_sentence(glos, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pdf = tmp_path / "projekt.pdf"
    pdf.write_bytes(b"%PDF-1.7")
    assert glos("process", "import-document", str(pdf), "--slug", "projekt", status=2) == (
        "Nie można odczytać pliku projekt.pdf: projekty są przyjmowane w formatach .docx, .odt, .md, .txt.\n"
    )
    assert "projekt" not in glos("process", "list")


def test_a_remark_on_the_programme_in_the_annex_finds_its_unit(services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    document = docx.Document()
    for line in [
        "w sprawie przyjęcia Programu współpracy z organizacjami pozarządowymi na rok 2027",
        "§ 1. Przyjmuje się Program stanowiący załącznik do uchwały.",
        "§ 2. Uchwała wchodzi w życie z dniem 1 stycznia 2027 r.",
        "Załącznik do uchwały",
        "§ 1. Program określa formy współpracy.",
        "§ 5. 1. Współpraca ma formę finansową i pozafinansową.",
        "2. Formy pozafinansowe to:",
        "1) konsultowanie projektów aktów prawa miejscowego;",
        "2) wspólne zespoły doradcze.",
    ]:
        document.add_paragraph(line)
    document.save(str(tmp_path / "program.docx"))
    definition = draft_definition(read_document(tmp_path / "program.docx"), "program-2027")
    services.processes.import_definition(definition)
    services.processes.open("program-2027")
    person = services.people.identify(Channel.CONSOLE, "fundacja").person_id
    # "§ 5 ust. 2 pkt 1" exists only in the annex: it is that one; "§ 1" is the resolution's own
    services.opinions.submit(
        "program-2027", person, "Dopisać konsultacje online.", Channel.CONSOLE, section="§ 5 ust. 2 pkt 1"
    )
    services.opinions.submit("program-2027", person, "Bez uwag.", Channel.CONSOLE, section="1")
    opinions = services.opinions.list("program-2027")
    assert [(opinion.section_number, opinion.text) for opinion in opinions] == [
        ("zał. 1 § 5 ust. 2 pkt 1", "Dopisać konsultacje online."),
        ("§ 1", "Bez uwag."),
    ]


def test_an_email_reply_comments_on_units_at_any_level() -> None:
    definition = load_definition((ROOT / "examples" / "konsultacje-program-wspolpracy-2027.toml").read_text("utf-8"))
    plan = read_reply(
        definition,
        "§ 3 ust. 2 pkt 1: termin konsultacji jest za krótki\nproszę o 30 dni\n\n"
        "art. 5 ust. 1 lit. b - skreślić\n\n§6: jak dotąd\n\nCały program jest dobry.",
    )
    assert plan.comments == [
        ("§ 3 ust. 2 pkt 1", "termin konsultacji jest za krótki\nproszę o 30 dni"),
        ("art. 5 ust. 1 lit. b", "skreślić"),
        ("6", "jak dotąd"),
    ]
    assert plan.opinion == "Cały program jest dobry."
