"""A draft document split into its units: DOCX and ODT written here with python-docx and odfpy themselves.

Three drafts as municipalities publish them: a resolution adopting the yearly NGO cooperation programme (the
programme in its annex, chapters with their titles on the next line), a local regulation with §, ust., pkt,
lit. and tirets (ODT), and a strategy whose chapters are Word headings.
"""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from odf.opendocument import OpenDocumentText
from odf.text import H, P

from bot.documents import draft_definition, read_citation, read_document, split_units
from bot.documents.citation import take_citation
from bot.documents.read_text import text_blocks
from bot.errors import InputError

PROGRAMME = [
    "UCHWAŁA NR XXI/215/2027",
    "RADY MIEJSKIEJ W WIELICZCE",
    "z dnia 25 listopada 2027 r.",
    "w sprawie przyjęcia Programu współpracy Gminy Wieliczka z organizacjami pozarządowymi na rok 2027",
    "Na podstawie art. 18 ust. 2 pkt 15 ustawy z dnia 8 marca 1990 r. o samorządzie gminnym oraz art. 5a ust. 1 "
    "ustawy z dnia 24 kwietnia 2003 r. o działalności pożytku publicznego i o wolontariacie uchwala się, "
    "co następuje:",
    "§ 1. Przyjmuje się Program współpracy Gminy Wieliczka z organizacjami pozarządowymi na rok 2027, "
    "stanowiący załącznik do niniejszej uchwały.",
    "§ 2. Wykonanie uchwały powierza się Burmistrzowi Gminy Wieliczka.",
    "§ 3. Uchwała wchodzi w życie z dniem 1 stycznia 2027 r.",
    "Załącznik do Uchwały Nr XXI/215/2027",
    "Rozdział 1",
    "Postanowienia ogólne",
    "§ 1. 1. Program określa cele, zasady, formy i zakres współpracy Gminy z organizacjami.",
    "2. Ilekroć w Programie jest mowa o:",
    "1) ustawie – rozumie się przez to ustawę o działalności pożytku publicznego i o wolontariacie;",
    "2) organizacjach – rozumie się przez to:",
    "a) organizacje pozarządowe,",
    "b) podmioty wymienione w art. 3 ust. 3 ustawy;",
    "3) konkursie – rozumie się przez to otwarty konkurs ofert.",
    "Rozdział 2",
    "Cele Programu",
    "§ 2. Celem głównym Programu jest budowanie partnerstwa między Gminą a organizacjami.",
    "§ 3. Cele szczegółowe",
    "1. Wzmacnianie potencjału organizacji.",
    "2. Zwiększanie udziału mieszkańców w życiu publicznym, w szczególności przez:",
    "1) konsultowanie projektów aktów prawa miejscowego;",
    "2) wspólne zespoły o charakterze doradczym.",
]

REGULATION = [
    ("title", "UCHWAŁA NR XXX/300/2027 RADY GMINY"),
    ("p", "w sprawie regulaminu korzystania z gminnych obiektów sportowych"),
    ("p", "Na podstawie art. 40 ust. 2 pkt 4 ustawy o samorządzie gminnym uchwala się, co następuje:"),
    ("p", "§ 1. Uchwala się regulamin korzystania z obiektów sportowych Gminy."),
    ("p", "§ 2. 1. Obiekty są czynne codziennie w godzinach 8.00–22.00."),
    ("p", "2. Z obiektów mogą korzystać:"),
    ("p", "1) mieszkańcy Gminy;"),
    ("p", "2) kluby sportowe, na podstawie umowy:"),
    ("p", "a) zawartej na sezon,"),
    ("p", "b) zawartej na pojedyncze wydarzenie;"),
    ("p", "3) szkoły."),
    ("p", "§ 3. Zabrania się:"),
    ("p", "– wnoszenia napojów w szklanych opakowaniach,"),
    ("p", "– wprowadzania zwierząt."),
    ("p", "§ 3a. Regulamin podaje się do wiadomości przy wejściu do obiektu."),
]

STRATEGY = [
    ("Title", "Strategia rozwoju Gminy Niepołomice na lata 2027–2035"),
    ("Heading 1", "1. Diagnoza"),
    ("Normal", "Gmina liczy 30 tys. mieszkańców i jej ludność rośnie."),
    ("Heading 2", "1.1 Demografia"),
    ("Normal", "Przybywa rodzin z dziećmi."),
    ("Heading 1", "2. Cele strategiczne"),
    ("Normal", "Strategia wyznacza trzy cele:"),
    ("Normal", "1) dostępne usługi publiczne;"),
    ("Normal", "2) czyste powietrze;"),
    ("Normal", "3) aktywni mieszkańcy."),
    ("Heading 1", "Wdrażanie i monitorowanie"),
    ("Normal", "Raport z realizacji strategii jest przygotowywany co dwa lata."),
]


def _docx(path: Path, paragraphs: list[tuple[str, str]]) -> Path:
    document = docx.Document()
    for style, text in paragraphs:
        document.add_paragraph(text, style=style)
    document.save(str(path))
    return path


