"""``make demo``: a scripted walk through a Warsaw-style budget vote in the console channel.

It runs on a throw-away SQLite file in a temporary folder and a fixed clock, so it shows the same transcript
every time: residents declare districts and vote (one makes a mistake and is told why), the district offices'
paper ballots are entered (a few thousand, so that projects pass the real thresholds: 3,000 votes city-wide and
150 in a district, as in Warsaw), the threshold and the counting rule are explained, and a moderator closes the
vote, looks at the turnout and publishes the results — some projects win, some stay below the threshold, one
does not fit into what is left of the money.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from bot.app import build_app, load_example_organisations
from bot.clock import FakeClock
from bot.config import BotSettings, Settings, StorageSettings
from bot.console import ConsoleChannel
from bot.definition import ProcessDefinition, load_definition_file
from bot.i18n import translator
from bot.services import Services

__all__ = ["PAPER", "SCRIPT", "main", "paper_ballots"]

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "bo-warszawa-2027.toml"
SLUG = "bo2027"

SCRIPT: list[tuple[str, str]] = [
    ("ania", "/start bo2027"),
    ("ania", "/dzielnica wesola"),
    ("ania", "/glosuj city: 1, 2, 3, 4, 5, 6"),
    ("ania", "/glosuj city: 1, 2; wesola: 10, 12"),
    ("jan", "/dzielnica bo2027 wesola"),
    ("jan", "/glosuj bo2027 city: 2, 5; wesola: 12, 13"),
    ("emma", "/language en"),
    ("emma", "/district bo2027 bemowo"),
    ("emma", "/vote bo2027 city: 2; bemowo: 22"),
    ("ania", "/zamknij bo2027"),
]
"""What people type before the paper ballots come in."""

CLOSING: list[tuple[str, str]] = [
    ("moderator", "/frekwencja bo2027"),
    ("moderator", "/zamknij bo2027"),
    ("moderator", "/opublikuj bo2027"),
    ("ania", "/wyniki bo2027"),
]
"""What happens after them: the moderator closes and publishes, a resident reads the results."""

# Votes per project on the paper ballots, chosen so that every outcome shows: city-wide 2, 7 and 1 pass the
# 3,000-vote threshold and fit (7.4 of 9 million zł); 5 passes it but no longer fits (4.8 million); 3, cheaper,
# still fits after it; 4 and 9 stay below the threshold. In Wesoła 12, 10 and 16 win, 11 does not fit, 13 does.
PAPER: dict[str, dict[str, int]] = {
    "city": {"2": 3_600, "7": 3_300, "1": 3_150, "5": 3_050, "3": 3_020, "4": 2_800, "9": 1_200},
    "wesola": {"12": 190, "10": 175, "16": 160, "11": 155, "13": 152, "14": 120},
}
CITY_VOTERS = 4_200  # paper ballots in all; the first WESOLA_VOTERS of them come from Wesoła
WESOLA_VOTERS = 250
MAX_CHOICES = 5  # each pool allows up to five projects on one ballot


def _spread(votes: dict[str, int], voters: int) -> list[list[str]]:
    """``voters`` ballots that together give each project its ``votes``, at most :data:`MAX_CHOICES` each."""
    ballots: list[list[str]] = [[] for _ in range(voters)]
    turn = 0
    for key, count in votes.items():
        for _ in range(count):
            while len(ballots[turn % voters]) >= MAX_CHOICES or key in ballots[turn % voters]:
                turn += 1
            ballots[turn % voters].append(key)
            turn += 1
    return ballots


def paper_ballots() -> Iterator[tuple[dict[str, list[str]], str | None]]:
    """The paper ballots of :data:`PAPER`: (ballot, district) pairs."""
    city = _spread(PAPER["city"], CITY_VOTERS)
    wesola = _spread(PAPER["wesola"], WESOLA_VOTERS)
    for number, chosen in enumerate(city):
        if number < WESOLA_VOTERS:
            yield {"city": chosen, "wesola": wesola[number]}, "wesola"
        else:
            yield {"city": chosen}, None


def _enter_paper(services: Services, moderator_id: int) -> int:
    """Enter every paper ballot in one unit of work (one transaction); returns how many."""
    count = 0
    with services.context.unit():
        for ballot, district in paper_ballots():
            services.voting.cast_paper(
                SLUG, {k: v for k, v in ballot.items() if v}, district=district, actor_id=moderator_id
            )
            count += 1
    return count


def _thresholds(definition: ProcessDefinition) -> tuple[int, int]:
    """The minimum votes of the city-wide pool and of a district pool."""
    city = next(pool for pool in definition.pools if pool.district is None)
    district = next(pool for pool in definition.pools if pool.district is not None)
    return city.counting.min_votes or 0, district.counting.min_votes or 0


def main() -> None:
    """Print the transcript."""
    t = translator("pl")
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            bot=BotSettings(admins=["console:moderator"]),
            storage=StorageSettings(url=f"sqlite:///{Path(folder) / 'demo.db'}"),
        )
        clock = FakeClock(datetime(2027, 6, 16, 9, 0, tzinfo=UTC))
        app = build_app(settings, clock=clock, secret=b"demo-secret-key-0123456789abcdef")
        load_example_organisations(app.services, EXAMPLE.parent)
        definition = load_definition_file(EXAMPLE)
        app.services.processes.import_definition(definition)
        app.services.processes.open(SLUG)
        people: dict[str, ConsoleChannel] = {}

        def play(script: list[tuple[str, str]]) -> None:
            for user, line in script:
                channel = people.setdefault(
                    user, ConsoleChannel(app.services, app.commands, user, downloads=Path(folder))
                )
                print(f"\n{user}> {line}")
                for reply in channel.handle(line):
                    print(reply)

        play(SCRIPT)
        moderator = people.setdefault(
            "moderator", ConsoleChannel(app.services, app.commands, "moderator", downloads=Path(folder))
        )
        count = _enter_paper(app.services, moderator.caller().person_id)
        city, district = _thresholds(definition)
        print("\n# " + t("demo.paper", count=count))
        print("# " + t("demo.threshold", city=city, district=district))
        play(CLOSING)
        app.close()


if __name__ == "__main__":
    main()
