"""The units of a Polish legal draft, split from its paragraphs (a pure function: blocks in, units out).

Polish drafting conventions (*Zasady techniki prawodawczej*, Dz.U. 2016 poz. 283) number the units of a
regulation as ``Rozdział 1`` (a chapter, often with its title on the next line), ``§ 1.`` or ``Art. 1.``
(the basic unit), ``1.`` (*ustęp*, ust.), ``1)`` (*punkt*, pkt), ``a)`` (*litera*, lit.) and ``–`` (*tiret*).
A § may start with its first ustęp on the same line (``§ 3. 1. Tekst``). An annex (``Załącznik nr 1``) starts
its own numbering, so units inside it are cited with ``zał. 1`` in front.

Every unit is cited the way a resident writes it in a remark, e.g. ``§ 3 ust. 2 pkt 1 lit. a``; the chapter
is part of the citation only where there is no § or article under it to cite (a strategy's chapters).
Tirets and plain paragraphs are text of the unit they follow; text before the first unit is the preamble
(its ``w sprawie …`` line is the subject, its ``Na podstawie …`` line the legal basis).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["Block", "DraftDocument", "Unit", "UnitKind", "split_units"]


class UnitKind(StrEnum):
    """The levels of a draft, outermost first."""

    ANNEX = "annex"  # Załącznik nr N
    CHAPTER = "chapter"  # Rozdział N, or a heading of the document
    ARTICLE = "article"  # Art. N
    PARAGRAPH = "paragraph"  # § N
    SUBSECTION = "subsection"  # ust. N ("1.")
    POINT = "point"  # pkt N ("1)")
    LETTER = "letter"  # lit. a ("a)")


# How each level is cited, and the short key part that makes the item key (keys allow [A-Za-z0-9_.-/]).
_CITE = {
    UnitKind.ANNEX: "zał. {}",
    UnitKind.CHAPTER: "rozdz. {}",
    UnitKind.ARTICLE: "art. {}",
    UnitKind.PARAGRAPH: "§ {}",
    UnitKind.SUBSECTION: "ust. {}",
    UnitKind.POINT: "pkt {}",
    UnitKind.LETTER: "lit. {}",
}
_KEY = {
    UnitKind.ANNEX: "z",
    UnitKind.CHAPTER: "r",
    UnitKind.ARTICLE: "a",
    UnitKind.PARAGRAPH: "p",
    UnitKind.SUBSECTION: "u",
    UnitKind.POINT: "k",
    UnitKind.LETTER: "l",
}
_DEPTH = {kind: depth for depth, kind in enumerate(UnitKind)}


@dataclass(frozen=True)
class Block:
    """One paragraph of the source: its text and, for a heading, its level (0 = the document's title)."""

    text: str
    heading: int | None = None


@dataclass
class Unit:
    """One numbered unit: its kind and number, the path of numbers leading to it, its own title and text.

    ``text`` is the unit's own wording (for a § with ustępy, only what stands before ``1.``); ``title`` is a
    chapter's or heading's name, or a § that is only a heading (``§ 2. Cele programu``).
    """

    kind: UnitKind
    number: str
    path: tuple[tuple[UnitKind, str], ...]
    title: str = ""
    text: str = ""

    @property
    def citation(self) -> str:
        """How the unit is cited: ``§ 3 ust. 2 pkt 1 lit. a`` (the chapter only where nothing else is)."""
        return cite(self.path)

    @property
    def key(self) -> str:
        """A stable item key, e.g. ``p3.u2.k1.a`` (ASCII, unique within a document)."""
        parts = [_KEY[kind] + re.sub(r"[^A-Za-z0-9]", "", number) for kind, number in self.path]
        return ".".join(parts)

    @property
    def depth(self) -> int:
        """How deep in the document the unit sits (0 for an annex or chapter at the top)."""
        return len(self.path) - 1


@dataclass
class DraftDocument:
    """A draft split into units, with what its preamble says (empty strings where it says nothing)."""

    title: str = ""
    subject: str = ""
    legal_basis: str = ""
    preamble: list[str] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)


def cite(path: Iterable[tuple[UnitKind, str]]) -> str:
    """The citation of a path of units; chapters are left out when a § or article follows them."""
    steps = list(path)
    has_basic = any(kind in (UnitKind.ARTICLE, UnitKind.PARAGRAPH) for kind, _ in steps)
    words = [_CITE[kind].format(number) for kind, number in steps if not (has_basic and kind is UnitKind.CHAPTER)]
    return " ".join(words)


_ROMAN = r"[IVXLC]+"
_ANNEX = re.compile(r"^Za[łl][aą]cznik(?:\s+nr\s+(\d+[a-z]?))?\b\.?\s*(.*)$", re.IGNORECASE)
_CHAPTER = re.compile(rf"^(?:Rozdzia[łl]|DZIA[ŁL])\s+({_ROMAN}|\d+[a-z]?)\b\.?\s*(.*)$", re.IGNORECASE)
_PARAGRAPH = re.compile(r"^§\s*(\d+[a-z]?)\.?(?:\s+|$)(.*)$")
_ARTICLE = re.compile(r"^Art\.\s*(\d+[a-z]?)\.?(?:\s+|$)(.*)$")
_SUBSECTION = re.compile(r"^(\d+[a-z]?)\.\s+(.*)$")
_POINT = re.compile(r"^(\d+[a-z]?)\)\s+(.*)$")
_LETTER = re.compile(r"^([a-z]{1,2})\)\s+(.*)$")
_NUMBERED_HEADING = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+(.*)$")
_SUBJECT = re.compile(r"^w\s+sprawie\s+", re.IGNORECASE)
_BASIS = re.compile(r"^Na\s+podstawie\s+", re.IGNORECASE)


