"""Reading a unit citation at the start of a remark: ``§ 3 ust. 2 pkt 1: tekst`` → ``§ 3 ust. 2 pkt 1``.

Residents write citations loosely (``§3 ust.2 pkt 1``, ``par. 3``, ``art. 5 ust. 1``, ``rozdz. 2``,
``zał. 1 § 4``); :func:`read_citation` accepts those and returns the canonical citation (as
:attr:`bot.documents.units.Unit.citation` writes it) and the rest of the text. :func:`citation_key` folds a
citation for comparison, so that ``§3``, ``§ 3`` and a TOML section numbered ``§3`` are the same unit.
"""

from __future__ import annotations

import re

__all__ = ["citation_key", "read_citation", "remark_on", "shown_citation", "take_citation"]

_NUMBER = r"(\d+[a-z]?)"
_CHAPTER_NUMBER = r"(\d+[a-z]?|[IVXLC]+)"  # chapters are also numbered in Roman
_LEVELS = (
    ("zał.", rf"(?:za[łl]\.?|za[łl][aą]cznik(?:\s+nr)?)\s*{_CHAPTER_NUMBER}"),
    ("rozdz.", rf"(?:rozdz\.?|rozdzia[łl])\s*{_CHAPTER_NUMBER}"),
    ("art.", rf"art\.?\s*{_NUMBER}"),
    ("§", rf"(?:§+|par\.?|paragraf)\s*{_NUMBER}"),
    ("ust.", rf"ust\.?\s*{_NUMBER}"),
    ("pkt", rf"pkt\.?\s*{_NUMBER}"),
    ("lit.", r"lit\.?\s*([a-z]{1,2})\b"),
)
# Each level at most once, in order, separated by spaces or commas; then a separator (":", "-", ".") or the end
# (or, loosely, a space: "/opinia § 3 ust. 2 za krótki termin").
_LEVELS_RE = "".join(rf"(?:{pattern}[\s,]*)?" for _, pattern in _LEVELS)
_CITATION = re.compile(r"^\s*" + _LEVELS_RE + r"\s*(?:[:\-–—.)]\s*|$)", re.IGNORECASE)
_LOOSE_CITATION = re.compile(r"^\s*" + _LEVELS_RE + r"(?:\s*[:\-–—.)]\s*|(?<=\s)|$)", re.IGNORECASE)
# What was accepted before units: "§3.1: text" (a dotted number), "sekcja s2: text" (a key).
_LEGACY = re.compile(r"^\s*(?:(?:§+|par\.?|paragraf)\s*(\d+(?:\.\d+)+)|(?:section|sekcja)\s+([\w.]+))", re.I)
_LEGACY_REST = re.compile(r"^\s*[:\-–—.)]?\s*")


def take_citation(text: str, *, loose: bool = False) -> tuple[str | None, str]:
    """The unit a remark is about and its text: ``("3", …)`` for ``§ 3``, the citation for deeper units.

    ``"§ 3: x"`` → ``("3", "x")`` (the form sections always had); ``"§ 3 ust. 2 pkt 1: x"`` →
    ``("§ 3 ust. 2 pkt 1", "x")``; ``"§3.1: x"`` and ``"sekcja s2 x"`` keep their number or key; no
    citation → ``(None, text)``. ``loose`` also takes a citation followed by a space only (a chat command).
    """
    legacy = _LEGACY.match(text)
    if legacy:
        rest = text[legacy.end() :]
        separator = _LEGACY_REST.match(rest)
        if loose or (separator and separator.group().strip()) or not rest.strip():
            return legacy.group(1) or legacy.group(2), rest[separator.end() if separator else 0 :].strip()
    found = read_citation(text, loose=loose)
    if found is None:
        return None, text
    citation, rest = found
    return (citation[2:] if re.fullmatch(r"§ \d+[a-z]?", citation) else citation), rest


def shown_citation(section: str) -> str:
    """A unit as people read it: ``3`` → ``§3``, a citation as it is."""
    return f"§{section}" if section[:1].isdigit() else section


def remark_on(section: str, text: str) -> str:
    """A remark on ``section`` written out so that :func:`take_citation` reads ``(section, text)`` back: the
    form a channel that knows the unit already hands to ``/opinia`` (``3`` → ``§3: text``, a citation as it is,
    a section key → ``sekcja s2: text``)."""
    if section[:1].isdigit():
        return f"§{section}: {text}"
    if read_citation(f"{section}:") is not None:
        return f"{section}: {text}"
    return f"sekcja {section}: {text}"


def read_citation(text: str, *, loose: bool = False) -> tuple[str, str] | None:
    """The canonical citation a remark starts with and the remark's text after it; ``None`` if none.

    ``"§ 3 ust. 2 pkt 1: za krótki termin"`` → ``("§ 3 ust. 2 pkt 1", "za krótki termin")``. A chapter
    cited together with a § is dropped (§ numbers run through the whole document).
    """
    match = (_LOOSE_CITATION if loose else _CITATION).match(text)
    if match is None or not any(match.groups()):
        return None
    parts: list[str] = []
    has_basic = bool(match.group(3) or match.group(4))
    for (word, _), number in zip(_LEVELS, match.groups(), strict=True):
        if number is None or (word == "rozdz." and has_basic):
            continue
        number = number.lower() if word == "lit." else number
        parts.append(f"{word} {number}")
    return " ".join(parts), text[match.end() :].strip()


def citation_key(citation: str) -> str:
    """A citation folded for comparison: no spaces, lower case, no leading ``§`` (``§ 3 ust. 2`` → ``3ust.2``)."""
    folded = "".join(citation.split()).lower()
    return folded[1:] if folded.startswith("§") else folded
