"""Every example in ``examples/`` loads and says what its comment promises; the loader finds every key's line."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.definition import ProcessDefinition, load_definition_file
from bot.definition.loader import _Positions
from bot.domain import BallotRuleKind, CountingRuleKind, EligibilityMode, ItemKind, ProcessKind

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FILES = sorted(EXAMPLES.glob("*.toml"))


def example(stem: str) -> ProcessDefinition:
    return load_definition_file(EXAMPLES / f"{stem}.toml")


def test_all_seven_examples_are_there() -> None:
    assert {path.stem for path in FILES} >= {
        "bo-warszawa-2027",
        "bo-krakow-2027",
        "zielony-budzet-wieliczka",
        "konsultacje-program-wspolpracy-2027",
        "indeks-przyjaznego-samorzadu",
        "sondaz-deliberatywny-transport",
        "uchwala-tak-nie",
    }


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_example_loads_with_polish_and_english_texts_and_2027_dates(path: Path) -> None:
    definition = load_definition_file(path)
    assert definition.title.pl and definition.title.en and definition.title.pl != definition.title.en
    for item in definition.items:
        assert item.title.en, f"{item.key} has no English title"
    assert definition.opens_at is not None and definition.closes_at is not None
    for moment in (definition.opens_at, definition.closes_at):
        assert moment.year == 2027
        offset = moment.utcoffset()
        assert offset is not None and offset.total_seconds() in (3600, 7200)


def test_warsaw_budget_has_a_city_pool_and_district_pools_one_district_per_voter() -> None:
    definition = example("bo-warszawa-2027")
    assert definition.kind is ProcessKind.BUDGET and definition.secret
    assert definition.eligibility.mode is EligibilityMode.DECLARED_DISTRICT
    city = definition.pool("city")
    assert city.district is None
    assert (city.ballot.rule, city.ballot.max) == (BallotRuleKind.UP_TO, 5)
    assert (city.counting.rule, city.counting.min_votes) == (CountingRuleKind.GREEDY, 3000)
    districts = [pool for pool in definition.pools if pool.district is not None]
    assert {pool.district for pool in districts} >= {"bemowo", "wesola", "ursynow"}
    for pool in districts:
        assert (pool.ballot.rule, pool.ballot.max) == (BallotRuleKind.UP_TO, 5)
        assert (pool.counting.rule, pool.counting.min_votes) == (CountingRuleKind.GREEDY, 150)
    for pool in definition.pools:
        projects = definition.items_of(pool.key)
        assert 6 <= len(projects) <= 10, pool.key
        assert all(item.kind is ItemKind.PROJECT and item.cost and item.cost > 0 for item in projects)
        # not every project can win: otherwise the vote would decide nothing
        assert pool.budget is not None and sum(item.cost or Decimal(0) for item in projects) > pool.budget


def test_krakow_budget_ranks_exactly_three_worth_three_two_one_points_counted_greedily() -> None:
    definition = example("bo-krakow-2027")
    assert len(definition.pools) >= 2
    for pool in definition.pools:
        assert pool.ballot.rule is BallotRuleKind.RANKING
        assert (pool.ballot.min, pool.ballot.max, pool.ballot.weights) == (3, 3, [3, 2, 1])
        assert pool.counting.rule is CountingRuleKind.GREEDY
        projects = definition.items_of(pool.key)
        assert len(projects) >= 6
        # not every project can win: otherwise the vote would decide nothing
        assert pool.budget is not None and sum(item.cost or Decimal(0) for item in projects) > pool.budget


def test_green_budget_is_approval_counted_by_equal_shares_with_add1() -> None:
    definition = example("zielony-budzet-wieliczka")
    (pool,) = definition.pools
    assert (pool.ballot.rule, pool.ballot.min, pool.ballot.max) == (BallotRuleKind.MIN_MAX, 1, None)
    assert (pool.counting.rule, pool.counting.add1) == (CountingRuleKind.MES, True)


def test_consultation_has_eight_numbered_sections_of_the_cooperation_programme() -> None:
    definition = example("konsultacje-program-wspolpracy-2027")
    assert definition.kind is ProcessKind.CONSULTATION
    sections = definition.sections()
    assert [section.number for section in sections] == [f"§{n}" for n in range(1, 9)]
    assert "Programu współpracy" in definition.title.pl and "2027" in definition.title.pl
    assert sections[5].title.pl == "Priorytetowe zadania publiczne"
    assert all(section.text and len(section.text.pl) > 40 for section in sections)


def test_survey_rates_every_criterion_one_to_five_per_municipality() -> None:
    definition = example("indeks-przyjaznego-samorzadu")
    assert definition.kind is ProcessKind.SURVEY
    assert definition.eligibility.mode is EligibilityMode.DECLARED_DISTRICT
    assert len(definition.eligibility.districts) >= 3
    assert all(name.pl.startswith("Gmin") for name in definition.eligibility.district_names.values())
    (pool,) = definition.pools
    rule = pool.ballot
    assert (rule.rule, rule.min_score, rule.max_score, rule.require_all) == (BallotRuleKind.SCORE, 1, 5, True)
    assert pool.counting.rule is CountingRuleKind.SCORE
    assert len(definition.items_of(pool.key)) == 6


def test_deliberative_poll_asks_the_same_statements_twice() -> None:
    definition = example("sondaz-deliberatywny-transport")
    assert (definition.kind, definition.rounds) == (ProcessKind.DELIBERATIVE_POLL, 2)
    (pool,) = definition.pools
    assert pool.ballot.rule is BallotRuleKind.SCORE and pool.counting.rule is CountingRuleKind.SCORE
    assert [item.kind for item in definition.items] == [ItemKind.STATEMENT] * 4


def test_resolution_vote_is_yes_no_abstain_by_majority_for_the_roster() -> None:
    definition = example("uchwala-tak-nie")
    assert definition.eligibility.mode is EligibilityMode.ROSTER
    (pool,) = definition.pools
    assert pool.ballot.rule is BallotRuleKind.YES_NO_ABSTAIN
    assert pool.counting.rule is CountingRuleKind.MAJORITY


def _paths(data: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every key path of parsed TOML with its value."""
    children = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for name, value in children:
        yield (*path, name), value
        yield from _paths(value, (*path, name))


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_every_key_of_every_example_is_found_on_its_own_line(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    positions = _Positions.scan(text)
    for key_path, value in _paths(tomllib.loads(text)):
        assert key_path in positions.lines, key_path
        written = lines[positions.lines[key_path] - 1]
        last = key_path[-1]
        if isinstance(last, str):
            assert last in written, (key_path, written)
        elif isinstance(value, dict):  # an element of an array of tables starts at its [[header]]
            header = ".".join(part for part in key_path[:-1] if isinstance(part, str))  # [[index.dimensions]]
            assert written == f"[[{header}]]", (key_path, written)
        else:  # an element of a plain array is written on its line
            shown = f'"{value}"' if isinstance(value, str) else str(value)
            assert shown in written, (key_path, written)
