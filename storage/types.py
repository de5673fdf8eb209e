"""Column types shared by every table: aware UTC timestamps, string-valued enums, JSON, money.

The store speaks the same values on SQLite and PostgreSQL:

* :class:`UTCDateTime` accepts only timezone-aware datetimes, stores them in UTC and always returns aware UTC
  datetimes (SQLite has no time zone storage, PostgreSQL returns ``timestamptz`` in the session's zone).
* :class:`StrEnumType` stores a :class:`enum.StrEnum` by its *value* (``"telegram"``, not ``"TELEGRAM"``) in a
  plain ``VARCHAR``; no native PostgreSQL enum, so adding a member needs no migration.
* :data:`JSONType` is ``JSON``, ``JSONB`` on PostgreSQL.
* :data:`Money` is an exact ``NUMERIC(14, 2)``: złoty with grosze, up to 999 999 999 999.99.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import JSON, DateTime, Numeric, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = ["ENUM_LENGTH", "JSONType", "Money", "StrEnumType", "UTCDateTime", "utcnow"]

ENUM_LENGTH = 32
"""Width of every enum column; the longest value today is ``declared_district`` (17)."""

JSONType: TypeEngine[Any] = JSON().with_variant(JSONB(), "postgresql")
"""A JSON document; ``JSONB`` on PostgreSQL (indexable, compact, compared by value)."""

Money = Numeric(14, 2, asdecimal=True)
"""An exact amount of money in złoty (two decimal places); Python side :class:`decimal.Decimal`."""


def utcnow() -> datetime:
    """The current time as an aware UTC datetime (the default of every timestamp column)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored in UTC.

    Binding a naive datetime raises :class:`ValueError`: a naive value is ambiguous (Warsaw? UTC?) and the
    mistake is cheaper to catch at the write than in a report. Values read back are aware, in UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()}: the store keeps aware datetimes only")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # SQLite keeps text without an offset; everything in it is UTC by this contract.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


E = TypeVar("E", bound=StrEnum)


class StrEnumType(TypeDecorator[E], Generic[E]):
    """A :class:`~enum.StrEnum` stored by value in ``VARCHAR(32)``; unknown values raise :class:`ValueError`.

    Plain strings are accepted on write if they are a member's value (``"telegram"``), so a query may compare
    with either the member or its value.
    """

    impl = String(ENUM_LENGTH)
    cache_ok = True

    def __init__(self, enum_class: type[E]) -> None:
        super().__init__()
        self.enum_class = enum_class

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        # Raises ValueError for a value that is not a member: never write a word the code does not know.
        return self.enum_class(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        if value is None:
            return None
        return self.enum_class(value)

    def __repr__(self) -> str:
        return f"StrEnumType({self.enum_class.__name__})"
