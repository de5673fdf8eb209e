"""Every instruction's "e.g." is accepted: for every example process, in every language, the example ballot of
/proces (for every district) is read by the parser and is a valid ballot under the process's own rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.ballot_rules import validate_ballot
from bot.ballot_text import parse_ballot_text
from bot.definition.loader import load_definition_file
from bot.domain import ProcessKind
from bot.i18n import LANGUAGES
from bot.views.examples import example_ballot

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.toml"))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_the_example_of_every_process_is_accepted(path: Path, language: str) -> None:
    definition = load_definition_file(path)
    if definition.kind is ProcessKind.CONSULTATION:
        return
    for district in definition.eligibility.districts or [None]:
        example = example_ballot(definition, language, district)
        ballot = parse_ballot_text(definition, example, district=district)
        assert ballot, example
        validate_ballot(definition, ballot, district=district)
