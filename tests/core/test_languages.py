"""Three languages for residents: /jezyk offers buttons, /jezyk uk switches to Ukrainian, and what follows —
the command list, a process's title and its ballot — is in Ukrainian, with the commands' English names."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.ballot_text import format_ballot_text, parse_ballot_text
from bot.console import ConsoleChannel
from bot.definition.loader import load_definition_file
from bot.domain import Answer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

Talk = Callable[..., list[str]]


def test_language_buttons_then_ukrainian_everywhere(
    talk: Talk, load_example: Callable[..., str], console: Callable[..., ConsoleChannel]
) -> None:
    slug = load_example("uchwala-tak-nie")
    person = console("olena")
    [choose, unknown, switched, help_text] = talk(
        person, [("/jezyk", []), ("/jezyk de", []), ("/jezyk uk", []), ("/help", [])]
    )
    buttons = "  [Polski → /jezyk pl]   [English → /jezyk en]   [Українська → /jezyk uk]"
    assert choose == f"Wybierz język:\n{buttons}"
    assert unknown == f"Dostępne języki: pl, en, uk.\n{buttons}"
    assert switched == "Встановлено українську мову."
    assert help_text.splitlines()[:3] == [
        "Команди:",
        "/start — привітання; /start НАЗВА відкриває процес",
        "/help — цей список",
    ]
    assert "/vote — віддати або змінити голос (як — в описі процесу: /process)" in help_text.splitlines()
    [described] = talk(person, [(f"/process {slug}", [])])
    assert described.splitlines()[0] == "Загальні збори 2027 – голосування за ухвали"


def test_ukrainian_answers_are_read_and_written() -> None:
    definition = load_definition_file(EXAMPLES / "uchwala-tak-nie.toml")
    ballot = parse_ballot_text(definition, "uchwala1: ТАК uchwala2: ні uchwala3: Утримуюся")
    assert ballot == {"main": {"uchwala1": Answer.YES, "uchwala2": Answer.NO, "uchwala3": Answer.ABSTAIN}}
    assert format_ballot_text(definition, ballot, language="uk") == "1: ТАК, 2: НІ, 3: УТРИМУЮСЬ"
