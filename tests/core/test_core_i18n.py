"""Message catalogues: Polish plurals, money and dates, and both languages complete."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bot.i18n import catalogue_ids, translator


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "1 głos"),
        (2, "2 głosy"),
        (4, "4 głosy"),
        (5, "5 głosów"),
        (12, "12 głosów"),
        (22, "22 głosy"),
        (25, "25 głosów"),
        (112, "112 głosów"),
        (1_000_000, "1 000 000 głosów"),
    ],
)
def test_polish_plurals(count: int, expected: str) -> None:
    assert _plain(translator("pl")("results.votes", count=count)) == expected


def test_english_plurals() -> None:
    t = translator("en")
    assert t("results.votes", count=1) == "1 vote"
    assert t("results.votes", count=2) == "2 votes"


def test_money_in_zloty() -> None:
    t = translator("pl")
    assert _plain(t.money(1_250_000)) == "1 250 000 zł"
    assert _plain(t.money(Decimal("1546168.66"))) == "1 546 168,66 zł"


def test_dates_in_warsaw_time_across_daylight_saving() -> None:
    t = translator("pl")
    assert t.datetime(datetime(2027, 6, 30, 21, 59, tzinfo=UTC)) == "30.06.2027, 23:59"
    assert t.datetime(datetime(2027, 1, 15, 22, 59, tzinfo=UTC)) == "15.01.2027, 23:59"


def test_unknown_language_falls_back_to_polish() -> None:
    assert translator("de").language == "pl"
    assert translator(None)("phase.open") == "trwa"


def test_both_languages_have_the_same_messages() -> None:
    polish, english = catalogue_ids("pl"), catalogue_ids("en")
    assert polish, "no Polish messages loaded"
    assert polish == english, f"only in pl: {sorted(polish - english)}; only in en: {sorted(english - polish)}"
