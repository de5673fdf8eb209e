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


def _level(paragraph: Paragraph) -> int | None:
    name = paragraph.style.name if paragraph.style is not None else ""
    name = name or ""
    if name.lower() in ("title", "tytuł"):
        return 0
    match = _HEADING.match(name)
    return int(match.group(1)) if match else None


def _walk(document: Document) -> Iterator[Paragraph | Table]:
    yield from document.iter_inner_content()


def docx_blocks(source: str | Path | IO[bytes]) -> list[Block]:
    """Every paragraph of the document (and of its tables) as a :class:`Block`."""
    document = docx.Document(source)  # type: ignore[arg-type]
    blocks: list[Block] = []
    for part in _walk(document):
        if isinstance(part, Paragraph):
            blocks.append(Block(part.text, _level(part)))
        else:
            for row in part.rows:
                for cell in row.cells:
                    blocks.extend(Block(paragraph.text) for paragraph in cell.paragraphs)
    return blocks
