"""Secret ballots without time or channel, and tombstones so that erasure never buys a second ballot.

Revision ID: 0007_tombstones
Revises: 0006_verification
Create Date: 2026-12-04

``ballot.cast_at`` and ``ballot.channel`` become nullable: a secret process stores neither for a remote ballot
(they could pair it with the voter's participation). ``tombstone`` is storage/tables/voting.py's
:class:`Tombstone`. SQLite cannot drop NOT NULL in place, so the ballot table is rebuilt (batch mode); its partial
unique index is dropped first and created again afterwards, because a rebuilt table would not keep the index's
``WHERE``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_tombstones"
down_revision: str | Sequence[str] | None = "0006_verification"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _one_current_index() -> None:
    op.create_index(
        "uq_ballot_one_current",
        "ballot",
        ["process_id", "ballot_key", "round"],
        unique=True,
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    )


def _nullable(nullable: bool) -> None:
    op.drop_index("uq_ballot_one_current", table_name="ballot")
    with op.batch_alter_table("ballot") as batch:
        batch.alter_column("cast_at", existing_type=sa.DateTime(timezone=True), nullable=nullable)
        batch.alter_column("channel", existing_type=sa.String(length=32), nullable=nullable)
    _one_current_index()


def upgrade() -> None:
    _nullable(True)
    op.create_table(
        "tombstone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("identity_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("heir_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["process_id"], ["process.id"], name=op.f("fk_tombstone_process_id_process"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_tombstone_person_id_person"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["heir_id"], ["person.id"], name=op.f("fk_tombstone_heir_id_person"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tombstone")),
        sa.UniqueConstraint("process_id", "identity_hash", name=op.f("uq_tombstone_process_id_identity_hash")),
    )
    op.create_index("ix_tombstone_heir", "tombstone", ["process_id", "heir_id"], unique=False)
    op.create_index(op.f("ix_tombstone_person_id"), "tombstone", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_table("tombstone")
    op.execute(sa.text("DELETE FROM ballot WHERE cast_at IS NULL OR channel IS NULL"))
    _nullable(False)
