"""Button labels that fit: a long title is shortened with "…" at a word, what follows it (a price) stays whole."""

from __future__ import annotations

__all__ = ["LABEL_LIMIT", "label"]

LABEL_LIMIT = 60
"""Characters a label may take: Telegram allows 64, and a phone shows about this many on one line."""


def label(head: str, title: str, tail: str = "", limit: int = LABEL_LIMIT) -> str:
    """``head + title + tail`` within ``limit`` characters; only the title is shortened (at a word boundary
    when one is near, with "…"), so a number before it and a price after it are never cut."""
    whole = f"{head}{title}{tail}"
    if len(whole) <= limit:
        return whole
    room = max(limit - len(head) - len(tail) - 1, 1)
    cut = title[:room]
    space = cut.rfind(" ")
    if space >= room // 2:
        cut = cut[:space]
    return f"{head}{cut.rstrip(' ,.;:–-')}…{tail}"
