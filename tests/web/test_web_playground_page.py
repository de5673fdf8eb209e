"""The playground page speaks the visitor's language, like the public pages, and names the bot."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from bot.web.playground_visitors import Visitors
from handlers.emulator import Emulator
from handlers.playground import playground_app


@pytest.mark.parametrize(
    ("query", "headers", "language", "expected", "other"),
    [
        ("", {}, "pl", ["Miasto — plac zabaw", "Jako kto piszesz", "Wyślij", "mieszkaniec ("], "English"),
        ("?lang=en", {}, "en", ["Miasto — playground", "Who you are", "Send", "resident ("], "Polski"),
        ("", {"accept-language": "en-GB,en;q=0.8"}, "en", ["Send"], "Polski"),
    ],
)
def test_the_page_is_in_the_visitors_language(
    query: str, headers: dict[str, str], language: str, expected: list[str], other: str
) -> None:
    client = TestClient(playground_app(Emulator("100000001:PAGE"), Visitors(), bot_name="Miasto"))
    page = client.get("/" + query, headers=headers)
    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.text
    for fragment in expected:
        assert fragment in page.text
    assert f">{other}</a>" in page.text  # a link to the page in the other language
    assert "__" not in page.text  # no placeholder left unfilled