def _odt(path: Path, paragraphs: list[tuple[str, str]]) -> Path:
    document = OpenDocumentText()
    for kind, text in paragraphs:
        if kind == "title":
            document.text.addElement(H(outlinelevel=0, text=text))
        else:
            document.text.addElement(P(text=text))
    document.save(str(path))
    return path


def _outline(path: Path) -> list[str]:
    """Each unit as ``citation [title]: text``."""
    return [
        unit.citation + (f" [{unit.title}]" if unit.title else "") + (f": {unit.text}" if unit.text else "")
        for unit in read_document(path).units
    ]


def test_a_cooperation_programme_in_docx_is_split_into_its_units(tmp_path: Path) -> None:
    path = _docx(tmp_path / "program-wspolpracy-2027.docx", [("Normal", line) for line in PROGRAMME])
    document = read_document(path)
    assert document.title == "UCHWAŁA NR XXI/215/2027"
    assert document.subject == PROGRAMME[3]
    assert document.legal_basis == PROGRAMME[4]
    assert [unit.citation for unit in document.units] == [
        "§ 1",
        "§ 2",
        "§ 3",
        "zał. 1",
        "zał. 1 rozdz. 1",
        "zał. 1 § 1",
        "zał. 1 § 1 ust. 1",
        "zał. 1 § 1 ust. 2",
        "zał. 1 § 1 ust. 2 pkt 1",
        "zał. 1 § 1 ust. 2 pkt 2",
        "zał. 1 § 1 ust. 2 pkt 2 lit. a",
        "zał. 1 § 1 ust. 2 pkt 2 lit. b",
        "zał. 1 § 1 ust. 2 pkt 3",
        "zał. 1 rozdz. 2",
        "zał. 1 § 2",
        "zał. 1 § 3",
        "zał. 1 § 3 ust. 1",
        "zał. 1 § 3 ust. 2",
        "zał. 1 § 3 ust. 2 pkt 1",
        "zał. 1 § 3 ust. 2 pkt 2",
    ]
    units = {unit.citation: unit for unit in document.units}
    assert units["zał. 1 rozdz. 1"].title == "Postanowienia ogólne"
    assert units["zał. 1 rozdz. 2"].title == "Cele Programu"
    assert units["zał. 1 § 3"].title == "Cele szczegółowe"
    assert units["zał. 1 § 1 ust. 2 pkt 2 lit. b"].text == "podmioty wymienione w art. 3 ust. 3 ustawy;"
    assert units["zał. 1 § 1 ust. 2 pkt 2 lit. b"].key == "z1.r1.p1.u2.k2.lb"
    assert units["zał. 1"].title == "do Uchwały Nr XXI/215/2027"

    definition = draft_definition(document, "program-wspolpracy-2027")
    assert definition.title.pl == "UCHWAŁA NR XXI/215/2027 " + PROGRAMME[3]
    assert definition.opens_at is None and definition.closes_at is None  # the moderator dates it
    assert [(item.number, item.title.pl) for item in definition.sections()[13:16]] == [
        ("zał. 1 rozdz. 2", "Cele Programu"),
        ("zał. 1 § 2", "Celem głównym Programu jest budowanie partnerstwa między …"),
        ("zał. 1 § 3", "Cele szczegółowe"),
    ]
    assert definition.sections()[14].text is not None
    assert (
        definition.sections()[14].text.pl
        == "Celem głównym Programu jest budowanie partnerstwa między Gminą a organizacjami."
    )


def test_a_local_regulation_in_odt_keeps_its_points_letters_and_tirets(tmp_path: Path) -> None:
    path = _odt(tmp_path / "regulamin.odt", REGULATION)
    assert _outline(path) == [
        "§ 1: Uchwala się regulamin korzystania z obiektów sportowych Gminy.",
        "§ 2",
        "§ 2 ust. 1: Obiekty są czynne codziennie w godzinach 8.00–22.00.",
        "§ 2 ust. 2: Z obiektów mogą korzystać:",
        "§ 2 ust. 2 pkt 1: mieszkańcy Gminy;",
        "§ 2 ust. 2 pkt 2: kluby sportowe, na podstawie umowy:",
        "§ 2 ust. 2 pkt 2 lit. a: zawartej na sezon,",
        "§ 2 ust. 2 pkt 2 lit. b: zawartej na pojedyncze wydarzenie;",
        "§ 2 ust. 2 pkt 3: szkoły.",
        "§ 3: Zabrania się:\n– wnoszenia napojów w szklanych opakowaniach,\n– wprowadzania zwierząt.",
        "§ 3a: Regulamin podaje się do wiadomości przy wejściu do obiektu.",
    ]
    document = read_document(path)
    assert document.title == "UCHWAŁA NR XXX/300/2027 RADY GMINY"
    assert document.subject == "w sprawie regulaminu korzystania z gminnych obiektów sportowych"


