"""Telegram's limits on what a bot sends, checked before anything is sent.

The Bot API refuses a message over them with 400, which the person would only see as the generic error — so every
reply passes these checks in the adapter, and a reply that cannot fit is a defect found by the tests, not by a
resident. Sizes from the Bot API reference: a message text 1–4,096 characters after entity parsing, a caption
0–1,024, a callback query answer 0–200, ``callback_data`` 1–64 bytes; an inline keyboard takes at most 100 buttons
(and the apps show no more than 8 in a row, each label cut to what fits).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from bot.text import clean_text

__all__ = [
    "MAX_BUTTONS",
    "MAX_CALLBACK_ANSWER",
    "MAX_CALLBACK_DATA",
    "MAX_CAPTION",
    "MAX_LABEL",
    "MAX_ROW",
    "MAX_TEXT",
    "LimitExceeded",
    "check_callback_answer",
    "check_caption",
    "check_text",
    "fit_rows",
]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200
MAX_CALLBACK_DATA = 64
MAX_BUTTONS = 100
MAX_ROW = 8
MAX_LABEL = 64

B = TypeVar("B")


class LimitExceeded(ValueError):
    """A reply the bot was about to send is over one of Telegram's limits (a programming error, not bad input)."""


def check_text(text: str) -> str:
    """``text`` as a message text: without control or bidi characters (an opinion quoted back may carry them),
    1–4,096 characters, not blank (Telegram trims whitespace)."""
    text = clean_text(text)
    if not text.strip():
        raise LimitExceeded("a message text may not be empty")
    if len(text) > MAX_TEXT:
        raise LimitExceeded(f"a message text of {len(text)} characters is over {MAX_TEXT}")
    return text


def check_caption(caption: str) -> str:
    """``caption`` as a document's or photo's caption: at most 1,024 characters."""
    if len(caption) > MAX_CAPTION:
        raise LimitExceeded(f"a caption of {len(caption)} characters is over {MAX_CAPTION}")
    return caption


def check_callback_answer(text: str) -> str:
    """``text`` as an answer to a tapped button (a toast or an alert): at most 200 characters."""
    if len(text) > MAX_CALLBACK_ANSWER:
        raise LimitExceeded(f"a callback answer of {len(text)} characters is over {MAX_CALLBACK_ANSWER}")
    return text


def fit_rows(rows: Sequence[Sequence[B]]) -> list[list[B]]:
    """The rows of an inline keyboard with none wider than :data:`MAX_ROW` (a wider row continues on the next)
    and no empty one; more than :data:`MAX_BUTTONS` buttons in all raises :class:`LimitExceeded` — a view that
    long must page (see :mod:`bot.commands.basket`)."""
    fitted = [list(row[start : start + MAX_ROW]) for row in rows for start in range(0, len(row), MAX_ROW)]
    count = sum(len(row) for row in fitted)
    if count > MAX_BUTTONS:
        raise LimitExceeded(f"a keyboard of {count} buttons is over {MAX_BUTTONS}")
    return [row for row in fitted if row]
