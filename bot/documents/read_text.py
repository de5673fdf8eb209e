"""The paragraphs of a plain-text or Markdown draft: one line, one block; ``#`` headings in Markdown."""

from __future__ import annotations

import re

from bot.documents.units import Block

__all__ = ["text_blocks"]

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_MD_MARKS = re.compile(r"\*\*|__|`")


def text_blocks(text: str, *, markdown: bool = False) -> list[Block]:
    """Each non-empty line as a :class:`Block`; with ``markdown``, ``# x`` is a heading (``#`` = level 0)."""
    blocks: list[Block] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if markdown:
            line = _MD_MARKS.sub("", line)
            heading = _MD_HEADING.match(line)
            if heading:
                blocks.append(Block(heading.group(2), len(heading.group(1)) - 1))
                continue
            line = re.sub(r"^[*+]\s+", "", line)  # a Markdown bullet is not a number
        blocks.append(Block(line))
    return blocks
