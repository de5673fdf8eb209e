"""A moderator's mistake in a definition is reported with the file, the line and the key path."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.definition import ProcessDefinition, load_definition, load_definition_file
from bot.definition.loader import format_key_path
from bot.domain import BallotRuleKind
from bot.errors import DefinitionError
from bot.i18n import translator

BASE = """\
slug = "test-2027"
kind = "budget"
opens_at = 2027-06-15T08:00:00+02:00
closes_at = 2027-06-30T23:59:00+02:00
reminders = ["1d"]

[title]
pl = "Budżet testowy"
en = "Test budget"

[eligibility]
mode = "declared_district"
districts = ["north", "south"]
district_names = { north = "Północ", south = { pl = "Południe", en = "South" } }

[[pools]]
key = "city"
budget = 1_000_000
ballot = { rule = "up_to", max = 3 }
counting = { rule = "greedy", min_votes = 10 }

[[pools]]
key = "north"
district = "north"
budget = 200_000

[pools.ballot]
rule = "min_max"
min = 1
max = 2

[pools.counting]
rule = "greedy"

[[items]]
key = "1"
kind = "project"
pool = "city"
cost = 400_000
title = "Park"

[[items]]
key = "2"
kind = "project"
pool = "city"
cost = 700_000
title = { pl = "Rowery", en = "Bikes" }

[[items]]
key = "3"
kind = "project"
pool = "north"
cost = 150_000
title = "Ławki"

[[items]]
key = "4"
kind = "project"
pool = "north"
cost = 90_000
title = "Drzewa"
"""


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line containing ``fragment``."""
    found = [number for number, line in enumerate(text.splitlines(), 1) if fragment in line]
    return found[occurrence - 1]


def refused(text: str) -> DefinitionError:
    with pytest.raises(DefinitionError) as caught:
        load_definition(text, "bo.toml")
    assert caught.value.key == "definition.invalid"
    assert caught.value.params["source"] == "bo.toml"
    return caught.value


def test_the_base_definition_is_valid() -> None:
    definition = load_definition(BASE)
    assert isinstance(definition, ProcessDefinition)
    assert definition.pool("north").ballot.rule is BallotRuleKind.MIN_MAX
    assert definition.eligibility.district_names["north"].get("en") == "Północ"  # Polish is the fallback


# (what the moderator wrote wrong, the text with the mistake, the key path, the fragment of the reported line)
CASES = [
    ("unknown top-level key", BASE.replace('kind = "budget"', 'kind = "budget"\nsecrett = true'), "secrett", "secrett"),
    ("wrong type", BASE.replace('reminders = ["1d"]', 'reminders = ["1d"]\nsecret = "tak"'), "secret", "secret ="),
    ("bad enum", BASE.replace('kind = "budget"', 'kind = "budzet"'), "kind", "kind ="),
    (
        "bound in an inline table",
        BASE.replace('ballot = { rule = "up_to", max = 3 }', 'ballot = { rule = "up_to", max = 0 }'),
        "pools[0].ballot.max",
        'ballot = { rule = "up_to", max = 0 }',
    ),
    (
        "min above max in a sub-table of the second pool",
        BASE.replace("max = 2", "max = 0\n"),
        "pools[1].ballot.max",
        "max = 0",
    ),
    (
        "min above max: the key is max",
        BASE.replace("min = 1\nmax = 2", "min = 3\nmax = 2"),
        "pools[1].ballot.max",
        "max = 2",
    ),
    (
        "missing rule",
        BASE.replace('[pools.counting]\nrule = "greedy"', "[pools.counting]\nmin_votes = 5"),
        "pools[1].counting.rule",
        "[pools.counting]",
    ),
    (
        "item of an undefined pool",
        BASE.replace('pool = "north"\ncost = 90_000', 'pool = "south"\ncost = 90_000'),
        "items[3].pool",
        'pool = "south"',
    ),
    (
        "pool key repeated in another case",
        BASE.replace('key = "north"', 'key = "CITY"'),
        "pools[1].key",
        'key = "CITY"',
    ),
    ("duplicate item key", BASE.replace('key = "4"', 'key = "3"'), "items[3].key", 'key = "3"'),
    (
        "pool of an unknown district",
        BASE.replace('district = "north"', 'district = "east"'),
        "pools[1].district",
        'district = "east"',
    ),
    (
        "closing before opening",
        BASE.replace("closes_at = 2027-06-30T23:59:00+02:00", "closes_at = 2027-06-01T23:59:00+02:00"),
        "closes_at",
        "closes_at =",
    ),
    (
        "date without offset",
        BASE.replace("opens_at = 2027-06-15T08:00:00+02:00", "opens_at = 2027-06-15T08:00:00"),
        "opens_at",
        "opens_at =",
    ),
    ("title without Polish", BASE.replace('pl = "Budżet testowy"\n', ""), "title.pl", "[title]"),
    ("bad reminder", BASE.replace('reminders = ["1d"]', 'reminders = ["1d", "jutro"]'), "reminders", "reminders ="),
    ("project without a cost", BASE.replace("cost = 90_000\n", ""), "items[3].cost", "[[items]]"),
    (
        "district name of an unknown district",
        BASE.replace("south = { pl", "west = { pl"),
        "eligibility.district_names.west",
        "district_names =",
    ),
    (
        "weights on a choice rule",
        BASE.replace("max = 2\n", "max = 2\nweights = [2, 1]\n"),
        "pools[1].ballot.weights",
        "weights =",
    ),
    (
        "majority on a choice ballot",
        BASE.replace('[pools.counting]\nrule = "greedy"', '[pools.counting]\nrule = "majority"'),
        "pools[1].counting.rule",
        'rule = "majority"',
    ),
    ("item key equal to a pool key", BASE.replace('key = "4"', 'key = "City"'), "items[3].key", 'key = "City"'),
    ("budget pool without budget", BASE.replace("budget = 200_000\n", ""), "pools[1].budget", "[[pools]]"),
]