def test_a_strategy_in_docx_is_split_by_its_headings(tmp_path: Path) -> None:
    path = _docx(tmp_path / "strategia.docx", STRATEGY)
    assert _outline(path) == [
        "rozdz. 1 [Diagnoza]: Gmina liczy 30 tys. mieszkańców i jej ludność rośnie.",
        "rozdz. 1.1 [Demografia]: Przybywa rodzin z dziećmi.",
        "rozdz. 2 [Cele strategiczne]: Strategia wyznacza trzy cele:",
        "rozdz. 2 pkt 1: dostępne usługi publiczne;",
        "rozdz. 2 pkt 2: czyste powietrze;",
        "rozdz. 2 pkt 3: aktywni mieszkańcy.",
        "rozdz. 3 [Wdrażanie i monitorowanie]: Raport z realizacji strategii jest przygotowywany co dwa lata.",
    ]
    assert read_document(path).title == "Strategia rozwoju Gminy Niepołomice na lata 2027–2035"


def test_markdown_and_plain_text_drafts(tmp_path: Path) -> None:
    markdown = tmp_path / "projekt.md"
    markdown.write_text("# Projekt regulaminu\n\n## Rozdział 1. Zasady\n\n§ 1. **Ustala** się zasady.\n", "utf-8")
    assert _outline(markdown) == ["rozdz. 1 [Zasady]", "§ 1: Ustala się zasady."]
    text = tmp_path / "projekt.txt"
    text.write_text("Art. 1. Ustawa określa zasady.\nArt. 2. 1. Zakres.\n2. Wyjątki.\n", "utf-8")
    assert _outline(text) == [
        "art. 1: Ustawa określa zasady.",
        "art. 2",
        "art. 2 ust. 1: Zakres.",
        "art. 2 ust. 2: Wyjątki.",
    ]


def test_a_file_that_is_no_draft_is_refused_and_nothing_is_imported(tmp_path: Path) -> None:
    pdf = tmp_path / "projekt.pdf"
    pdf.write_bytes(b"%PDF-1.7")
    with pytest.raises(InputError) as unsupported:
        read_document(pdf)
    assert (unsupported.value.key, unsupported.value.params["name"]) == ("document.unsupported", "projekt.pdf")
    fake = tmp_path / "projekt.docx"
    fake.write_text("to nie jest dokument Worda", "utf-8")
    with pytest.raises(InputError) as unreadable:
        read_document(fake)
    assert unreadable.value.key == "document.unreadable"
    fake_odt = tmp_path / "projekt.odt"
    fake_odt.write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(InputError) as broken:
        read_document(fake_odt)
    assert broken.value.key == "document.unreadable"
    empty = tmp_path / "notatka.txt"
    empty.write_text("Notatka ze spotkania.\nBez żadnych paragrafów.\n", "utf-8")
    with pytest.raises(InputError) as no_units:
        read_document(empty)
    assert no_units.value.key == "document.no_units"


@pytest.mark.parametrize(
    ("written", "citation", "rest"),
    [
        ("§ 3 ust. 2 pkt 1: termin jest za krótki", "§ 3 ust. 2 pkt 1", "termin jest za krótki"),
        ("§3 ust.2 pkt 1 lit. b - dopisać kluby", "§ 3 ust. 2 pkt 1 lit. b", "dopisać kluby"),
        ("par. 4: skreślić", "§ 4", "skreślić"),
        ("Art. 5 ust. 1. Proszę doprecyzować", "art. 5 ust. 1", "Proszę doprecyzować"),
        ("rozdz. II § 4: chapter dropped", "§ 4", "chapter dropped"),
        ("Rozdział 2: cały rozdział", "rozdz. 2", "cały rozdział"),
        ("zał. 1 § 2 ust. 1: w załączniku", "zał. 1 § 2 ust. 1", "w załączniku"),
    ],
)
def test_a_remark_cites_a_unit_at_any_level(written: str, citation: str, rest: str) -> None:
    assert read_citation(written) == (citation, rest)


def test_what_is_no_citation_stays_text() -> None:
    assert read_citation("Park przy szkole jest zaniedbany.") is None
    assert read_citation("Artykuł w gazecie był nieprawdziwy.") is None
    assert take_citation("Art. 5 ustawy mówi co innego.") == (None, "Art. 5 ustawy mówi co innego.")
    # a chat command needs no separator; the forms accepted before units keep their meaning
    assert take_citation("§ 3 ust. 2 za krótki termin", loose=True) == ("§ 3 ust. 2", "za krótki termin")
    assert take_citation("§3 Proszę dopisać", loose=True) == ("3", "Proszę dopisać")
    assert take_citation("§3.1: podpunkt") == ("3.1", "podpunkt")
    assert take_citation("sekcja s2: klucz") == ("s2", "klucz")


def test_splitting_is_a_pure_function_of_the_paragraphs() -> None:
    blocks = text_blocks("\n".join(PROGRAMME))
    first, second = split_units(blocks), split_units(blocks)
    assert [(u.citation, u.text) for u in first.units] == [(u.citation, u.text) for u in second.units]
