"""What residents type in chat and NGO members write in e-mail becomes a ballot, and a ballot becomes text."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.ballot_rules import CHOICE_RULES, validate_ballot
from bot.ballot_text import format_ballot_text, parse_ballot_text
from bot.definition import ProcessDefinition, load_definition
from bot.domain import Answer, Ballot, BallotRuleKind
from bot.errors import BallotError, InputError

YES, NO, ABSTAIN = Answer.YES, Answer.NO, Answer.ABSTAIN


@pytest.mark.parametrize(
    "text",
    [
        "city: 1, 2; wesola: 12",
        "city: 1,2\nwesola: 12",
        "CITY: 1 2\r\nWesoła: 12",
        "City:1;2;Wesola:12",
        "1, 2, 12",  # no prefix: each project goes to its own pool
        "city = 1, 2\n\nwesola = 12.",
    ],
)
def test_project_numbers_with_and_without_pool_prefixes(warsaw: ProcessDefinition, text: str) -> None:
    assert parse_ballot_text(warsaw, text, district="wesola") == {"city": ["1", "2"], "wesola": ["12"]}


def test_project_numbers_keep_the_typed_order_and_a_final_full_stop_is_ignored(warsaw: ProcessDefinition) -> None:
    assert parse_ballot_text(warsaw, "2, 5, 7.") == {"city": ["2", "5", "7"]}
    assert parse_ballot_text(warsaw, "7 5 2") == {"city": ["7", "5", "2"]}


def test_repeated_numbers_are_kept_for_the_rules_to_refuse(warsaw: ProcessDefinition) -> None:
    ballot = parse_ballot_text(warsaw, "city: 1, 1")
    assert ballot == {"city": ["1", "1"]}
    with pytest.raises(BallotError) as caught:
        validate_ballot(warsaw, ballot)
    assert caught.value.key == "ballot.duplicate"


@pytest.mark.parametrize(
    ("text", "answers"),
    [
        ("uchwala1: TAK\nuchwala2: NIE\nuchwala3: WSTRZYMUJĘ SIĘ", (YES, NO, ABSTAIN)),
        ("uchwala1: tak, uchwala2: nie, uchwala3: wstrzymuje sie", (YES, NO, ABSTAIN)),
        ("Uchwała1: ZA; uchwała2: PRZECIW; uchwała3: Wstrzymuję się.", (YES, NO, ABSTAIN)),
        ("uchwala1: yes\nuchwala2: No\nuchwala3: ABSTAIN", (YES, NO, ABSTAIN)),
        ("uchwala1 TAK\nuchwala2 NIE\nuchwala3 WSTRZYMUJE", (YES, NO, ABSTAIN)),
        ("uchwala1 = za  uchwala2 = za  uchwala3 = przeciw", (YES, YES, NO)),
        ("main: uchwala1: NIE, uchwala2: TAK, uchwala3: TAK", (NO, YES, YES)),
    ],
)
def test_answers_to_several_resolutions(resolutions: ProcessDefinition, text: str, answers: tuple[Answer, ...]) -> None:
    expected = dict(zip(["uchwala1", "uchwala2", "uchwala3"], answers, strict=True))
    assert parse_ballot_text(resolutions, text) == {"main": expected}


SINGLE_QUESTION = """\
slug = "pytanie"
kind = "vote"
title = "Czy popierasz?"
[[pools]]
ballot = { rule = "yes_no_abstain" }
counting = { rule = "majority" }
[[items]]
key = "q"
title = "Czy popierasz budowę parku?"
"""


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("TAK", YES),
        ("tak", YES),
        ("Za.", YES),
        ("yes", YES),
        ("NIE", NO),
        ("przeciw", NO),
        ("no", NO),
        ("WSTRZYMUJĘ SIĘ", ABSTAIN),
        ("wstrzymuje sie", ABSTAIN),
        ("Wstrzymuję się od głosu", ABSTAIN),
        ("abstain", ABSTAIN),
        ("  tak\n", YES),
    ],
)
def test_a_lone_answer_when_there_is_one_question(text: str, answer: Answer) -> None:
    definition = load_definition(SINGLE_QUESTION)
    assert parse_ballot_text(definition, text) == {"main": {"q": answer}}


def test_a_lone_answer_with_several_questions_is_not_understood(resolutions: ProcessDefinition) -> None:
    with pytest.raises(InputError) as caught:
        parse_ballot_text(resolutions, "TAK")
    assert (caught.value.key, caught.value.params["fragment"]) == ("ballot.unparseable", "TAK")


def test_points_and_scores(survey: ProcessDefinition, every_rule: ProcessDefinition) -> None:
    assert parse_ballot_text(survey, "k1:5 k2:4 k3=3, k4: 2; K5:1\nk6: 5") == {
        "main": {"k1": 5, "k2": 4, "k3": 3, "k4": 2, "k5": 1, "k6": 5}
    }
    assert parse_ballot_text(every_rule, "points: p1:3 p3:2") == {"points": {"p1": 3, "p3": 2}}
    assert parse_ballot_text(every_rule, "p1:3 p3:-1") == {"points": {"p1": 3, "p3": -1}}


def test_the_same_item_scored_twice_is_refused(survey: ProcessDefinition) -> None:
    with pytest.raises(BallotError) as caught:
        parse_ballot_text(survey, "k1: 3 k1: 4")
    assert (caught.value.key, caught.value.params["item"]) == ("ballot.duplicate", "k1")


@pytest.mark.parametrize("text", ["3 > 1 > 2", "3>1>2", "miasto: 3 > 1 > 2", "3, 1, 2"])
def test_a_ranking_keeps_the_order(krakow: ProcessDefinition, text: str) -> None:
    assert parse_ballot_text(krakow, text) == {"miasto": ["3", "1", "2"]}


def test_rankings_in_two_pools(krakow: ProcessDefinition) -> None:
    ballot = parse_ballot_text(krakow, "miasto: 3 > 1 > 2; Nowa-Huta: 33 > 31 > 32", district="nowa-huta")
    assert ballot == {"miasto": ["3", "1", "2"], "nowa-huta": ["33", "31", "32"]}
    assert validate_ballot(krakow, ballot, district="nowa-huta") == ballot


def test_items_of_another_district_are_parsed_and_refused_by_the_rules(warsaw: ProcessDefinition) -> None:
    ballot = parse_ballot_text(warsaw, "1, 20", district="wesola")
    assert ballot == {"city": ["1"], "bemowo": ["20"]}
    with pytest.raises(BallotError) as caught:
        validate_ballot(warsaw, ballot, district="wesola")
    assert caught.value.key == "ballot.other_district"


def test_an_empty_message_is_an_empty_ballot(warsaw: ProcessDefinition) -> None:
    assert parse_ballot_text(warsaw, "  \n ") == {}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("głosuję na 2", "głosuję"),
        ("city: 1 § 2", "§"),
        ("???", "???"),
        ("1:3", "1:3"),  # points in a pool of choices
        ("city: 1, 2 :", "2 :"),
        ("> 1", ">"),
        ("uchwala1:", "uchwala1:"),
        ("uchwala1: może", "uchwala1: może"),
    ],
)
def test_garbage_names_the_fragment_not_understood(
    warsaw: ProcessDefinition, resolutions: ProcessDefinition, text: str, fragment: str
) -> None:
    definition = resolutions if text.startswith("uchwala") else warsaw
    with pytest.raises(InputError) as caught:
        parse_ballot_text(definition, text)
    assert caught.value.key == "ballot.unparseable"
    assert caught.value.params["fragment"] == fragment


def test_unknown_numbers_and_pools_are_named(warsaw: ProcessDefinition) -> None:
    with pytest.raises(BallotError) as item:
        parse_ballot_text(warsaw, "2, 999")
    assert (item.value.key, item.value.params["item"]) == ("ballot.unknown_item", "999")
    with pytest.raises(BallotError) as pool:
        parse_ballot_text(warsaw, "mokotow: 1")
    assert (pool.value.key, pool.value.params["pool"]) == ("ballot.unknown_pool", "mokotow")
    # under a known pool an unknown number is left for the rules, which say which pool it is not in
    assert parse_ballot_text(warsaw, "city: 999") == {"city": ["999"]}


def test_format_writes_one_line_per_pool_in_polish_or_english(
    warsaw: ProcessDefinition, resolutions: ProcessDefinition, krakow: ProcessDefinition
) -> None:
    assert format_ballot_text(warsaw, {"wesola": ["12"], "city": ["1", "2"]}) == "city: 1, 2\nwesola: 12"
    answers: dict[str, str] = {"uchwala1": YES, "uchwala2": ABSTAIN}
    ballot: Ballot = {"main": answers}
    # items whose keys are no numbers are written with the numbers people see (and the parser reads back)
    assert format_ballot_text(resolutions, ballot) == "1: TAK, 2: WSTRZYMUJĘ SIĘ"
    assert format_ballot_text(resolutions, ballot, language="en") == "1: YES, 2: ABSTAIN"
    assert format_ballot_text(resolutions, ballot, language="uk") == "1: ТАК, 2: УТРИМУЮСЬ"
    assert parse_ballot_text(resolutions, "1: TAK, 2: WSTRZYMUJĘ SIĘ") == ballot
    assert format_ballot_text(krakow, {"miasto": ["3", "1", "2"]}) == "miasto: 3 > 1 > 2"
    with pytest.raises(BallotError):
        format_ballot_text(warsaw, {"mokotow": ["1"]})


TRICKY_KEYS = """\
slug = "trudne-klucze"
kind = "vote"
title = "Klucze, które wyglądają jak odpowiedzi albo mają kropki"

