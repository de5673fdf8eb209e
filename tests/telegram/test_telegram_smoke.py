"""First contact: the deep link from a poster, the menus, and the command entity."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


async def test_a_deep_link_welcomes_and_asks_for_the_district(telegram: Any, load_example: Callable[..., str]) -> None:
    load_example("bo-warszawa-2027")
    answers = await telegram.play(
        101, [("/start bo2027", ["Witaj!", "Budżet obywatelski 2027", "wskaż swoją dzielnicę", "[Wesoła]"])]
    )
    assert answers
