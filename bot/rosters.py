"""Rosters of people who may take part, read from CSV (name, organisation, e-mail …).

The file's delimiter (``;`` or ``,``) and header are detected; the address column is the first whose header
names the channel (``email``, ``e-mail``, ``adres``, ``mail``; ``telegram``; ``console``). Rows without an
address are skipped and counted, never silently dropped.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from bot.domain import Channel
from bot.errors import InputError
from bot.services.eligibility import RosterRow

__all__ = ["MAX_ROSTER_BYTES", "RosterFile", "parse_roster_csv", "read_roster"]

MAX_ROSTER_BYTES = 5_000_000

_ADDRESS_HEADERS = {
    Channel.EMAIL: ("email", "e-mail", "adres", "adres e-mail", "mail"),
    Channel.TELEGRAM: ("telegram", "telegram_id", "telegram id"),
    Channel.CONSOLE: ("console", "konsola", "user"),
}
_NAME_HEADERS = ("name", "imię i nazwisko", "imie i nazwisko", "nazwisko", "imię", "imie")
_ORGANISATION_HEADERS = ("organisation", "organization", "organizacja", "stowarzyszenie", "fundacja")


@dataclass(frozen=True)
class RosterFile:
    """What a roster file held: the rows, and how many lines had no usable address."""

    rows: list[RosterRow]
    skipped: int


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    for index, cell in enumerate(header):
        if cell.strip().lower() in names:
            return index
    return None


def read_roster(text: str, *, channel: Channel = Channel.EMAIL) -> RosterFile:
    """Parse a roster; :class:`InputError` ``roster.no_address_column`` when no column holds addresses."""
    if len(text.encode()) > MAX_ROSTER_BYTES:
        raise InputError("roster.too_large", max=MAX_ROSTER_BYTES)
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    lines = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(cell.strip() for cell in row)]
    if not lines:
        raise InputError("roster.empty")
    header = lines[0]
    address = _column(header, _ADDRESS_HEADERS[channel])
    if address is None:
        raise InputError("roster.no_address_column", columns=", ".join(_ADDRESS_HEADERS[channel]))
    name, organisation = _column(header, _NAME_HEADERS), _column(header, _ORGANISATION_HEADERS)
    rows, skipped = [], 0
    for line in lines[1:]:
        value = line[address].strip() if address < len(line) else ""
        if not value or (channel is Channel.EMAIL and "@" not in value):
            skipped += 1
            continue
        rows.append(
            RosterRow(
                channel,
                value,
                line[name].strip() if name is not None and name < len(line) else None,
                line[organisation].strip() if organisation is not None and organisation < len(line) else None,
            )
        )
    return RosterFile(rows, skipped)


def parse_roster_csv(text: str, *, channel: Channel = Channel.EMAIL) -> list[RosterRow]:
    """Only the rows of :func:`read_roster`."""
    return read_roster(text, channel=channel).rows
