"""Text that survives Telegram: every reply is checked against the limits it will meet, and split parts keep their
layout (Telegram trims the whitespace around a message, so an indented continuation must not start with spaces)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.definition.loader import load_definition
from bot.domain import Channel
from bot.i18n import LANGUAGES, translator
from bot.replies import Button, Reply
from bot.services import Services
from bot.services.outbox import reply_payload
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
from handlers.sender import TelegramSender

TELEGRAM_TRIMS = " \t\r\n"
ROOT = Path(__file__).resolve().parents[2]


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


async def test_an_outbox_message_over_the_limits_is_given_up_and_the_rest_goes_out(
    telegram: Harness, emulator: Emulator, services: Services
) -> None:
    too_many = tuple((Button(f"Projekt {n}", f"/start p{n}", link=True),) for n in range(101))
    for key, reply in (("wide", Reply("Wybierz projekt", buttons=too_many)), ("fine", Reply("Przypomnienie"))):
        services.outbox.enqueue(
            key=f"test:{key}",
            channel=Channel.TELEGRAM,
            address="101",
            purpose="announcement",
            person_id=None,
            payload=reply_payload(reply),
        )
    assert telegram.bot is not None
    report = await TelegramSender(telegram.bot.application.bot, services, rate=None).drain()
    assert (report.sent, report.given_up) == (1, 1)
    assert [message.text for message in emulator.received(101)] == ["Przypomnienie"]
    assert services.outbox.stats().unsent == 0


async def test_a_survey_of_150_municipalities_asks_for_one_without_a_button_each(
    telegram: Harness, emulator: Emulator, services: Services, clock: FakeClock
) -> None:
    source = (ROOT / "examples" / "indeks-przyjaznego-samorzadu.toml").read_text(encoding="utf-8")
    keys = [f"gmina{n:03d}" for n in range(150)]
    source = source.replace(
        'districts = ["wieliczka", "niepolomice", "skawina", "myslenice", "bochnia"]', f"districts = {keys!r}"
    )
    source = source.split("[eligibility.district_names]")[0] + "[[pools]]" + source.split("[[pools]]", 1)[1]
    definition = load_definition(source.replace("'", '"'))
    assert definition.opens_at is not None
    clock.set(definition.opens_at + timedelta(hours=1))
    services.processes.import_definition(definition)
    services.processes.open(definition.slug)
    answer = await telegram.say(101, "/start indeks-2027")
    assert "aby wziąć udział, wskaż swoją gminę: /dzielnica indeks-2027 NAZWA (gmina000, gmina001" in answer
    assert "gmina149)." in answer
    assert all(len(message.labels) <= 100 for message in emulator.received(101))
    assert "Coś poszło nie tak" not in answer  # the generic error it used to be (147 buttons refused)
    chosen = await telegram.say(101, "/dzielnica indeks-2027 gmina042")
    assert "gmina042" in chosen
