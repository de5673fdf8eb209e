"""``make demo``: a scripted walk through a Warsaw-style budget vote in the console channel.

It runs on a throw-away SQLite file in a temporary folder and a fixed clock, so it shows the same transcript
every time: residents declare districts and vote (one makes a mistake and is told why), a moderator closes the
vote, looks at the results, and publishes them.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bot.app import build_app
from bot.clock import FakeClock
from bot.config import BotSettings, Settings, StorageSettings
from bot.console import ConsoleChannel
from bot.definition import load_definition_file

__all__ = ["SCRIPT", "main"]

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "bo-warszawa-2027.toml"

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
    ("moderator", "/frekwencja bo2027"),
    ("moderator", "/zamknij bo2027"),
    ("moderator", "/opublikuj bo2027"),
    ("ania", "/wyniki bo2027"),
]


def main() -> None:
    """Print the transcript."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            bot=BotSettings(admins=["console:moderator"]),
            storage=StorageSettings(url=f"sqlite:///{Path(folder) / 'demo.db'}"),
        )
        clock = FakeClock(datetime(2027, 6, 16, 9, 0, tzinfo=UTC))
        app = build_app(settings, clock=clock, secret=b"demo-secret-key-0123456789abcdef")
        app.services.processes.import_definition(load_definition_file(EXAMPLE))
        app.services.processes.open("bo2027")
        people: dict[str, ConsoleChannel] = {}
        for user, line in SCRIPT:
            channel = people.setdefault(user, ConsoleChannel(app.services, app.commands, user, downloads=Path(folder)))
            print(f"\n{user}> {line}")
            for reply in channel.handle(line):
                print(reply)
        app.close()


if __name__ == "__main__":
    main()
