"""The index across years on a real store: means, intervals, ranks, changes, and nothing below min_responses."""

from __future__ import annotations

import math

import pytest

from bot.errors import NotFound
from bot.services import Services
from tests.index.helpers import run_edition

# (q1, q2, q3): q1 is the dimension "finanse", q2 and q3 "dialog"; overall = mean of the two dimension scores
Y2026 = {"alfa": [(5, 5, 5), (4, 4, 4), (3, 3, 3)], "beta": [(2, 2, 2), (2, 3, 3), (3, 2, 2)], "gamma": [(5, 5, 5)]}
Y2027 = {"alfa": [(5, 4, 4), (5, 5, 5), (4, 4, 4)], "beta": [(1, 1, 1), (2, 2, 2)], "gamma": [(4, 4, 4)] * 3}


def test_two_editions_give_figures_ranks_and_changes(services: Services) -> None:
    run_edition(services, 2026, Y2026)
    run_edition(services, 2027, Y2027)
    history = services.index.history("test-index")
    assert [edition.year for edition in history.editions] == [2026, 2027]
    first, second = history.editions
    # 2026: alfa 4.0 (4, 5, 3 → s = 1), beta 7/3, gamma withheld (1 response)
    alfa = first.area("alfa")
    assert alfa is not None and alfa.rank == 1 and alfa.overall.responses == 3
    assert alfa.overall.mean == pytest.approx(4.0)
    half = 4.303 * 1 / math.sqrt(3)
    assert alfa.overall.low == pytest.approx(4 - half) and alfa.overall.high == 5.0  # 6.48, cut to the 1–5 scale
    beta = first.area("beta")
    assert beta is not None and beta.rank == 2
    assert beta.overall.mean == pytest.approx((2 + 2.5 + 2.5) / 3)
    assert beta.dimensions["finanse"].mean == pytest.approx(7 / 3) == beta.dimensions["dialog"].mean
    gamma = first.area("gamma")
    assert gamma is not None and not gamma.published and gamma.rank is None
    assert gamma.overall.responses is None and all(not figure.published for figure in gamma.dimensions.values())
    assert [entry.area for entry in first.areas] == ["alfa", "beta", "gamma"]
    # 2027: gamma 4.0 (first published year: no change), alfa ≈ 4.5, beta withheld (2 responses)
    alfa27, gamma27, beta27 = (second.area(key) for key in ("alfa", "gamma", "beta"))
    assert alfa27 is not None and gamma27 is not None and beta27 is not None
    assert [entry.area for entry in second.areas] == ["alfa", "gamma", "beta"]
    assert alfa27.overall.mean == pytest.approx(((5 + 4) / 2 + 5 + 4) / 3)
    assert alfa27.overall.change == pytest.approx(alfa27.overall.mean - 4.0)
    assert alfa27.dimensions["finanse"].change == pytest.approx(14 / 3 - 4.0)
    assert gamma27.overall.change is None and gamma27.overall.low == gamma27.overall.high == 4.0
    assert not beta27.published
    # the survey's own figure by area (/wyniki, its page) is the index's: the mean of the dimensions (4.5), not of
    # the three questions (40/9), which would weigh "dialog" twice
    by_area = {entry.district: entry for entry in services.results.results("indeks-2027").by_district}
    assert by_area["alfa"].index is not None and float(by_area["alfa"].index) == pytest.approx(4.5)
    assert [(year, entry.published) for year, entry in history.history("beta")] == [(2026, True), (2027, False)]


def test_open_data_rows_carry_nothing_of_a_withheld_municipality(services: Services) -> None:
    run_edition(services, 2026, Y2026)
    rows = list(services.index.history("test-index").rows())
    assert len(rows) == 3 * 3  # areas × (overall + 2 dimensions)
    gamma = [row for row in rows if row["area"] == "gamma"]
    assert all(set(row) == {"index", "year", "process", "area", "dimension", "rank", "published"} for row in gamma)
    assert all(row["published"] is False and row["rank"] is None for row in gamma)
    alfa = next(row for row in rows if row["area"] == "alfa" and row["dimension"] == "overall")
    assert alfa == {
        "index": "test-index",
        "year": 2026,
        "process": "indeks-2026",
        "area": "alfa",
        "dimension": "overall",
        "rank": 1,
        "published": True,
        "responses": 3,
        "mean": 4.0,
        "ci95_low": round(4 - 4.303 / math.sqrt(3), 3),
        "ci95_high": 5.0,
        "change": None,
    }


def test_an_edition_counts_once_its_results_are_public(services: Services) -> None:
    run_edition(services, 2026, Y2026)
    from bot.definition import load_definition
    from tests.index.helpers import index_definition

    draft = load_definition(index_definition(2027))
    services.processes.import_definition(draft)
    services.processes.open(draft.slug)
    assert [edition.year for edition in services.index.history("test-index").editions] == [2026]
    services.processes.close(draft.slug)  # closed, not published: moderators check it, nobody else sees it
    assert [edition.year for edition in services.index.history("test-index").editions] == [2026]
    assert [edition.year for edition in services.index.history("test-index", moderator=True).editions] == [2026, 2027]
    assert services.index.index_keys() == ["test-index"]
    with pytest.raises(NotFound):
        services.index.history("no-such-index")
    with pytest.raises(NotFound):
        services.index.history("test-index").edition(2031)


def test_a_new_ballot_recounts_only_through_the_stamp(services: Services) -> None:
    slug = run_edition(services, 2026, Y2026)
    first = services.index.history("test-index")
    again = services.index.history("test-index")
    assert again.editions[0].areas == first.editions[0].areas
    assert services.index.history("test-index").editions[0].slug == slug


def test_live_results_of_a_secret_edition_are_counted_from_sealed_ballots(services: Services) -> None:
    from bot.definition import load_definition
    from bot.domain import Channel
    from tests.index.helpers import index_definition

    definition = load_definition(index_definition(2027).replace('results = "after_publish"', 'results = "live"'))
    services.processes.import_definition(definition)
    services.processes.open(definition.slug)
    for n in range(3):
        person = services.people.identify(Channel.CONSOLE, f"ngo-live-{n}")
        services.eligibility.declare_district(definition.slug, person.person_id, "beta")
        services.voting.cast(definition.slug, person.person_id, "q1:4 q2:4 q3:4", Channel.CONSOLE)
    beta = services.index.history("test-index").latest.area("beta")  # open, sealed, and already public
    assert beta is not None and beta.overall.mean == 4.0 and beta.overall.responses == 3
