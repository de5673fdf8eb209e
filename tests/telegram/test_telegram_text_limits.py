"""Text that survives Telegram: every reply is checked against the limits it will meet, and split parts keep their
layout (Telegram trims the whitespace around a message, so an indented continuation must not start with spaces)."""

from __future__ import annotations

import pytest

from bot.i18n import LANGUAGES, translator
from bot.replies import Reply
from bot.summaries.split import split_text
from handlers.emulator import Emulator
from handlers.emulator.harness import Harness
from handlers.limits import (
    MAX_CALLBACK_ANSWER,
    LimitExceeded,
    check_callback_answer,
    check_caption,
    check_text,
    fit_rows,
)
from handlers.replies import send_reply

TELEGRAM_TRIMS = " \t\r\n"


def test_a_keyboard_row_wider_than_eight_continues_and_over_100_buttons_is_refused() -> None:
    assert [len(row) for row in fit_rows([list(range(9)), [], list(range(3))])] == [8, 1, 3]
    assert sum(len(row) for row in fit_rows([[n] for n in range(100)])) == 100
    with pytest.raises(LimitExceeded, match="101 buttons is over 100"):
        fit_rows([[n] for n in range(101)])


def test_texts_captions_and_callback_answers_are_checked() -> None:
    assert check_text("x" * 4096) == "x" * 4096
    with pytest.raises(LimitExceeded):
        check_text("x" * 4097)
    with pytest.raises(LimitExceeded):
        check_text(" \n ")
    assert check_caption("c" * 1024) == "c" * 1024
    with pytest.raises(LimitExceeded):
        check_caption("c" * 1025)
    with pytest.raises(LimitExceeded):
        check_callback_answer("a" * 201)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_alert_of_a_stale_button_fits_a_callback_answer(language: str) -> None:
    assert len(translator(language)("telegram.button_unknown")) <= MAX_CALLBACK_ANSWER


def test_a_continuation_part_keeps_its_indentation_after_telegram_trims_it() -> None:
    rows = [f"  {n}. Projekt numer {n} — {n * 1000} głosów" for n in range(1, 300)]
    text = "Wyniki\n" + "\n".join(rows)
    parts = split_text(text)
    assert len(parts) > 1 and all(len(part) <= 4096 for part in parts)
    for part in parts[1:]:
        assert part.strip(TELEGRAM_TRIMS) == part  # nothing for Telegram to trim
        assert part.startswith("\u00a0\u00a0") and part[2].isdigit()
    rejoined = "\n".join(parts).replace("\u00a0", " ")
    assert rejoined == text


async def test_a_long_indented_reply_arrives_with_its_layout(telegram: Harness, emulator: Emulator) -> None:
    bot = telegram.bot
    assert bot is not None
    rows = "\n".join(f"  {n}. pozycja" for n in range(1, 700))
    before = len(emulator.received(101))
    await send_reply(bot.application.bot, 101, Reply("Lista:\n" + rows), None)
    shown = [message.text for message in emulator.received(101)[before:]]
    assert len(shown) > 1
    assert "\n".join(shown).replace("\u00a0", " ") == "Lista:\n" + rows