# fragments written more than once: which of their lines is the offending one
OCCURRENCE = {'key = "3"': 2, "[[items]]": 4, "[[pools]]": 2}


@pytest.mark.parametrize(("text", "key_path", "fragment"), [case[1:] for case in CASES], ids=[c[0] for c in CASES])
def test_invalid_definition_names_key_path_and_line(text: str, key_path: str, fragment: str) -> None:
    assert text != BASE, "the mutation did not apply"
    error = refused(text)
    assert error.params["key_path"] == key_path
    assert error.params["line"] == line_of(text, fragment, OCCURRENCE.get(fragment, 1)), error
    assert error.params["reason"]


def test_syntax_error_line_comes_from_the_toml_parser_and_key_from_the_line_above() -> None:
    text = BASE.replace("budget = 200_000", "budget = 200 000")
    error = refused(text)
    assert error.params["line"] == line_of(text, "budget = 200 000")
    assert error.params["key_path"] == "pools[1].budget"
    assert "column" not in error.params["reason"]  # the position is in line, not repeated in the reason


def test_syntax_error_inside_an_item_points_into_that_item() -> None:
    text = BASE.replace('title = "Ławki"', 'title = "Ławki')
    error = refused(text)
    assert error.params["line"] == line_of(text, 'title = "Ławki')
    assert error.params["key_path"].startswith("items[2]")


def test_several_errors_report_the_first_and_count_all() -> None:
    text = BASE.replace('slug = "test-2027"', 'slug = "X"').replace('kind = "budget"', 'kind = "budzet"')
    error = refused(text)
    assert error.params["key_path"] == "slug"
    assert error.params["errors"] == 2


def test_missing_top_level_key_points_at_the_top_of_the_file() -> None:
    error = refused(BASE.replace('slug = "test-2027"\n', ""))
    assert (error.params["key_path"], error.params["line"]) == ("slug", 1)


def test_array_of_inline_tables_is_located_per_element() -> None:
    text = """\
slug = "ankieta"
kind = "survey"
title = "Ankieta"
pools = [
  { key = "main", ballot = { rule = "score" }, counting = { rule = "score" } },
]
items = [
  { key = "a", title = "Pierwsze" },
  { key = "b", title = "Drugie", cost = -5 },
]
"""
    error = refused(text)
    assert error.params["key_path"] == "items[1].cost"
    assert error.params["line"] == line_of(text, '{ key = "b"')


