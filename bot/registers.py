"""The city's register of eligible residents, read from CSV as a stream (a million lines in constant memory).

The delimiter (``;`` or ``,``) is taken from the header line. A line names a resident by name and address
(columns ``imię i nazwisko``/``name`` — or ``imię`` and ``nazwisko`` apart — and ``adres``/``address``), or by a
number of the city's own (``numer``/``number``/``id``); a register may hold either or both. Lines that give
neither are counted as skipped, never silently dropped. Nothing is stored here:
:meth:`bot.services.verification.VerificationService.import_register` keeps only HMACs of the lines' keys.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bot.addresses import fold, resident_key
from bot.errors import InputError

__all__ = ["RegisterLayout", "RegisterReader", "number_key"]

_NAME = ("imię i nazwisko", "imie i nazwisko", "name", "full name", "nazwisko i imię", "nazwisko i imie")
_FIRST = ("imię", "imie", "first name", "given name")
_LAST = ("nazwisko", "last name", "surname", "family name")
_ADDRESS = ("adres", "address", "adres zamieszkania", "adres zameldowania")
_NUMBER = ("numer", "number", "id", "nr", "numer mieszkańca", "numer mieszkanca")


def number_key(number: str) -> str:
    """The comparable form of the city's own resident number (``AB-123 45`` → ``ab12345``)."""
    return "".join(fold(number).split()).replace("/", "")


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    for index, cell in enumerate(header):
        if cell.strip().lower() in names:
            return index
    return None


@dataclass(frozen=True)
class RegisterLayout:
    """Where a register's columns are (read from its header) and how a row becomes its resident's keys."""

    columns: tuple[tuple[str, int | None], ...]
    has_name: bool

    @classmethod
    def from_header(cls, header: list[str]) -> RegisterLayout:
        """The layout of a header row; :class:`InputError` ``register.no_columns`` when it names no resident."""
        columns = {
            "name": _find(header, _NAME),
            "first": _find(header, _FIRST),
            "last": _find(header, _LAST),
            "address": _find(header, _ADDRESS),
            "number": _find(header, _NUMBER),
        }
        has_name = columns["name"] is not None or (columns["first"] is not None and columns["last"] is not None)
        if not ((has_name and columns["address"] is not None) or columns["number"] is not None):
            raise InputError("register.no_columns")
        return cls(tuple(columns.items()), has_name)

    def keys(self, row: list[str]) -> tuple[str, ...]:
        """The row's keys: ``resident:…`` (name and address) first where given, then ``number:…``; () for none."""
        name, first, last, address, number_at = (index for _, index in self.columns)  # a million times: no dict
        keys: tuple[str, ...] = ()
        if self.has_name and address is not None:
            who = _cell(row, name) if name is not None else f"{_cell(row, first)} {_cell(row, last)}"
            key = resident_key(who, _cell(row, address))
            if key:
                keys = ("resident:" + key,)
        number = number_key(_cell(row, number_at)) if number_at is not None else ""
        if number:
            keys += ("number:" + number,)
        return keys


def _cell(row: list[str], index: int | None) -> str:
    return row[index] if index is not None and index < len(row) else ""


@dataclass
class RegisterReader:
    """Iterates the keys of a register file's lines (``resident:…`` or ``number:…``); counts what it skipped."""

    lines: Iterable[str]
    skipped: int = 0
    read: int = 0
    layout: RegisterLayout | None = None

    def __iter__(self) -> Iterator[str]:
        """Every key of every line, in file order (a line with name, address and number gives two)."""
        for keys in self.residents():
            yield from keys

    def residents(self) -> Iterator[tuple[str, ...]]:
        """The keys of each line, in file order: one resident, named by one or two keys (the first is the
        resident's own: name and address where given)."""
        for row in self.rows():
            keys = self.layout.keys(row) if self.layout is not None else ()
            if keys:
                yield keys
            else:
                self.skipped += 1

    def rows(self) -> Iterator[list[str]]:
        """The non-empty rows after the header (counted in ``read``); sets :attr:`layout` from the header."""
        lines = iter(self.lines)
        header_line = next(lines, "").lstrip("\ufeff")
        delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
        self.layout = RegisterLayout.from_header(next(csv.reader([header_line], delimiter=delimiter), []))
        for row in csv.reader(lines, delimiter=delimiter):
            if any(cell.strip() for cell in row):
                self.read += 1
                yield row
