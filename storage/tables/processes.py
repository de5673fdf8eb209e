"""Processes and what they are made of: pools (budget pots with their rules) and items.

The :class:`Process` row keeps the whole validated :class:`bot.definition.model.ProcessDefinition` as JSON
(``definition.model_dump(mode="json")``) — the definition is the truth; :class:`Pool` and :class:`Item`
rows are its queryable projection (item numbers for e-mail replies, costs for sums, foreign-key anchors for
opinions), written together with it. Deleting a process cascades to its pools, items, roster, invite codes,
eligibility and roles, but is refused (``RESTRICT``) once it has ballots, participation or opinions.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

import storage.base  # noqa: F401  (the naming convention must be set before any table)
from bot.domain import ItemKind, Phase, ProcessKind, ResultsVisibility
from storage.types import JSONType, Money, StrEnumType, UTCDateTime, utcnow

__all__ = ["Item", "Pool", "Process"]

# The version column is built here so that the mapper can be told to manage it (``version_id_col``).
_process_version = Column("version", Integer, nullable=False)


class Process(SQLModel, table=True):
    """One consultation, vote, budget, survey or deliberative poll.

    ``opens_at``/``closes_at`` are aware datetimes (stored in UTC). ``version`` is SQLAlchemy's version
    counter: it starts at 1 and every ORM flush that updates the row increments it with
    ``UPDATE … WHERE version = :seen``, so two moderators changing the same process concurrently make the
    second flush raise :class:`sqlalchemy.orm.exc.StaleDataError` instead of silently overwriting.
    ``updated_at`` moves on every
    update.
    """

    __tablename__ = "process"
    __mapper_args__ = {"version_id_col": _process_version}

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=40, unique=True)
    kind: ProcessKind = Field(sa_type=StrEnumType(ProcessKind))
    phase: Phase = Field(default=Phase.DRAFT, sa_type=StrEnumType(Phase), index=True)
    title_pl: str = Field(max_length=500)
    title_en: str | None = Field(default=None, max_length=500)
    definition: dict[str, Any] = Field(sa_type=JSONType)
    secret: bool = Field(default=False)
    results_visibility: ResultsVisibility = Field(
        default=ResultsVisibility.AFTER_PUBLISH, sa_type=StrEnumType(ResultsVisibility)
    )
    opens_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closes_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    auto_publish: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs={"onupdate": utcnow})
    version: int = Field(default=1, sa_column=_process_version)


class Pool(SQLModel, table=True):
    """A budget pot or a group of items sharing a ballot rule.

    ``ballot_rule`` and ``counting_rule`` are the definition's ``BallotRule``/``CountingRule`` dumped as JSON;
    ``budget`` is exact money; ``district`` limits the pool to voters eligible with that district.
    """

    __tablename__ = "pool"
    __table_args__ = (UniqueConstraint("process_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="process.id", ondelete="CASCADE")
    key: str = Field(max_length=64)
    budget: Decimal | None = Field(default=None, sa_type=Money)
    district: str | None = Field(default=None, max_length=64)
    ballot_rule: dict[str, Any] = Field(sa_type=JSONType)
    counting_rule: dict[str, Any] = Field(sa_type=JSONType)


class Item(SQLModel, table=True):
    """An option, a project, a § section, a question or a statement of a process.

    ``pool_id`` is NULL for § sections (they are not voted on). ``number`` is what people type or see
    (``"7"``, ``"§3"``); ``position`` is the definition order. ``title`` is a ``LocalizedText`` as JSON
    (``{"pl": …, "en": …}``). ``cost`` is exact money for projects.
    """

    __tablename__ = "item"
    __table_args__ = (UniqueConstraint("process_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="process.id", ondelete="CASCADE")
    pool_id: int | None = Field(default=None, foreign_key="pool.id", ondelete="CASCADE", index=True)
    key: str = Field(max_length=64)
    kind: ItemKind = Field(default=ItemKind.OPTION, sa_type=StrEnumType(ItemKind))
    number: str | None = Field(default=None, max_length=32)
    title: dict[str, Any] = Field(sa_type=JSONType)
    cost: Decimal | None = Field(default=None, sa_type=Money)
    position: int = Field(default=0)
