"""E-mail channel: reply tokens (hashed) and processed incoming messages (unique by Message-ID hash).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(column: str, table: str, ondelete: str, source: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{table}.id"], name=op.f(f"fk_{source}_{column}_{table}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "mail_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("process_id", "process", "CASCADE", "mail_token"),
        _fk("person_id", "person", "CASCADE", "mail_token"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_mail_token_token_hash")),
    )
    op.create_index(op.f("ix_mail_token_process_id"), "mail_token", ["process_id"], unique=False)
    op.create_index(op.f("ix_mail_token_person_id"), "mail_token", ["person_id"], unique=False)
    op.create_table(
        "mail_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_hash", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("process_id", sa.Integer(), nullable=True),
        _fk("person_id", "person", "SET NULL", "mail_message"),
        _fk("process_id", "process", "SET NULL", "mail_message"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_message")),
        sa.UniqueConstraint("message_hash", name=op.f("uq_mail_message_message_hash")),
    )
    op.create_index(op.f("ix_mail_message_person_id"), "mail_message", ["person_id"], unique=False)
    op.create_index(op.f("ix_mail_message_process_id"), "mail_message", ["process_id"], unique=False)


def downgrade() -> None:
    op.drop_table("mail_message")
    op.drop_table("mail_token")
