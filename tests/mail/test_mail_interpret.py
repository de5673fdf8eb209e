"""How a trimmed reply is sorted: ballot lines, section comments, one opinion, STOP."""

from __future__ import annotations

from pathlib import Path

from bot.definition import load_definition_file
from mail.interpret import read_reply

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WALNE = load_definition_file(EXAMPLES / "uchwala-tak-nie.toml")


def test_ballot_lines_comments_opinion_and_stop_are_told_apart() -> None:
    plan = read_reply(
        WALNE,
        "uchwala1: TAK\nuchwala2: przeciw\n\nZa mało czasu na dyskusję.\n§3: składka za wysoka\ndla małych\nSTOP",
    )
    assert plan.ballot == "uchwala1: TAK\nuchwala2: przeciw"
    assert plan.opinion == "Za mało czasu na dyskusję."
    assert plan.comments == [("3", "składka za wysoka\ndla małych")]
    assert plan.stop


def test_a_vote_naming_an_unknown_item_is_still_a_vote_line() -> None:
    plan = read_reply(WALNE, "uchwala7: TAK")
    assert plan.ballot == "uchwala7: TAK" and plan.opinion == ""


def test_sentences_that_start_with_an_answer_word_are_opinions() -> None:
    plan = read_reply(WALNE, "Nie zgadzam się z uchwałą nr 3.\nTak dalej być nie może.")
    assert plan.ballot == "" and plan.opinion.startswith("Nie zgadzam się")


def test_an_empty_reply_asks_for_nothing() -> None:
    assert read_reply(WALNE, "").empty and read_reply(WALNE, "\n \n").empty


def test_a_free_line_after_a_section_comment_is_an_opinion_on_the_whole() -> None:
    # The invitation promises: "Tekst bez numeru zapiszemy jako opinię o całym dokumencie."
    plan = read_reply(WALNE, "§2: Termin jest za krótki.\nCały program oceniam dobrze.")
    assert plan.comments == [("2", "Termin jest za krótki.")]
    assert plan.opinion == "Cały program oceniam dobrze."
    plan = read_reply(WALNE, "§2: za krótki termin\nPopieram resztę dokumentu")
    assert plan.comments == [("2", "za krótki termin")]
    assert plan.opinion == "Popieram resztę dokumentu"


def test_a_comment_goes_on_over_lines_broken_inside_its_sentence() -> None:
    wrapped = "§4: Proponuję wydłużyć termin składania ofert do trzydziestu dni, bo małe"
    reply = f"{wrapped}\nOrganizacje nie zdążą.\n§5:\nDopisać Radę Seniorów.\n§6: skreślić,\nW całości."
    plan = read_reply(WALNE, reply)
    assert plan.comments == [
        ("4", f"{wrapped[4:]}\nOrganizacje nie zdążą."),
        ("5", "Dopisać Radę Seniorów."),
        ("6", "skreślić,\nW całości."),
    ]
    assert plan.opinion == ""


def test_ukrainian_answer_words_make_a_ballot_line() -> None:
    """The uk invitation asks for «1: ТАК, 2: НІ, 3: УТРИМУЮСЬ»: those lines are the vote, not an opinion."""
    plan = read_reply(WALNE, "1: ТАК\n2: НІ\n3: УТРИМУЮСЬ")
    assert plan.ballot == "1: ТАК\n2: НІ\n3: УТРИМУЮСЬ" and plan.opinion == ""
