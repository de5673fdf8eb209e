"""Draft documents for consultation: read a DOCX, ODT, Markdown or text draft and split it into units.

:func:`read_document` picks the reader by the file's suffix and returns the :class:`DraftDocument`;
:func:`draft_definition` turns it into a consultation's :class:`~bot.definition.ProcessDefinition` (a draft:
no dates, for the moderator to review, date and open), one ``section`` item per unit, numbered with the unit's
citation (``§ 3 ust. 2 pkt 1``) so that remarks can cite any level.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePath
from xml.parsers.expat import ExpatError

from bot.definition import ProcessDefinition
from bot.documents.citation import citation_key, read_citation
from bot.documents.read_docx import docx_blocks
from bot.documents.read_odt import odt_blocks
from bot.documents.read_text import text_blocks
from bot.documents.units import Block, DraftDocument, Unit, UnitKind, split_units
from bot.domain import ItemKind, ProcessKind
from bot.errors import InputError

__all__ = [
    "SUFFIXES",
    "Block",
    "DraftDocument",
    "Unit",
    "UnitKind",
    "citation_key",
    "draft_definition",
    "read_citation",
    "read_document",
    "read_document_bytes",
    "split_units",
]

SUFFIXES = (".docx", ".odt", ".md", ".txt")
MAX_NUMBER_CHARS = 32  # item.number in the store
TITLE_CHARS = 60  # a unit without a title of its own is listed with its text cut at a word


def read_document(path: Path) -> DraftDocument:
    """The draft at ``path`` split into units; :class:`InputError` for another format or a damaged file."""
    if path.suffix.lower() not in SUFFIXES:
        raise InputError("document.unsupported", name=path.name, formats=", ".join(SUFFIXES))
    return read_document_bytes(path.name, path.read_bytes())


def read_document_bytes(name: str, content: bytes) -> DraftDocument:
    """The draft ``content`` of a file called ``name`` (its suffix says the format: an upload to the bot has no
    path) split into units; :class:`InputError` for another format or a damaged file."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError("document.unsupported", name=name, formats=", ".join(SUFFIXES))
    try:
        blocks: list[Block]
        if suffix == ".docx":
            blocks = docx_blocks(io.BytesIO(content))
        elif suffix == ".odt":
            blocks = odt_blocks(io.BytesIO(content))
        else:
            blocks = text_blocks(content.decode("utf-8-sig"), markdown=suffix == ".md")
    except (zipfile.BadZipFile, KeyError, ValueError, ExpatError, UnicodeDecodeError) as error:
        # python-docx and odfpy read a ZIP of XML parts: anything else is not the document it claims to be
        raise InputError("document.unreadable", name=name) from error
    document = split_units(blocks)
    if not document.units:
        raise InputError("document.no_units", name=name)
    return document


def _title(unit: Unit, following: Unit | None) -> str:
    """What lists show beside the citation: the unit's own title, else the start of its text (or, for a
    ``§ 2. 1. …`` whose words are all in its ustępy, of its first ustęp's)."""
    if unit.title:
        return unit.title
    if not unit.text and following is not None and following.path[: len(unit.path)] == unit.path:
        return _title(following, None)
    first = unit.text.split("\n", 1)[0]
    if len(first) <= TITLE_CHARS:
        return first or unit.citation
    return first[:TITLE_CHARS].rsplit(" ", 1)[0] + " …"


def draft_definition(document: DraftDocument, slug: str, *, title: str | None = None) -> ProcessDefinition:
    """A consultation draft with one section per unit; the title is ``title`` or the document's subject/title.

    Keys are the units' keys (``p3.u2.k1``), numbers their citations; a unit whose citation repeats one
    before it (two annexes without numbers) gets ``-2``, ``-3`` … on its key and keeps its citation.
    """
    seen: dict[str, int] = {}
    items = []
    following: list[Unit | None] = [*document.units[1:], None]
    for index, unit in enumerate(document.units):
        key = unit.key
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key}-{seen[key]}"
        number = unit.citation
        if len(number) > MAX_NUMBER_CHARS:
            raise InputError("document.too_deep", citation=number, max=MAX_NUMBER_CHARS)
        item: dict[str, object] = {
            "key": key,
            "kind": ItemKind.SECTION,
            "number": number,
            "title": {"pl": _title(unit, following[index])},
        }
        if unit.text:
            item["text"] = {"pl": unit.text}
        items.append(item)
    # "UCHWAŁA NR … w sprawie …": a resolution is known by its subject, so both make the title
    named = " ".join(dict.fromkeys(part for part in (document.title, document.subject) if part))
    name = title or named or slug
    description = "\n".join(part for part in (document.subject, document.legal_basis) if part) or None
    return ProcessDefinition.model_validate(
        {
            "slug": slug,
            "kind": ProcessKind.CONSULTATION,
            "title": {"pl": name},
            "description": {"pl": description} if description else None,
            # residents are "mieszkaniec/mieszkanka" in the report; NGOs on the roster are named all the same
            "anonymous_report": True,
            "items": items,
        }
    )
