"""A process is never guessed: an unknown name is refused with the closest names, the remembered process is
used only when no name is given, and a state-changing moderator command without a name asks first."""

from __future__ import annotations

from collections.abc import Callable

from bot.console import ConsoleChannel
from bot.domain import Phase
from bot.services import Services

Talk = Callable[..., list[str]]


def test_a_mistyped_name_is_refused_with_the_closest_one_and_nothing_is_closed(
    talk: Talk, load_example: Callable[..., str], console: Callable[..., ConsoleChannel], services: Services
) -> None:
    walne = load_example("uchwala-tak-nie")
    indeks = load_example("indeks-przyjaznego-samorzadu")
    moderator = console("moderator")
    answers = talk(
        moderator,
        [
            (f"/proces {walne}", []),  # remembered from now on
            ("/zamknij indeks2027", []),
            ("/close nosuch", []),
            ("/proces xyz", []),
            ("/zamknij indeks-2026", []),
        ],
    )
    assert answers[1:] == [
        "Nie ma procesu „indeks2027”. Czy chodziło o indeks-2027?",
        "Nie ma procesu „nosuch”. Lista: /procesy.",
        "Nie ma procesu „xyz”. Lista: /procesy.",
        "Nie ma procesu „indeks-2026”. Czy chodziło o indeks-2027?",
    ]
    assert services.processes.get(walne).phase is Phase.OPEN
    assert services.processes.get(indeks).phase is Phase.OPEN


def test_without_a_name_a_state_change_asks_to_confirm_the_remembered_process(
    talk: Talk, load_example: Callable[..., str], console: Callable[..., ConsoleChannel], services: Services
) -> None:
    walne = load_example("uchwala-tak-nie")
    moderator = console("moderator")
    [asked] = talk(moderator, [(f"/proces {walne}", []), ("/zamknij", [])])[1:]
    assert asked == (
        "Polecenie bez nazwy procesu. Czy chodzi o proces walne-2027 — „Walne Zebranie Członków 2027 – głosowanie"
        " nad uchwałami”? Potwierdź przyciskiem albo napisz: /zamknij walne-2027\n"
        "  [Tak, walne-2027 → /zamknij walne-2027]"
    )
    assert services.processes.get(walne).phase is Phase.OPEN
    [closed] = talk(moderator, [("/zamknij walne-2027", [])])
    assert closed.startswith("Zamknięto: walne-2027 — Walne Zebranie Członków 2027")
    assert services.processes.get(walne).phase is Phase.CLOSED
    [asked] = talk(moderator, [("/przedluz 2027-07-07 23:59", [])])
    assert asked.endswith(
        "napisz: /przedluz walne-2027 2027-07-07 23:59\n  [Tak, walne-2027 → /przedluz walne-2027 2027-07-07 23:59]"
    )


def test_a_resident_gets_the_remembered_process_only_when_naming_none(
    talk: Talk, load_example: Callable[..., str], console: Callable[..., ConsoleChannel]
) -> None:
    slug = load_example("bo-warszawa-2027")
    ania = console("ania")
    answers = talk(
        ania,
        [
            (f"/start {slug}", []),
            ("/glosuj bo2028 city: 1", []),
            ("/proces bo2028", []),
            ("/moj_glos", []),
            ("/jezyk en", []),
            ("/results bo2026", []),
        ],
    )
    assert answers[1:4] == [
        "Nie ma procesu „bo2028”. Czy chodziło o bo2027?",
        "Nie ma procesu „bo2028”. Czy chodziło o bo2027?",
        "Nie oddano jeszcze Twojego głosu (Budżet obywatelski 2027).",
    ]
    assert answers[5] == "There is no process “bo2026”. Did you mean bo2027?"


def test_every_state_change_without_a_name_asks_in_the_readers_language_with_its_command_names(
    talk: Talk, load_example: Callable[..., str], console: Callable[..., ConsoleChannel], services: Services
) -> None:
    walne = load_example("uchwala-tak-nie")
    moderator = console("moderator")
    talk(moderator, [(f"/proces {walne}", []), ("/jezyk en", [])])
    commands = {
        "/close": "/close walne-2027",
        "/open": "/open walne-2027",
        "/publish": "/publish walne-2027",
        "/extend 2027-07-07 23:59": "/extend walne-2027 2027-07-07 23:59",
        "/codes 5": "/codes walne-2027 5",
        "/export json": "/export walne-2027 json",
        "/announce Meeting moved to 6 pm": "/announce walne-2027 Meeting moved to 6 pm",
    }
    for typed, meant in commands.items():
        [asked] = talk(moderator, [(typed, [])])
        assert asked == (
            "The command names no process. Do you mean walne-2027 — “General Assembly 2027 – voting on resolutions”?"
            f" Confirm with the button or write: {meant}\n  [Yes, walne-2027 → {meant}]"
        ), typed
    assert services.processes.get(walne).phase is Phase.OPEN
    [done] = talk(moderator, [("/codes walne-2027 1", [])])
    assert done.startswith(
        "Issued 1 code for “General Assembly 2027 – voting on resolutions” (walne-2027). Save it now"
    )
    [queued] = talk(moderator, [("/announce walne-2027 Meeting moved to 6 pm", [])])
    assert queued.startswith("Announcement about “General Assembly 2027 – voting on resolutions” (walne-2027): ")


def test_an_announcement_naming_no_process_and_none_remembered_is_refused(
    talk: Talk, load_example: Callable[..., str], console: Callable[..., ConsoleChannel]
) -> None:
    load_example("uchwala-tak-nie")
    [refused] = talk(console("moderator"), [("/ogloszenie Zebranie jutro", [])])
    assert refused == "Nie ma procesu „Zebranie”. Lista: /procesy."


def test_a_resident_is_refused_a_moderator_command_in_their_own_language(
    talk: Talk, load_example: Callable[..., str], console: Callable[..., ConsoleChannel]
) -> None:
    load_example("uchwala-tak-nie")
    answers = talk(console("ania"), [("/zamknij walne-2027", []), ("/jezyk uk", []), ("/zamknij", [])])
    assert answers[0] == "Polecenie /zamknij jest tylko dla moderatorów."
    assert answers[2] == "Команда /close лише для модераторів."


def test_the_erasure_button_sends_the_word_the_question_asks_for_in_each_language(
    talk: Talk, console: Callable[..., ConsoleChannel]
) -> None:
    ania = console("ania")
    for language, shown in (("en", "/delete_my_data YES"), ("uk", "/delete_my_data ТАК"), ("pl", "/usun_dane TAK")):
        [asked] = talk(ania, [(f"/jezyk {language}", []), ("/usun_dane", [])])[1:]
        assert asked.endswith(f"{shown}]"), asked
        assert f"{shown}." in asked  # the sentence asks for exactly what the button sends


def test_a_long_announcement_is_quoted_shortened_in_the_question_and_sent_whole_by_the_button(
    load_example: Callable[..., str], console: Callable[..., ConsoleChannel]
) -> None:
    walne = load_example("uchwala-tak-nie")
    moderator = console("moderator")
    moderator.handle(f"/proces {walne}")
    text = "Zebranie " + "bardzo ważne " * 250  # 3,259 characters: within an announcement's limit
    [asked] = moderator.handle(f"/ogloszenie {text}")
    question, button = asked.split("\n  [")
    assert len(question) < 500 and question.endswith("…")
    assert button == f"Tak, walne-2027 → /ogloszenie walne-2027 {text.strip()}]"
