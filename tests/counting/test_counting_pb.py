"""The .pb reader and writer on small synthetic files (always run)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from bot.counting.pb import PbElection, format_number, parse_pb, read_pb, write_pb
from bot.counting.tally import tally
from bot.errors import PabulibError

SMALL = """META
key;value
description;Tiny test
budget;1000.50
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;votes;name;selected
1;500.25;3;"Park ""Zielony"" ; ławki";1
2;600;2;Boisko;0
10;500.25;1;Skwer;1
VOTES
voter_id;vote;age
a;1,2;30
b;1,2,10;
c;1;41
"""


def test_parses_quoting_decimals_and_columns() -> None:
    election = parse_pb(SMALL)
    assert election.budget == Fraction(200100, 200)
    first = election.projects[0]
    assert first.project_id == "1"
    assert first.name == 'Park "Zielony" ; ławki'
    assert first.cost == Fraction(50025, 100)
    assert first.selected == 1
    assert first.extra == {"votes": "3"}
    assert [p.project_id for p in election.projects] == ["1", "2", "10"]
    assert election.votes[1].vote == ("1", "2", "10")
    assert election.votes[1].extra == {"age": ""}
    assert election.vote_columns == ("voter_id", "vote", "age")


@pytest.mark.parametrize("newline", ["\r\n", "\r", "mixed"])
def test_line_endings_and_bom_do_not_matter(newline: str) -> None:
    lines = SMALL.split("\n")
    if newline == "mixed":
        text = "".join(line + ("\r\n" if i % 2 else "\n") for i, line in enumerate(lines))
    else:
        text = newline.join(lines)
    assert parse_pb("\ufeff" + text) == parse_pb(SMALL)
    assert parse_pb(("\ufeff" + text).encode()) == parse_pb(SMALL)


PLAIN_META = "META\nkey;value\nbudget;1000\nvote_type;approval\nrule;greedy\n"
PLAIN_PROJECTS = "PROJECTS\nproject_id;cost;name\n1;500;Park\n2;600;Boisko\n"
PLAIN_VOTES = "VOTES\nvoter_id;vote;age\na;1,2;30\nb;2;\n"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize(
    "text",
    [
        PLAIN_VOTES + PLAIN_META + PLAIN_PROJECTS,
        PLAIN_META + PLAIN_VOTES + " projects ;;\n" + PLAIN_PROJECTS.split("\n", 1)[1],
        PLAIN_PROJECTS + PLAIN_VOTES + "Meta\n" + PLAIN_META.split("\n", 1)[1],
    ],
)
def test_a_section_after_votes_is_a_section_not_a_vote(text: str, newline: str) -> None:
    """A file without quotes is read in bulk from its VOTES line on only when no section line follows it."""
    expected = parse_pb(PLAIN_META + PLAIN_PROJECTS + PLAIN_VOTES)
    assert parse_pb(text.replace("\n", newline)) == expected
    assert [v.voter_id for v in expected.votes] == ["a", "b"] and expected.votes[1].extra == {"age": ""}


def test_write_round_trips(tmp_path: Path) -> None:
    election = parse_pb(SMALL)
    text = write_pb(election)
    assert parse_pb(text) == election
    path = tmp_path / "x.pb"
    path.write_text(text.replace("\n", "\r\n"), encoding="utf-8")
    assert read_pb(path) == election
    assert '"Park ""Zielony"" ; ławki"' in text


def test_points_round_trip_and_greedy_by_points() -> None:
    text = """META
