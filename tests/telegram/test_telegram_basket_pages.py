"""A district pool of 137 projects — the size of Warszawa 2020 Wawer — through the real bot and the emulator.

One button per project made a keyboard of 147 buttons, which Telegram refuses (at most 100): that resident could
never open the basket. The basket now shows 20 projects a page with ◀ ▶ and "strona 2/7", keeps the running
cost on every page, and jumps to the page of a project added or removed. The projects (titles and costs) are real
ones from pabulib (Kraków 2024, 119 city-wide projects, then Stare Miasto 2024) when the data is beside the
repository; otherwise generated ones.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from bot.clock import FakeClock
from bot.definition.loader import load_definition
from bot.domain import Channel
from bot.services import Services
from bot.views.labels import label
from handlers.emulator import Emulator
from handlers.emulator.harness import Harness
from handlers.limits import MAX_BUTTONS, MAX_CALLBACK_DATA, MAX_ROW

POOL_SIZE = 137
PABULIB = ("Poland_Krakow_2024.pb", "Poland_Krakow_2024_Stare_Miasto.pb")


def _pabulib_dir() -> Path:
    configured = os.environ.get("GLOS_PABULIB_DIR")
    return (
        Path(configured) if configured else Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "pabulib"
    )


def _real_projects() -> Iterator[tuple[str, int]]:
    """(name, cost) of each project in the pabulib files, in file order."""
    for name in PABULIB:
        path = _pabulib_dir() / name
        if not path.is_file():
            return
        section, header = "", []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line in ("META", "PROJECTS", "VOTES"):
                section, header = line, []
            elif section == "PROJECTS" and not header:
                header = line.split(";")
            elif section == "PROJECTS":
                row = dict(zip(header, line.split(";"), strict=False))
                yield row["name"].strip(), int(float(row["cost"]))


def _projects() -> list[tuple[str, int]]:
    real = list(_real_projects())[:POOL_SIZE]
    generated = [(f"Projekt osiedlowy nr {n}", 50_000 + 1_000 * n) for n in range(len(real) + 1, POOL_SIZE + 1)]
    return real + generated


def _definition(projects: list[tuple[str, int]]) -> str:
    lines = [
        'slug = "wawer2020"',
        'kind = "budget"',
        "secret = true",
        'results = "after_publish"',
        "opens_at = 2027-06-15T08:00:00+02:00",
        "closes_at = 2027-06-30T23:59:00+02:00",
        '[title]\npl = "Budżet obywatelski Wawer"\nen = "Wawer participatory budget"',
        '[eligibility]\nmode = "open"',
        '[[pools]]\nkey = "wawer"\nname = { pl = "Wawer", en = "Wawer" }\nbudget = 9_200_000',
        'ballot = { rule = "up_to", max = 10 }\ncounting = { rule = "greedy" }',
    ]
    for key, (title, cost) in enumerate(projects, start=1):
        lines.append(
            f'[[items]]\nkey = "{key}"\nkind = "project"\npool = "wawer"\ncost = {cost}\n'
            f"title = {{ pl = {json.dumps(title, ensure_ascii=False)} }}"
        )
    return "\n".join(lines) + "\n"


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", "\u00a0") + " zł"


def _label(key: int, title: str, cost: int) -> str:
    """The title is shortened with "…" at a word; the price stays whole."""
    return label(f"➕ {key}. ", title, f" ({_money(cost)})")


def _keyboards_within_limits(emulator: Emulator, chat_id: int) -> None:
    for message in emulator.received(chat_id):
        assert sum(len(row) for row in message.buttons) <= MAX_BUTTONS
        assert all(len(row) <= MAX_ROW for row in message.buttons)
        assert all(len(data.encode()) <= MAX_CALLBACK_DATA for row in message.buttons for _, data in row)


async def test_a_pool_of_137_projects_is_paged_and_cast(
    telegram: Harness, emulator: Emulator, services: Services, clock: FakeClock
) -> None:
    projects = _projects()
    definition = load_definition(_definition(projects))
    assert definition.opens_at is not None
    clock.set(definition.opens_at + timedelta(hours=1))
    services.processes.import_definition(definition)
    services.processes.open("wawer2020")

    first = await telegram.say(101, "/koszyk wawer2020")
    page_one = [_label(key, *projects[key - 1]) for key in range(1, 21)]
    assert first.replace("\u00a0", " ") == "\n".join(
        [
            "Budżet obywatelski Wawer — Twój koszyk, pula: Wawer",
            "Koszyk jest jeszcze pusty.",
            "Wybrane projekty: 0 (najwięcej: 10).",
            "Koszt: 0 zł · zostało: 9 200 000 zł z 9 200 000 zł.",
            "Możesz wybrać najwyżej 10 projektów.",
            "Dotknij projektu, by go dodać albo usunąć, a potem zatwierdź głos.",
            "Strona 1/7 (projekty 1–20, wszystkich: 137).",
            *[f"[{label}]" for label in page_one],
            "[strona 2/7 ▶]",
            "[✅ Zatwierdź głos]",
        ]
    ).replace("\u00a0", " ")
    basket = telegram.last(101)

    second = await telegram.tap(101, "strona 2/7 ▶")
    assert "Strona 2/7 (projekty 21–40, wszystkich: 137)." in second
    assert "[◀ strona 1/7]" in second and "[strona 3/7 ▶]" in second
    title, cost = projects[24]
    added = await telegram.tap(101, "➕ 25.")
    assert f"1. [25] {title} — {_money(cost)}".replace("\u00a0", " ") in added
    assert (
        f"Koszt: {_money(cost)} · zostało: {_money(9_200_000 - cost)} z 9 200 000 zł.".replace("\u00a0", " ") in added
    )
    assert "Strona 2/7" in added and "[✅ 25." in added  # still on the page of the project

    for page in range(3, 8):
        await telegram.tap(101, f"strona {page}/7 ▶")
    last = await telegram.tap(101, "➕ 137.")
    assert "Strona 7/7 (projekty 121–137, wszystkich: 137)." in last
    total = cost + projects[136][1]
    assert f"Koszt: {_money(total)} · zostało: {_money(9_200_000 - total)}".replace("\u00a0", " ") in last
    assert "[◀ strona 6/7]" in last and "▶]" not in last
    shown = telegram.last(101)
    assert shown.message_id == basket.message_id and shown.edits == 8  # one message, paged in place
    assert len(shown.labels) == 17 + 2  # projects 121–137, ◀, confirm

    cast = await telegram.tap(101, "✅ Zatwierdź głos")
    assert "Przyjęto Twój głos (Budżet obywatelski Wawer)" in cast
    person = services.people.find(Channel.TELEGRAM, "101")
    assert person is not None
    assert services.voting.current_ballot("wawer2020", person.person_id) == {"wawer": ["25", "137"]}
    _keyboards_within_limits(emulator, 101)


async def test_a_page_out_of_range_shows_the_nearest_page(
    telegram: Harness, services: Services, clock: FakeClock
) -> None:
    definition = load_definition(_definition(_projects()))
    assert definition.opens_at is not None
    clock.set(definition.opens_at + timedelta(hours=1))
    services.processes.import_definition(definition)
    services.processes.open("wawer2020")
    assert "Strona 7/7" in await telegram.say(101, "/koszyk wawer2020 wawer 99")
    assert "Strona 1/7" in await telegram.say(101, "/koszyk wawer2020 wawer 0")
    assert "Strona 3/7" in await telegram.say(101, "/koszyk_dodaj wawer2020 wawer 55")
