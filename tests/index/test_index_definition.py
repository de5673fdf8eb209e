"""The [index] table of a survey: editions by key and year, dimensions naming each question once."""

from __future__ import annotations

import pytest

from bot.definition import load_definition, load_definition_file
from bot.errors import DefinitionError
from tests.index.helpers import EXAMPLE, index_definition


def test_the_example_is_an_edition_with_five_dimensions() -> None:
    definition = load_definition_file(EXAMPLE)
    assert definition.index is not None
    assert (definition.index.key, definition.index.year, definition.min_responses) == (
        "indeks-przyjaznego-samorzadu",
        2027,
        3,
    )
    assert [dimension.key for dimension in definition.dimensions()] == [
        "finansowa",
        "pozafinansowa",
        "konsultacje",
        "informacja",
        "lokale",
    ]


def test_without_dimensions_each_question_is_its_own_and_k_defaults_to_three() -> None:
    text = index_definition(2027, dimensions="")
    definition = load_definition(text)
    assert [dimension.items for dimension in definition.dimensions()] == [["q1"], ["q2"], ["q3"]]
    assert definition.min_responses == 3


@pytest.mark.parametrize(
    ("change", "path", "reason"),
    [
        (("min_responses = 3", "min_responses = 1"), "index.min_responses", "greater than or equal to 2"),
        (('items = ["q2", "q3"]', 'items = ["q2"]'), "index.dimensions", "missing: q3"),
        (('items = ["q2", "q3"]', 'items = ["q1", "q3"]'), "index.dimensions[1].items", "'q1' is in dimensions"),
        (('items = ["q2", "q3"]', 'items = ["q2", "q9"]'), "index.dimensions[1].items", "not a scored question"),
        (("require_all = true", "require_all = false"), "pools[0].ballot", "require_all = true"),
        (('kind = "survey"', 'kind = "vote"'), "index", "belongs to a survey"),
    ],
)
def test_a_wrong_index_is_refused_at_its_key(change: tuple[str, str], path: str, reason: str) -> None:
    text = index_definition(2027).replace(*change)
    with pytest.raises(DefinitionError) as caught:
        load_definition(text)
    assert caught.value.params["key_path"] == path
    assert reason in caught.value.params["reason"]
