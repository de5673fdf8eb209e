"""The register of residents keyed by (process, 128-bit HMAC) alone: a WITHOUT ROWID table on SQLite.

Revision ID: 0009_register_key
Revises: 0008_ballot_newest
Create Date: 2026-12-04

A million residents were a table and a unique index of 64-character digests; now they are one B-tree of
32-character ones (storage/tables/verification.py). Registers are imported again after the upgrade (none was in
use: 0006 is from the same day).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_register_key"
down_revision: str | Sequence[str] | None = "0008_ballot_newest"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("register_entry")
    op.create_table(
        "register_entry",
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["process_id"], ["process.id"], name=op.f("fk_register_entry_process_id_process"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("process_id", "entry_hash", name=op.f("pk_register_entry")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("register_entry")
    op.create_table(
        "register_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["process_id"], ["process.id"], name=op.f("fk_register_entry_process_id_process"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_entry")),
        sa.UniqueConstraint("process_id", "entry_hash", name=op.f("uq_register_entry_process_id_entry_hash")),
    )
