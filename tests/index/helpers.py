"""Index editions for the tests: a small definition per year and the example's path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.definition import load_definition
from bot.domain import Channel
from bot.services import Services

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "indeks-przyjaznego-samorzadu.toml"

_DIMENSIONS = """
[[index.dimensions]]
key = "finanse"
name = { pl = "Współpraca finansowa", en = "Financial cooperation", uk = "Фінансова співпраця" }
items = ["q1"]

[[index.dimensions]]
key = "dialog"
name = { pl = "Konsultacje i informacja", en = "Consultation and information", uk = "Консультації та інформація" }
items = ["q2", "q3"]
"""


def index_definition(
    year: int,
    *,
    areas: tuple[str, ...] = ("alfa", "beta", "gamma"),
    dimensions: str = _DIMENSIONS,
    min_responses: int = 3,
) -> str:
    """A survey edition ``indeks-YEAR`` of the index ``test-index`` rating ``areas`` on three questions."""
    names = "\n".join(
        f'{area} = {{ pl = "Gmina {area.title()}", en = "{area.title()}", uk = "{area.title()}" }}' for area in areas
    )
    return f"""\
slug = "indeks-{year}"
kind = "survey"
secret = true
results = "after_publish"

[title]
pl = "Indeks {year}"
en = "Index {year}"
uk = "Індекс {year}"

[eligibility]
mode = "declared_district"
area = "municipality"
districts = [{", ".join(f'"{area}"' for area in areas)}]

[eligibility.district_names]
{names}

[index]
key = "test-index"
year = {year}
min_responses = {min_responses}
{dimensions}
[[pools]]
key = "main"
ballot = {{ rule = "score", min_score = 1, max_score = 5, require_all = true }}
counting = {{ rule = "score" }}

[[items]]
key = "q1"
kind = "question"
title = "Dotacje"

[[items]]
key = "q2"
kind = "question"
title = "Konsultacje"

[[items]]
key = "q3"
kind = "question"
title = "Informacja"
"""


def run_edition(services: Services, year: int, answers: dict[str, list[tuple[int, int, int]]], **kwargs: Any) -> str:
    """Import, open, answer (one console person per response: area → [(q1, q2, q3), …]), close and publish the
    edition of ``year``; returns its slug."""
    definition = load_definition(index_definition(year, **kwargs))
    services.processes.import_definition(definition)
    services.processes.open(definition.slug)
    for area, responses in answers.items():
        for n, (q1, q2, q3) in enumerate(responses):
            person = services.people.identify(Channel.CONSOLE, f"ngo-{year}-{area}-{n}")
            services.eligibility.declare_district(definition.slug, person.person_id, area)
            services.voting.cast(definition.slug, person.person_id, f"q1:{q1} q2:{q2} q3:{q3}", Channel.CONSOLE)
    services.processes.close(definition.slug)
    services.processes.publish(definition.slug)
    return definition.slug
