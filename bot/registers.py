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
from dataclasses import dataclass, field

from bot.addresses import fold, resident_key
from bot.errors import InputError

__all__ = ["RegisterReader", "number_key"]

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


@dataclass
class RegisterReader:
    """Iterates the keys of a register file's lines (``resident:…`` or ``number:…``); counts what it skipped."""

    lines: Iterable[str]
    skipped: int = 0
    read: int = 0
    _columns: dict[str, int | None] = field(default_factory=dict)

    def __iter__(self) -> Iterator[str]:
        """Every key of every line, in file order (a line with name, address and number gives two)."""
        for keys in self.residents():
            yield from keys

    def residents(self) -> Iterator[tuple[str, ...]]:
        """The keys of each line, in file order: one resident, named by one or two keys (the first is the
        resident's own: name and address where given)."""
        rows = iter(self.lines)
        header_line = next(rows, "").lstrip("\ufeff")
        delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
        header = next(csv.reader([header_line], delimiter=delimiter), [])
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
        self._columns = columns
        for row in csv.reader(rows, delimiter=delimiter):
            if not any(cell.strip() for cell in row):
                continue
            self.read += 1
            keys: tuple[str, ...] = ()
            if has_name and columns["address"] is not None:
                key = resident_key(self._name(row), self._cell(row, "address"))
                if key:
                    keys = ("resident:" + key,)
            number = number_key(self._cell(row, "number")) if columns["number"] is not None else ""
            if number:
                keys += ("number:" + number,)
            if keys:
                yield keys
            else:
                self.skipped += 1

    def _cell(self, row: list[str], column: str) -> str:
        index = self._columns.get(column)
        return row[index] if index is not None and index < len(row) else ""

    def _name(self, row: list[str]) -> str:
        if self._columns.get("name") is not None:
            return self._cell(row, "name")
        return f"{self._cell(row, 'first')} {self._cell(row, 'last')}"
