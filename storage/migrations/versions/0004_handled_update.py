"""Telegram updates already taken in (a redelivered update is not handled twice after a crash).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

The table is storage/tables/inbound.py; names follow storage.base.NAMING_CONVENTION.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "handled_update",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_handled_update")),
    )
    op.create_index(op.f("ix_handled_update_handled_at"), "handled_update", ["handled_at"], unique=False)


def downgrade() -> None:
    op.drop_table("handled_update")
