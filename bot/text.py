"""Text from people, made safe to keep and to show: control and bidi characters out, every output escaped.

:func:`clean_text` is applied on the way in (opinions, names, titles, authority responses) and keeps the text
readable: a vertical tab or form feed becomes a space, line separators become line breaks, ANSI escape sequences
(``\\x1b[31m``) vanish whole, other C0/C1 controls, bidi overrides and isolates (the "Trojan Source" characters),
BOMs and the code points XML cannot carry are removed. The ``for_*`` functions are the last step of each output,
for what was stored before (or arrives by another way): :func:`for_xml` for DOCX, :func:`for_csv_cell` against
formula injection (a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is what
spreadsheets evaluate: it is prefixed with ``'``), :func:`for_terminal` for the console. HTML is escaped by the
templates (Jinja2 autoescape) and Telegram gets plain text (no markup mode is ever asked for), after
:func:`clean_text`.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_line", "clean_text", "for_csv_cell", "for_terminal", "for_xml"]

# ESC [ … final byte (CSI), ESC ] … BEL or ESC \ (OSC), ESC P/X/^/_ … ESC \ (DCS, SOS, PM, APC), ESC + one
# character; and the 8-bit CSI.
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b.?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
)
_SPACES = {"\t": " ", "\x0b": " ", "\x0c": " "}
_BREAKS = {"\r\n": "\n", "\r": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"}
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_INVISIBLE = frozenset("\ufeff\u2060\u00ad")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _keep(character: str) -> bool:
    if character == "\n":
        return True
    if character in _BIDI or character in _INVISIBLE:
        return False
    category = unicodedata.category(character)
    return category not in ("Cc", "Cs") and character not in ("\ufffe", "\uffff")


def clean_text(text: str) -> str:
    """``text`` without control, bidi and invisible characters, readable (see the module docstring), NFC."""
    text = _ANSI.sub("", text)
    for old, new in _BREAKS.items():
        text = text.replace(old, new)
    for old, new in _SPACES.items():
        text = text.replace(old, new)
    return unicodedata.normalize("NFC", "".join(character for character in text if _keep(character)))


def clean_line(text: str) -> str:
    """:func:`clean_text` on one line: line breaks become spaces, runs of spaces one (names, titles)."""
    return " ".join(clean_text(text).split())


def for_xml(text: str) -> str:
    """``text`` with the code points XML 1.0 cannot carry removed (python-docx raises on them)."""
    return _XML_INVALID.sub("", _ANSI.sub("", text.replace("\x0b", " ").replace("\x0c", " ")))


def for_csv_cell(value: object) -> object:
    """A CSV cell that a spreadsheet shows and never evaluates: text starting like a formula gets a ``'``."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def for_terminal(text: str) -> str:
    """``text`` as a terminal may print it: no escape sequence, no control character but the line break."""
    return clean_text(text)
