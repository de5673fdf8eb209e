"""Every message key the ballot and definition code raises has a sentence in Polish and English that fits."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.ballot_rules import validate_ballot
from bot.ballot_text import parse_ballot_text
from bot.definition import ProcessDefinition, load_definition, load_definition_file
from bot.errors import GlosError

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    ROOT / "bot" / "ballot_rules.py",
    ROOT / "bot" / "ballot_text.py",
    ROOT / "bot" / "definition" / "loader.py",
    ROOT / "bot" / "definition" / "model.py",
]
CATALOGUES = {language: ROOT / "bot" / "locale" / language / "LC_MESSAGES" / "ballots.po" for language in ("pl", "en")}
PLURAL_FORMS = {"pl": 3, "en": 2}


def raised_keys() -> set[str]:
    """The message keys that appear as string literals in the code (what a user can be shown)."""
    pattern = re.compile(r"""["']((?:ballot|definition)\.[a-z_]+)["']""")
    return {key for path in SOURCES for key in pattern.findall(path.read_text(encoding="utf-8"))}


def catalogue(language: str) -> Catalog:
    with CATALOGUES[language].open("rb") as handle:
        return read_po(handle, locale=language)


def forms(catalog: Catalog, key: str) -> list[str]:
    message = catalog[key]
    assert message is not None, key
    strings = message.string
    return [str(text) for text in strings] if isinstance(strings, tuple | list) else [str(strings)]


def test_the_code_raises_a_good_number_of_keys() -> None:
    keys = raised_keys()
    assert {"ballot.too_many", "ballot.unparseable", "definition.invalid"} <= keys
    assert len(keys) >= 25


@pytest.mark.parametrize("language", ["pl", "en"])
def test_every_raised_key_is_translated(language: str) -> None:
    catalog = catalogue(language)
    assert catalog.num_plurals == PLURAL_FORMS[language]
    for key in sorted(raised_keys()):
        assert key in catalog, f"{key} is missing from {language}/ballots.po"
        translated = forms(catalog, key)
        assert all(translated), f"{key} has an empty translation in {language}"
        if catalog[key].pluralizable:
            assert len(translated) == PLURAL_FORMS[language], key
            assert all("{count}" in text for text in translated), f"{key}: the plural needs {{count}}"


def test_polish_sentences_use_polish_letters_and_plurals() -> None:
    catalog = catalogue("pl")
    assert forms(catalog, "ballot.too_many") == [
        "Można wybrać najwyżej {count} projekt, a wybrano {chosen}.",
        "Można wybrać najwyżej {count} projekty, a wybrano {chosen}.",
        "Można wybrać najwyżej {count} projektów, a wybrano {chosen}.",
    ]
    assert forms(catalog, "definition.invalid")[0].startswith("Błąd w pliku {source}, wiersz {line}, klucz {key_path}:")


def _trigger_all(warsaw: ProcessDefinition, every_rule: ProcessDefinition) -> list[GlosError]:
    """One real error for every key, raised by the real code."""
    resolutions = load_definition_file(ROOT / "examples" / "uchwala-tak-nie.toml")
    calls: list[Callable[[], object]] = [
        lambda: load_definition("slug = ", "a.toml"),
        lambda: load_definition_file(ROOT / "examples" / "nie-ma-takiego-pliku.toml"),
        lambda: parse_ballot_text(warsaw, "§"),
        lambda: parse_ballot_text(warsaw, "mokotow: 1"),
        lambda: parse_ballot_text(warsaw, "999"),
        lambda: parse_ballot_text(resolutions, "uchwala1: TAK, uchwala1: NIE"),
    ]
    ballots: list[tuple[Any, str | None]] = [
        ({}, "north"),
        (["x"], "north"),
        ({"one": ["o1"]}, "east"),
        ({"north": ["n1"]}, None),
        ({"south": ["x1"]}, "north"),
        ({"one": ["u1"]}, "north"),
        ({"upto": ["u1", "u2", "u3"]}, "north"),
        ({"range": ["r1"]}, "north"),
        ({"exact": ["e1"]}, "north"),
        ({"budget": ["b1", "b2", "b3"]}, "north"),
        ({"points": {"p1": 3, "p2": 3}}, "north"),
        ({"points": {"p1": 4}}, "north"),
        ({"points": {"p1": -1}}, "north"),
        ({"score": {"s1": 9, "s2": 1, "s3": 1}}, "north"),
        ({"score": {"s1": 1}}, "north"),
        ({"yn": {"q1": "yes"}}, "north"),
        ({"yn": {"q1": "perhaps", "q2": "no"}}, "north"),
        ({"rank": ["k1", "k1"]}, "north"),
        ({"rank": ["k1"]}, "north"),
        ({"rank": ["k1", "k2", "k3", "k4"]}, "north"),
        ({"rank3": ["t1"]}, "north"),
        ({"upto": ["u1", "u1"]}, "north"),
    ]
    for ballot, district in ballots:
        calls.append(partial(validate_ballot, every_rule, ballot, district=district))
    errors = []
    for call in calls:
        with pytest.raises(GlosError) as caught:
            call()
        errors.append(caught.value)
    return errors


@pytest.mark.parametrize("language", ["pl", "en"])
def test_every_sentence_can_be_filled_with_the_parameters_the_code_gives(
    language: str, warsaw: ProcessDefinition, every_rule: ProcessDefinition
) -> None:
    catalog = catalogue(language)
    errors = _trigger_all(warsaw, every_rule)
    assert {error.key for error in errors} == raised_keys(), "every key raised in code is triggered here"
    for error in errors:
        for text in forms(catalog, error.key):
            filled = text.format(**error.params)  # a placeholder without a parameter raises KeyError
            assert "{" not in filled and "None" not in filled, (error.key, filled)
