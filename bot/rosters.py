"""Rosters of people who may take part, read from CSV (name, organisation, e-mail …).

The file's delimiter (``;`` or ``,``) and header are detected; address columns are found by their header
(``email``, ``e-mail``, ``adres``, ``mail``; ``telegram`` — a numeric user id or an ``@username``; ``console``).
A member may be given by e-mail, by Telegram or both. A ``gmina`` (``municipality``, ``dzielnica``, ``district``)
column names the area the member takes part in — an NGO's municipality in the friendly-local-government index —
so they are never asked for it; the process checks it against its areas when the roster is imported. Rows without
a usable address are skipped and counted, never silently dropped.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from bot.domain import Channel
from bot.errors import InputError
from bot.services.eligibility import RosterRow

__all__ = ["MAX_ROSTER_BYTES", "RosterFile", "parse_roster_csv", "read_roster", "telegram_address"]

MAX_ROSTER_BYTES = 5_000_000

_ADDRESS_HEADERS = {
    Channel.EMAIL: ("email", "e-mail", "adres", "adres e-mail", "mail"),
    Channel.TELEGRAM: ("telegram", "telegram_id", "telegram id"),
    Channel.CONSOLE: ("console", "konsola", "user"),
}
_USERNAME = re.compile(r"^@?[A-Za-z][A-Za-z0-9_]{3,31}$")  # Telegram usernames: 5-32 characters (we allow 4)
_NAME_HEADERS = ("name", "imię i nazwisko", "imie i nazwisko", "nazwisko", "imię", "imie")
_ORGANISATION_HEADERS = ("organisation", "organization", "organizacja", "stowarzyszenie", "fundacja")
# the area the member takes part in: an NGO's municipality for the friendly-local-government index
_AREA_HEADERS = ("gmina", "municipality", "samorząd", "samorzad", "dzielnica", "district", "громада")


@dataclass(frozen=True)
class RosterFile:
    """What a roster file held: the rows, how many lines had no usable address, and the members named both by
    e-mail and by Telegram, as (e-mail, Telegram id or ``@username``) pairs."""

    rows: list[RosterRow]
    skipped: int
    pairs: list[tuple[str, str]] = field(default_factory=list)


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    for index, cell in enumerate(header):
        if cell.strip().lower() in names:
            return index
    return None


def telegram_address(value: str) -> str | None:
    """A roster's Telegram identity in its stored form: a numeric user id, or ``@username`` in lower case; None
    when ``value`` is neither."""
    value = value.strip()
    if value.isdigit():
        return str(int(value))
    if _USERNAME.match(value):
        return "@" + value.lstrip("@").lower()
    return None


def read_roster(text: str, *, channel: Channel = Channel.EMAIL) -> RosterFile:
    """Parse a roster; :class:`InputError` ``roster.no_address_column`` when no column holds addresses.

    A row may name a member by e-mail, by Telegram (numeric id or ``@username``) or both; a row with both is one
    member (:attr:`RosterFile.pairs`). ``channel`` is the channel whose column must be there when only one is.
    """
    if len(text.encode()) > MAX_ROSTER_BYTES:
        raise InputError("roster.too_large", max=MAX_ROSTER_BYTES)
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    lines = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(cell.strip() for cell in row)]
    if not lines:
        raise InputError("roster.empty")
    header = lines[0]
    columns = {kind: _column(header, _ADDRESS_HEADERS[kind]) for kind in (Channel.EMAIL, Channel.TELEGRAM)}
    if channel is Channel.CONSOLE:
        columns = {Channel.CONSOLE: _column(header, _ADDRESS_HEADERS[Channel.CONSOLE])}
    if all(index is None for index in columns.values()):
        names = [name for kind in columns for name in _ADDRESS_HEADERS[kind]]
        raise InputError("roster.no_address_column", columns=", ".join(names))
    name, organisation = _column(header, _NAME_HEADERS), _column(header, _ORGANISATION_HEADERS)
    area = _column(header, _AREA_HEADERS)
    rows: list[RosterRow] = []
    pairs: list[tuple[str, str]] = []
    skipped = 0
    for line in lines[1:]:
        found: dict[Channel, str] = {}
        for kind, index in columns.items():
            value = line[index].strip() if index is not None and index < len(line) else ""
            if kind is Channel.EMAIL and "@" in value[1:]:
                found[kind] = value
            elif kind is Channel.TELEGRAM and (address := telegram_address(value)):
                found[kind] = address
            elif kind is Channel.CONSOLE and value:
                found[kind] = value
        if not found:
            skipped += 1
            continue
        who = line[name].strip() if name is not None and name < len(line) else None
        where = line[organisation].strip() if organisation is not None and organisation < len(line) else None
        district = (line[area].strip() or None) if area is not None and area < len(line) else None
        rows.extend(RosterRow(kind, address, who, where, district) for kind, address in found.items())
        if Channel.EMAIL in found and Channel.TELEGRAM in found:
            pairs.append((found[Channel.EMAIL].lower(), found[Channel.TELEGRAM]))
    return RosterFile(rows, skipped, pairs)


def parse_roster_csv(text: str, *, channel: Channel = Channel.EMAIL) -> list[RosterRow]:
    """Only the rows of :func:`read_roster`."""
    return read_roster(text, channel=channel).rows
