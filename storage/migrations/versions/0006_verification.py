"""Verified residents and linked identities: the register (HMACs), verified voters, failed attempts, e-mail link
codes, deep-link tokens, and the Telegram @username of an identity (for rosters that name one).

Revision ID: 0006_verification
Revises: 0005
Create Date: 2026-12-04

The tables are storage/tables/verification.py; names follow storage.base.NAMING_CONVENTION.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_verification"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _fk(source: str, column: str, table: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{table}.id"], name=op.f(f"fk_{source}_{column}_{table}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "register_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        _fk("register_entry", "process_id", "process", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_entry")),
        sa.UniqueConstraint("process_id", "entry_hash", name=op.f("uq_register_entry_process_id_entry_hash")),
    )
    op.create_table(
        "verified_voter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("voter_hash", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        _ts("verified_on"),
        _fk("verified_voter", "person_id", "person", "CASCADE"),
        _fk("verified_voter", "process_id", "process", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verified_voter")),
        sa.UniqueConstraint("process_id", "person_id", name=op.f("uq_verified_voter_process_id_person_id")),
    )
    op.create_index(op.f("ix_verified_voter_person_id"), "verified_voter", ["person_id"], unique=False)
    op.create_index("ix_verified_voter_resident", "verified_voter", ["process_id", "voter_hash"], unique=False)
    op.create_table(
        "verification_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        _ts("day"),
        _fk("verification_attempt", "person_id", "person", "SET NULL"),
        _fk("verification_attempt", "process_id", "process", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_attempt")),
    )
    op.create_index(op.f("ix_verification_attempt_person_id"), "verification_attempt", ["person_id"], unique=False)
    op.create_index(op.f("ix_verification_attempt_process_id"), "verification_attempt", ["process_id"], unique=False)
    op.create_table(
        "link_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        _ts("expires_at"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _fk("link_code", "person_id", "person", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_code")),
        sa.UniqueConstraint("person_id", name=op.f("uq_link_code_person_id")),
    )
    op.create_table(
        "link_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        _ts("expires_at"),
        _fk("link_token", "person_id", "person", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_link_token_token_hash")),
    )
    op.create_index(op.f("ix_link_token_person_id"), "link_token", ["person_id"], unique=False)
    with op.batch_alter_table("identity") as batch:
        batch.add_column(sa.Column("username", sa.String(length=64), nullable=True))
        batch.create_index(op.f("ix_identity_username"), ["username"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("identity") as batch:
        batch.drop_index(op.f("ix_identity_username"))
        batch.drop_column("username")
    for table in ("link_token", "link_code", "verification_attempt", "verified_voter", "register_entry"):
        op.drop_table(table)
