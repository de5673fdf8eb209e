"""The metadata every table registers on, with a naming convention for constraints and indexes.

SQLModel keeps one global :class:`~sqlalchemy.MetaData` (``SQLModel.metadata``). Setting the naming convention
on it *before* any table is declared makes every constraint name deterministic
(``uq_identity_channel_address``, ``fk_identity_person_id_person`` …), so hand-written migrations,
autogenerate and both dialects agree, and a later migration can drop a constraint by name. Import
:data:`metadata` from here, never build another one.
"""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlmodel import SQLModel

__all__ = ["NAMING_CONVENTION", "metadata"]

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata: MetaData = SQLModel.metadata
metadata.naming_convention = NAMING_CONVENTION