key;value
budget;10
vote_type;cumulative
rule;greedy
PROJECTS
project_id;cost
A;6
B;5
C;4
VOTES
voter_id;vote;points
1;A,B;1,4
2;C,B;3,2
"""
    election = parse_pb(text)
    assert election.votes[0].points == (Fraction(1), Fraction(4))
    assert parse_pb(write_pb(election)) == election
    result = tally(election)
    # B has 6 points, C 3, A 1: B (5) then C (4) fit, A (6) does not.
    assert result.selected == ("B", "C")
    assert result.reasons == {"A": "does_not_fit"}


def test_format_number_is_exact() -> None:
    assert format_number(Fraction(3, 2)) == "1.5"
    assert format_number(Fraction(154616866, 100)) == "1546168.66"
    assert format_number(Fraction(7)) == "7"
    assert format_number(Fraction(1, 3)) == "1/3"


def _replace(old: str, new: str) -> str:
    assert old in SMALL
    return SMALL.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "key", "params"),
    [
        ("", "pabulib.empty", {}),
        ("hello;world\n" + SMALL, "pabulib.outside_section", {"line": 1}),
        (
            _replace("2;600;2;Boisko;0", "2;600;2;Boisko"),
            "pabulib.field_count",
            {"line": 10, "expected": 5, "found": 4},
        ),
        (_replace("2;600;", "2;6o0;"), "pabulib.bad_number", {"line": 10, "column": "cost", "value": "6o0"}),
        (_replace("2;600;", "2;-600;"), "pabulib.bad_number", {"line": 10, "column": "cost"}),
        (_replace("budget;1000.50", "budget;tysiąc"), "pabulib.bad_number", {"line": 4, "column": "budget"}),
        (_replace("c;1;41", "c;1,7;41"), "pabulib.unknown_project", {"line": 16, "project": "7"}),
        (_replace("c;1;41", "a;1;41"), "pabulib.duplicate_voter", {"line": 16, "voter": "a"}),
        (_replace("10;500.25", "2;500.25"), "pabulib.duplicate_project", {"line": 11, "project": "2"}),
        (_replace("project_id;cost", "id;cost"), "pabulib.missing_column", {"line": 8, "column": "project_id"}),
        (SMALL.split("VOTES")[0], "pabulib.missing_section", {"section": "VOTES"}),
        (_replace("10;500.25;1;Skwer;1", '10;500.25;1;"Skwer;1'), "pabulib.bad_csv", {"line": 11}),
        (SMALL + "PROJECTS\n", "pabulib.duplicate_section", {"line": 17, "section": "PROJECTS"}),
    ],
)
def test_malformed_input_names_the_line(text: str, key: str, params: dict[str, object]) -> None:
    with pytest.raises(PabulibError) as caught:
        parse_pb(text)
    assert caught.value.key == key
    for name, value in params.items():
        assert caught.value.params[name] == value


def test_points_must_match_votes() -> None:
    text = "META\nbudget;5\nPROJECTS\nproject_id;cost\nA;1\nVOTES\nvoter_id;vote;points\n1;A;2,3\n"
    with pytest.raises(PabulibError) as caught:
        parse_pb(text)
    assert caught.value.key == "pabulib.points_mismatch"
    assert caught.value.params == {"line": 8, "votes": 1, "points": 2}


def test_missing_budget_and_unreadable_file(tmp_path: Path) -> None:
    election = PbElection(meta={}, projects=(), votes=())
    with pytest.raises(PabulibError) as caught:
        _ = election.budget
    assert caught.value.key == "pabulib.missing_meta"
    with pytest.raises(PabulibError) as caught:
        read_pb(tmp_path / "absent.pb")
    assert caught.value.key == "pabulib.unreadable"


def test_unsupported_rule_is_named() -> None:
    with pytest.raises(PabulibError) as caught:
        tally(parse_pb(_replace("rule;greedy", "rule;greedy-custom")))
    assert caught.value.key == "pabulib.unsupported_rule"
    assert caught.value.params == {"rule": "greedy-custom"}
    with pytest.raises(PabulibError):
        tally(parse_pb(SMALL), rule="phragmen")


def test_tally_rules_on_small_file() -> None:
    election = parse_pb(SMALL)
    # votes: 1 → 3, 2 → 2, 10 → 1; budget 1000.50.
    assert tally(election).selected == ("1", "10")  # 2 (600) does not fit after 1, 10 does
    assert tally(election, "greedy-no-skip").selected == ("1",)
    assert tally(election, "greedy-no-skip").reasons == {"2": "does_not_fit", "10": "not_reached"}
    mes = tally(election, "mes")
    assert mes.rule == "mes" and mes.spent <= election.budget
    threshold = parse_pb(_replace("rule;greedy", "rule;greedy-threshold\nmin_project_score_threshold;2"))
    assert tally(threshold).selected == ("1",)
    assert tally(threshold).reasons["10"] == "below_threshold"
