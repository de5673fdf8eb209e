"""Definitions for the ballot tests: the examples, and one process with a pool of every ballot rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.definition import ProcessDefinition, load_definition, load_definition_file

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

EVERY_RULE = """\
slug = "wszystkie-reguly"
kind = "vote"
title = "Każda reguła głosu"

[eligibility]
mode = "declared_district"
districts = ["north", "south"]

[[pools]]
key = "one"
ballot = { rule = "one_of" }
counting = { rule = "plurality" }

[[pools]]
key = "upto"
ballot = { rule = "up_to", max = 2 }
counting = { rule = "approval" }

[[pools]]
key = "exact"
ballot = { rule = "exactly", max = 2 }
counting = { rule = "approval" }

[[pools]]
key = "range"
ballot = { rule = "min_max", min = 2, max = 3 }
counting = { rule = "approval" }

[[pools]]
key = "budget"
budget = 100_000
ballot = { rule = "within_budget", max = 3 }
counting = { rule = "greedy" }

[[pools]]
key = "points"
ballot = { rule = "cumulative", max_total = 5, max_per_item = 3 }
counting = { rule = "points" }

[[pools]]
key = "score"
ballot = { rule = "score", min_score = 1, max_score = 5, require_all = true }
counting = { rule = "score" }

[[pools]]
key = "rank"
ballot = { rule = "ranking", min = 2, weights = [3, 2, 1] }
counting = { rule = "points" }

[[pools]]
key = "rank3"
ballot = { rule = "ranking", min = 3, max = 3 }
counting = { rule = "borda" }

[[pools]]
key = "yn"
ballot = { rule = "yes_no_abstain", require_all = true }
counting = { rule = "majority" }

[[pools]]
key = "north"
district = "north"
ballot = { rule = "up_to", max = 1 }
counting = { rule = "plurality" }

[[pools]]
key = "south"
district = "south"
ballot = { rule = "up_to", max = 1 }
counting = { rule = "plurality" }
"""

# item keys per pool: short letters + numbers, so that a test reads "b2" as "item 2 of the budget pool"
_ITEMS = {
    "one": ["o1", "o2", "o3"],
    "upto": ["u1", "u2", "u3"],
    "exact": ["e1", "e2", "e3"],
    "range": ["r1", "r2", "r3", "r4"],
    "budget": ["b1", "b2", "b3", "b4"],
    "points": ["p1", "p2", "p3"],
    "score": ["s1", "s2", "s3"],
    "rank": ["k1", "k2", "k3", "k4"],
    "rank3": ["t1", "t2", "t3", "t4"],
    "yn": ["q1", "q2"],
    "north": ["n1", "n2"],
    "south": ["x1", "x2"],
}
_COSTS = {"b1": 40_000, "b2": 50_000, "b3": 30_000, "b4": 70_000}


def every_rule_text() -> str:
    """The TOML of the every-rule process."""
    blocks = [EVERY_RULE]
    for pool, keys in _ITEMS.items():
        for key in keys:
            cost = f"cost = {_COSTS[key]}\n" if key in _COSTS else ""
            blocks.append(f'[[items]]\nkey = "{key}"\npool = "{pool}"\ntitle = "Pozycja {key}"\n{cost}')
    return "\n".join(blocks)


@pytest.fixture(scope="session")
def every_rule() -> ProcessDefinition:
    """One process with a pool for every ballot rule (and two district pools)."""
    return load_definition(every_rule_text(), "every-rule.toml")


@pytest.fixture(scope="session")
def warsaw() -> ProcessDefinition:
    return load_definition_file(EXAMPLES / "bo-warszawa-2027.toml")


@pytest.fixture(scope="session")
def krakow() -> ProcessDefinition:
    return load_definition_file(EXAMPLES / "bo-krakow-2027.toml")


@pytest.fixture(scope="session")
def resolutions() -> ProcessDefinition:
    return load_definition_file(EXAMPLES / "uchwala-tak-nie.toml")


@pytest.fixture(scope="session")
def survey() -> ProcessDefinition:
    return load_definition_file(EXAMPLES / "indeks-przyjaznego-samorzadu.toml")


class Definitions(dict[str, ProcessDefinition]):
    """Definitions by name, with a short repr (hypothesis prints the arguments of a failing example)."""

    def __repr__(self) -> str:
        return f"<definitions {sorted(self)}>"


@pytest.fixture(scope="session")
def all_definitions(every_rule: ProcessDefinition) -> Definitions:
    """Every example with pools, and the every-rule process."""
    named = Definitions({path.stem: load_definition_file(path) for path in sorted(EXAMPLES.glob("*.toml"))})
    for stem in [stem for stem, definition in named.items() if not definition.pools]:
        del named[stem]
    named["every-rule"] = every_rule
    return named