def _looks_like_heading(text: str) -> bool:
    """A short line without closing punctuation: a title, not a provision (``§ 2. Cele programu``)."""
    return 0 < len(text) <= 120 and text[-1] not in ".;:,"


class _Splitter:
    """Walks the blocks once, keeping the open unit at each level."""

    def __init__(self) -> None:
        self.document = DraftDocument()
        self.open: dict[UnitKind, Unit] = {}
        self.current: Unit | None = None
        self.awaiting_title: Unit | None = None  # "Rozdział 1" whose title is on the next line
        self.headings = 0  # the number of the last top-level heading

    def add(self, unit_kind: UnitKind, number: str, rest: str) -> Unit:
        depth = _DEPTH[unit_kind]
        for kind in list(self.open):
            if _DEPTH[kind] >= depth:
                del self.open[kind]
        parents = [self.open[kind] for kind in sorted(self.open, key=_DEPTH.__getitem__)]
        path = (*(parents[-1].path if parents else ()), (unit_kind, number))
        unit = Unit(unit_kind, number, path)
        self.open[unit_kind] = unit
        self.document.units.append(unit)
        self.current = unit
        self.awaiting_title = None
        if rest:
            self.text(rest)
        return unit

    def text(self, text: str) -> None:
        unit = self.current
        if unit is None:
            self._preamble(text)
            return
        if self.awaiting_title is unit and _looks_like_heading(text):
            unit.title = text
            self.awaiting_title = None
            return
        unit.text = f"{unit.text}\n{text}" if unit.text else text

    def _preamble(self, text: str) -> None:
        doc = self.document
        doc.preamble.append(text)
        if _SUBJECT.match(text) and not doc.subject:
            doc.subject = text
        elif _BASIS.match(text) and not doc.legal_basis:
            doc.legal_basis = text
        if not doc.title:
            doc.title = text

    def block(self, block: Block) -> None:
        text = " ".join(block.text.split())
        if not text:
            return
        if block.heading == 0 and self.current is None:
            self.document.title = text
            self.document.preamble.append(text)
            return
        # "Załącznik do uchwały" above the title is the cover; after the provisions it opens the annex
        if (match := _ANNEX.match(text)) and (self.current is not None or match.group(1)):
            self.add(UnitKind.ANNEX, match.group(1) or "1", "").title = match.group(2).strip()
            return
        if match := _CHAPTER.match(text):
            self._titled(UnitKind.CHAPTER, match.group(1), match.group(2))
            return
        if block.heading is not None:
            # a heading numbered "2." or "2.1" keeps its number; one without a number follows the last chapter
            numbered = _NUMBERED_HEADING.match(text)
            if numbered:
                number = numbered.group(1)
                self.headings = int(number) if number.isdigit() else self.headings
                self._titled(UnitKind.CHAPTER, number, numbered.group(2))
            else:
                self.headings += 1
                self._titled(UnitKind.CHAPTER, str(self.headings), text)
            return
        for kind, pattern in ((UnitKind.PARAGRAPH, _PARAGRAPH), (UnitKind.ARTICLE, _ARTICLE)):
            if match := pattern.match(text):
                self._basic(kind, match.group(1), match.group(2).strip())
                return
        if self.current is not None and self._numbered(text):
            return
        self.text(text)

    def _titled(self, kind: UnitKind, number: str, title: str) -> None:
        unit = self.add(kind, number, "")
        unit.title = title.strip(" .–-")
        if not unit.title:
            self.awaiting_title = unit

    def _basic(self, kind: UnitKind, number: str, rest: str) -> None:
        inner = _SUBSECTION.match(rest)
        if inner:  # "§ 3. 1. Tekst": the first ustęp on the § line
            self.add(kind, number, "")
            self.add(UnitKind.SUBSECTION, inner.group(1), inner.group(2))
        elif _looks_like_heading(rest):
            self.add(kind, number, "").title = rest
        else:
            self.add(kind, number, rest)

    def _numbered(self, text: str) -> bool:
        if (match := _LETTER.match(text)) and UnitKind.POINT in self.open:  # "a)" only under a point
            self.add(UnitKind.LETTER, match.group(1), match.group(2))
            return True
        if match := _POINT.match(text):
            self.add(UnitKind.POINT, match.group(1), match.group(2))
            return True
        if match := _SUBSECTION.match(text):
            self.add(UnitKind.SUBSECTION, match.group(1), match.group(2))
            return True
        return False


def split_units(blocks: Iterable[Block]) -> DraftDocument:
    """Split a draft's paragraphs into its units, in document order (see the module's docstring).

    Numbers are kept as written (``3a``, ``IV``); a line that numbers nothing is text of the unit before it.
    """
    splitter = _Splitter()
    for block in blocks:
        splitter.block(block)
    return splitter.document
