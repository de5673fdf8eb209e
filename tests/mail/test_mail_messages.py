"""Every sentence the e-mail channel writes exists in Polish and in English, and the templates render in both."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.i18n import catalogue_ids, translator
from mail.compose import render

MAIL = Path(__file__).resolve().parents[2] / "mail"
# message keys: inside t("…") calls, or any literal with two dots (outbox purposes such as "mail.invitation" have one)
_KEY = re.compile(r"""\bt\(\s*["'](mail\.[a-z_.]+)["']|["'](mail\.[a-z_]+\.[a-z_.]+)["']""")


def _used_keys() -> set[str]:
    keys: set[str] = set()
    for path in [*MAIL.glob("*.py"), *(MAIL / "templates").glob("*.j2")]:
        found = _KEY.findall(path.read_text(encoding="utf-8"))
        keys |= {a or b for a, b in found}
    return keys


def test_every_key_used_by_the_channel_is_translated_in_both_languages() -> None:
    used = _used_keys()
    assert {"mail.confirm.intro", "mail.invite.how", "mail.refused.body"} <= used
    for language in ("pl", "en"):
        missing = used - catalogue_ids(language)
        assert not missing, f"{language}: {sorted(missing)}"
    assert {k for k in catalogue_ids("pl") if k.startswith("mail.")} == {
        k for k in catalogue_ids("en") if k.startswith("mail.")
    }


@pytest.mark.parametrize(("language", "greeting"), [("pl", "Dzień dobry,"), ("en", "Hello,")])
def test_the_confirmation_renders_as_text_and_escaped_html(language: str, greeting: str) -> None:
    t = translator(language)
    text, html = render(
        "confirmation",
        t,
        title="Walne <2027>",
        recorded=["głos: uchwala1: TAK"],
        receipt="ABCD-EFGH-JKLM",
        problems=[],
        ignored=["<script>"],
        nothing=False,
        votes=True,
        bot="Głos",
    )
    assert text.startswith(greeting) and "ABCD-EFGH-JKLM" in text and "Walne <2027>" in text
    assert "&lt;script&gt;" in html and "<script>" not in html


@pytest.mark.parametrize("language", ["pl", "en"])
def test_a_consultation_invitation_asks_for_an_opinion_not_for_a_ballot(language: str) -> None:
    t = translator(language)
    common = {"title": "Program 2027", "description": "", "closes_at": "", "items": [], "bot": "Głos"}
    common["language"] = language
    text, html = render("invitation", t, sections=[("§1", "Cele")], rules=[], **common)
    assert t("mail.invite.how_opinion") in text and t("mail.invite.how_opinion") in html
    assert t("mail.invite.how") not in text and t("mail.invite.change") not in text  # no dangling "…reply:"
    assert t("mail.invite.more_opinions") in text
    text, _ = render("invitation", t, sections=[], rules=[t("mail.invite.rule.yes_no", example="TAK")], **common)
    assert t("mail.invite.how") in text and t("mail.invite.change") in text
    assert t("mail.invite.how_opinion") not in text


@pytest.mark.parametrize("language", ["pl", "en"])
def test_a_consultation_confirmation_does_not_speak_of_votes(language: str) -> None:
    t = translator(language)
    common = {"title": "Program 2027", "receipt": None, "problems": [], "ignored": [], "nothing": False}
    text, html = render("confirmation", t, recorded=["§1"], votes=False, bot="Głos", **common)
    assert t("mail.confirm.again_opinion") in text and t("mail.confirm.again_opinion") in html
    assert t("mail.confirm.again") not in text
    text, _ = render("confirmation", t, recorded=["TAK"], votes=True, bot="Głos", **common)
    assert t("mail.confirm.again") in text
