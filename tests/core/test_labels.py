"""Basket buttons: a long title is shortened at a word with "…", the number before it and the price after it
are never cut (they were: "…dachami (3 2", "(450 0"), chosen or not, in every language of the examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.definition import load_definition_file
from bot.i18n import LANGUAGES, translator
from bot.views.labels import LABEL_LIMIT, label

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_a_long_title_is_cut_at_a_word_and_the_price_stays_whole() -> None:
    title = "Zielone przystanki – 100 wiat z roślinnymi dachami i ławkami dla mieszkańców"
    shown = label("✅ 1. ", title, " (3 200 000 zł)")
    assert shown == "✅ 1. Zielone przystanki – 100 wiat z… (3 200 000 zł)"
    assert len(shown) <= LABEL_LIMIT
    assert label("➕ 2. ", "Krótki tytuł", " (450 000 zł)") == "➕ 2. Krótki tytuł (450 000 zł)"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("stem", ["bo-warszawa-2027", "bo-krakow-2027", "zielony-budzet-wieliczka"])
def test_every_project_button_of_the_budgets_ends_with_its_whole_price(stem: str, language: str) -> None:
    definition = load_definition_file(EXAMPLES / f"{stem}.toml")
    t = translator(language)
    for item in definition.items:
        if item.cost is None:
            continue
        price = f" ({t.money(item.cost)})"
        for mark in ("➕", "✅"):
            shown = label(f"{mark} {item.key}. ", item.title.get(language), price)
            assert shown.endswith(price) and shown.startswith(f"{mark} {item.key}. "), shown
            assert len(shown) <= LABEL_LIMIT, shown
            if shown != f"{mark} {item.key}. {item.title.get(language)}{price}":
                assert shown.removesuffix(price).endswith("…"), shown
