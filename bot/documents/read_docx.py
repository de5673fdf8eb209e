"""The paragraphs of a DOCX draft (python-docx), in order, with heading levels from the paragraph styles.

Body paragraphs and the paragraphs of tables are read in document order; a style named ``Title``/``Tytuł``
is level 0 and ``Heading N``/``Nagłówek N`` level N. Numbers that Word generates itself (automatic list
numbering) are not part of the text and so are not seen: drafts prepared for a council write them out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import docx
from docx.document import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

from bot.documents.units import Block

__all__ = ["docx_blocks"]

_HEADING = re.compile(r"^(?:Heading|Nagłówek|Naglowek)\s*(\d)$", re.IGNORECASE)


def _level_of(name: str) -> int | None:
    if name.lower() in ("title", "tytuł"):
        return 0
    match = _HEADING.match(name)
    return int(match.group(1)) if match else None


def _levels(document: Document) -> dict[str | None, int | None]:
    """Heading level by style id, read once (``Paragraph.style`` scans every style for each paragraph: a
    30-page draft took seconds)."""
    levels: dict[str | None, int | None] = {style.style_id: _level_of(style.name or "") for style in document.styles}
    levels[None] = None  # a paragraph without a style of its own is body text ("Normal")
    return levels


def _walk(document: Document) -> Iterator[Paragraph | Table]:
    yield from document.iter_inner_content()


def docx_blocks(source: str | Path | IO[bytes]) -> list[Block]:
    """Every paragraph of the document (and of its tables) as a :class:`Block`."""
    document = docx.Document(source)  # type: ignore[arg-type]
    levels = _levels(document)
    blocks: list[Block] = []
    for part in _walk(document):
        if isinstance(part, Paragraph):
            blocks.append(Block(part.text, levels.get(part._p.style)))
        else:
            for row in part.rows:
                for cell in row.cells:
                    blocks.extend(Block(paragraph.text) for paragraph in cell.paragraphs)
    return blocks
