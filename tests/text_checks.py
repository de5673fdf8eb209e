"""What no person may ever read (used by every transcript the suite renders): a raw message id, an unfilled
placeholder, an internal key where a title exists, an English word in a Polish sentence, or a message over
Telegram's limits. :func:`check_reply` raises :class:`AssertionError` naming the problem."""

from __future__ import annotations

import re
from functools import cache

from bot.i18n import catalogue_ids

__all__ = ["TELEGRAM_TEXT_LIMIT", "check_reply"]

TELEGRAM_TEXT_LIMIT = 4096
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_ID = re.compile(r"(?<![\w/.@-])[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+(?![\w-])")
# internal keys of the example processes that have titles: pools ("[city]"), items ("k1.", "uchwala1")
_INTERNAL = re.compile(r"\[(?:city|main|miasto|wesola|bemowo|ursynow)\]|\b(?:uchwala\d|k\d|t\d)\b(?![\d:])")
# English words that must not appear in a Polish text (catalogue sentences are translated whole)
_ENGLISH_IN_POLISH = re.compile(r"\b(?:the|and|closed|draft|open|published|votes?|selected|round|pool)\b")


@cache
def _ids() -> frozenset[str]:
    return frozenset(catalogue_ids("pl") | catalogue_ids("en") | catalogue_ids("uk"))


def check_reply(text: str, language: str = "pl") -> None:
    """Fail on anything in ``text`` that a person must never read (see the module docstring)."""
    assert len(text) <= TELEGRAM_TEXT_LIMIT, f"{len(text)} characters, over Telegram's {TELEGRAM_TEXT_LIMIT}"
    placeholder = _PLACEHOLDER.search(text)
    assert placeholder is None, f"unfilled placeholder {placeholder.group()!r} in:\n{text}"
    raw = [word for word in _ID.findall(text) if word in _ids()]
    assert not raw, f"raw message ids {raw} in:\n{text}"
    internal = _INTERNAL.search(text)
    assert internal is None, f"internal key {internal.group()!r} in:\n{text}"
    if language == "pl":
        # commands, addresses and slugs may be English-looking: check the words outside them
        prose = re.sub(r"/\w+|\S+@\S+|\b[a-z0-9]+(?:-[a-z0-9]+)+\b|https?://\S+", " ", text)
        english = _ENGLISH_IN_POLISH.search(prose)
        assert english is None, f"English word {english.group()!r} in a Polish text:\n{text}"