def test_quoted_keys_and_multiline_strings_do_not_confuse_the_line_finder() -> None:
    text = BASE.replace(
        "[title]\n",
        '[description]\npl = """\nDługi opis\n[[pools]]\nz nawiasami"""\n\n[title]\n',
    ).replace('title = "Drzewa"', 'title = "Drzewa"\n"cena brutto" = 5')
    error = refused(text)
    assert error.params["key_path"] == 'items[3]."cena brutto"'
    assert error.params["line"] == line_of(text, '"cena brutto" = 5')


def test_file_errors_are_definition_errors(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as missing:
        load_definition_file(tmp_path / "nie-ma.toml")
    assert missing.value.key == "definition.unreadable"
    assert missing.value.params["source"].endswith("nie-ma.toml")

    latin2 = tmp_path / "latin2.toml"
    latin2.write_bytes(BASE.encode("iso-8859-2"))
    with pytest.raises(DefinitionError) as undecodable:
        load_definition_file(latin2)
    assert undecodable.value.key == "definition.unreadable"
    assert "UTF-8" in undecodable.value.params["reason"]


def test_file_from_a_windows_editor_with_bom_and_crlf_loads(tmp_path: Path) -> None:
    path = tmp_path / "bo.toml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.replace("\n", "\r\n").encode("utf-8"))
    assert load_definition_file(path).slug == "test-2027"
    broken = tmp_path / "broken.toml"
    broken.write_bytes(BASE.replace("max = 2", "max = 0").replace("\n", "\r\n").encode("utf-8"))
    with pytest.raises(DefinitionError) as caught:
        load_definition_file(broken)
    assert caught.value.params["source"] == str(broken)
    assert caught.value.params["line"] == line_of(BASE, "max = 2")


def test_the_error_reads_as_a_sentence_in_polish_and_english() -> None:
    error = refused(BASE.replace("max = 2", "max = 0"))
    polish = translator("pl")(error.key, **error.params)
    assert polish.startswith(f"Błąd w pliku bo.toml, wiersz {line_of(BASE, 'max = 2')}, klucz pools[1].ballot.max: ")
    english = translator("en")(error.key, **error.params)
    assert english.startswith("Error in file bo.toml, line ")


def test_key_paths_quote_keys_that_are_not_bare() -> None:
    assert format_key_path(("pools", 1, "ballot", "max")) == "pools[1].ballot.max"
    assert format_key_path(("eligibility", "district_names", "stara miłosna")) == (
        'eligibility.district_names."stara miłosna"'
    )
    assert format_key_path(()) == ""


@pytest.mark.parametrize(
    ("meeting", "key_path", "reason"),
    [
        ('at = 2027-09-28T17:00:00\nplace = "Sala"', "notice.meetings[0]", "time zone offset"),
        ("at = 2027-09-28T17:00:00+02:00", "notice.meetings[0]", "a place, a link or both"),
        ('at = 2027-09-28T17:00:00+02:00\nlink = "javascript:alert(1)"', "notice.meetings[0].link", ""),
    ],
    ids=["naive", "nowhere", "not-a-web-link"],
)
def test_a_consultation_meeting_needs_an_offset_and_a_place_or_a_web_link(
    meeting: str, key_path: str, reason: str
) -> None:
    error = refused(BASE + f'\n[notice]\norganiser = "Burmistrz"\n\n[[notice.meetings]]\n{meeting}\n')
    assert error.params["key_path"] == key_path, error.params
    assert reason in error.params["reason"]


def test_a_notice_s_meetings_are_kept_in_time_order() -> None:
    later = '[[notice.meetings]]\nat = 2027-10-05T18:00:00+02:00\nlink = "https://meet.example.pl/x"\n'
    sooner = '[[notice.meetings]]\nat = 2027-09-28T17:00:00+02:00\nplace = "Sala nr 12"\n'
    definition = load_definition(BASE + "\n[notice]\n" + later + sooner)
    assert definition.notice is not None
    assert [meeting.at.day for meeting in definition.notice.meetings] == [28, 5]
    assert definition.notice.meeting_reminders == ["1d"]