[[pools]]
key = "lista"
ballot = { rule = "up_to", max = 9 }
counting = { rule = "approval" }

[[pools]]
key = "Glosy"
ballot = { rule = "yes_no_abstain" }
counting = { rule = "majority" }

[[pools]]
key = "pkt"
ballot = { rule = "cumulative", max_total = 99 }
counting = { rule = "points" }

[[items]]
key = "No"
pool = "lista"
title = "Pozycja o nazwie No"

[[items]]
key = "7."
pool = "lista"
title = "Siedem z kropką"

[[items]]
key = "7"
pool = "lista"
title = "Siedem"

[[items]]
key = "a.b/c-d"
pool = "lista"
title = "Kropki, ukośnik i myślnik"

[[items]]
key = "tak"
pool = "Glosy"
title = "Pytanie o nazwie tak"

[[items]]
key = "Q_2"
pool = "Glosy"
title = "Drugie pytanie"

[[items]]
key = "za"
pool = "pkt"
title = "Punkty dla za"

[[items]]
key = "99"
pool = "pkt"
title = "Punkty dla 99"
"""


@pytest.fixture(scope="module")
def tricky() -> ProcessDefinition:
    return load_definition(TRICKY_KEYS)


def _vote(draw: st.DrawFn, definition: ProcessDefinition, pool_key: str) -> Any:
    """A non-empty pool vote of the right shape (not necessarily valid under the rule: the parser does not care)."""
    pool = definition.pool(pool_key)
    keys = [item.key for item in definition.items_of(pool_key)]
    kind = pool.ballot.rule
    if kind in CHOICE_RULES or kind is BallotRuleKind.RANKING:
        chosen = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=len(keys) + 1))
        return chosen
    chosen = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=len(keys), unique=True))
    if kind is BallotRuleKind.YES_NO_ABSTAIN:
        return {key: draw(st.sampled_from(list(Answer))) for key in chosen}
    return {key: draw(st.integers(min_value=-20, max_value=10_000)) for key in chosen}


@st.composite
def _ballots(draw: st.DrawFn, definition: ProcessDefinition) -> Ballot:
    pools = [pool.key for pool in definition.pools]
    chosen = draw(st.lists(st.sampled_from(pools), min_size=1, max_size=len(pools), unique=True))
    return {pool: _vote(draw, definition, pool) for pool in chosen}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_parse_of_format_gives_the_ballot_back(
    data: st.DataObject, all_definitions: dict[str, ProcessDefinition], tricky: ProcessDefinition
) -> None:
    definitions = {**all_definitions, "tricky": tricky}
    definition = definitions[data.draw(st.sampled_from(sorted(definitions)), label="definition")]
    ballot = data.draw(_ballots(definition), label="ballot")
    language = data.draw(st.sampled_from(["pl", "en"]), label="language")
    text = format_ballot_text(definition, ballot, language=language)
    assert parse_ballot_text(definition, text) == ballot, text


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=40))
def test_any_text_is_parsed_or_refused_with_a_message_key(text: str) -> None:
    definition = load_definition(TRICKY_KEYS)
    try:
        ballot = parse_ballot_text(definition, text)
    except (InputError, BallotError) as error:
        assert error.key.startswith("ballot.")
    else:
        assert isinstance(ballot, dict)
