"""Languages on Telegram: a first /start from a client in a language the bot does not speak asks for one with
buttons, then answers that /start in the language chosen; /jezyk offers the same buttons; a client in one of our
languages is never asked."""

from __future__ import annotations

from collections.abc import Callable

from handlers.emulator import Emulator
from handlers.emulator.harness import Harness

QUESTION = "Wybierz język:\nChoose a language:\nОберіть мову:\n[Polski]\n[English]\n[Українська]"


async def test_a_first_start_in_a_foreign_language_asks_for_one_and_then_answers_in_it(
    telegram: Harness, emulator: Emulator, load_example: Callable[..., str]
) -> None:
    slug = load_example("bo-warszawa-2027")
    emulator.user(301, "Jonas", "de")
    assert await telegram.say(301, f"/start {slug}") == QUESTION
    answer = await telegram.tap(301, "English")
    assert answer.startswith(
        "Language set to English.\nWelcome! This is Głos — a bot for consultations, votes and participatory"
        " budgets.\nParticipatory budget 2027\n"
    )
    assert "declare your district: /district bo2027 NAME" in answer  # English command names
    assert answer.endswith("[Bemowo]\n[Wesoła]\n[Ursynów]")
    # Asked once: the next /start goes straight on, in the language chosen.
    assert (await telegram.say(301, "/start")).startswith("Welcome! This is Głos")


async def test_a_client_without_a_language_is_asked_and_one_in_ours_is_not(
    telegram: Harness, emulator: Emulator, load_example: Callable[..., str]
) -> None:
    load_example("uchwala-tak-nie")
    emulator.user(302, "Anon", None)
    assert await telegram.say(302, "/start") == QUESTION
    assert (await telegram.tap(302, "Українська")).startswith("Встановлено українську мову.\nВітаємо!")
    emulator.user(303, "Oksana", "uk-UA")
    assert (await telegram.say(303, "/start")).startswith("Вітаємо!")
    emulator.user(304, "Ania", "pl")
    assert (await telegram.say(304, "/start")).startswith("Witaj! Tu Głos")


async def test_jezyk_offers_language_buttons_and_a_language_chosen_first_is_not_asked_again(
    telegram: Harness, emulator: Emulator
) -> None:
    emulator.user(305, "Jonas", "de")
    assert await telegram.say(305, "/jezyk") == "Wybierz język:\n[Polski]\n[English]\n[Українська]"
    assert await telegram.tap(305, "English") == "Language set to English."
    assert (await telegram.say(305, "/start")).startswith("Welcome! This is Głos")
