"""Splitting a long text into messages under a channel's limit (Telegram: 4096 characters).

Telegram trims the whitespace around a message text, so a continuation part that starts with an indented line
(a table row, a list item) would lose its indentation; its leading spaces become no-break spaces, which are kept.
"""

from __future__ import annotations

__all__ = ["TELEGRAM_LIMIT", "split_text"]

TELEGRAM_LIMIT = 4096


def split_text(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """``text`` in parts of at most ``limit`` characters, cut between paragraphs, else between lines, and only
    inside a line that is longer than the limit by itself. Joining the parts with newlines gives the text back
    (up to the newlines at the cuts, and the no-break spaces that keep a continuation's indentation)."""
    if limit < 2:
        raise ValueError("limit must be at least 2")
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        # Prefer to cut at the last paragraph break of what we have, so a table stays with its heading.
        cut = current.rfind("\n\n")
        if cut > 0 and len(current[cut + 2 :] + "\n" + line) <= limit:
            parts.append(current[:cut])
            current = current[cut + 2 :] + "\n" + line
        else:
            parts.append(current)
            current = line
    if current.strip():
        parts.append(current)
    return [_keep_indent(part.strip("\n")) for part in parts if part.strip()]


def _keep_indent(part: str) -> str:
    indent = len(part) - len(part.lstrip(" "))
    return "\u00a0" * indent + part[indent:]
