"""Organisations (gmina, miasto, powiat, NGO, federation); a process belongs to one, a moderator may act for one.

Revision ID: 0010_organisations
Revises: 0009_register_key
Create Date: 2026-12-04

The tables are storage/tables/organisations.py. A process's organisation is a row of ``process_organisation``, not
a column of ``process``: on SQLite a column with a named foreign key needs the table rebuilt (batch mode), and
dropping ``process`` would run the ON DELETE actions of every table pointing at it. ``role`` points at nothing that
matters that way and is rebuilt in batch mode on SQLite. Existing processes get no organisation and existing
moderator grants stay global (docs/SECURITY.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_organisations"
down_revision: str | Sequence[str] | None = "0009_register_key"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _global_role_index(where: str) -> None:
    op.create_index(
        "uq_role_global",
        "role",
        ["person_id", "role"],
        unique=True,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("teryt", sa.String(length=7), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["organisation.id"], name=op.f("fk_organisation_parent_id_organisation"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("slug", name=op.f("uq_organisation_slug")),
    )
    op.create_index(op.f("ix_organisation_kind"), "organisation", ["kind"], unique=False)
    op.create_table(
        "process_organisation",
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_process_organisation_organisation_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["process_id"], ["process.id"], name=op.f("fk_process_organisation_process_id_process"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("process_id", name=op.f("pk_process_organisation")),
    )
    op.create_index(
        op.f("ix_process_organisation_organisation_id"), "process_organisation", ["organisation_id"], unique=False
    )
    op.drop_index("uq_role_global", table_name="role")
    with op.batch_alter_table("role") as batch:
        batch.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_role_organisation_id_organisation"), "organisation", ["organisation_id"], ["id"], ondelete="CASCADE"
        )
    op.create_index(op.f("ix_role_organisation_id"), "role", ["organisation_id"], unique=False)
    _global_role_index("process_id IS NULL AND organisation_id IS NULL")
    op.create_index("uq_role_organisation", "role", ["person_id", "role", "organisation_id"], unique=True)


def downgrade() -> None:
    # Grants for one organisation would become global ones: drop them rather than widen anybody's rights.
    op.execute("DELETE FROM role WHERE organisation_id IS NOT NULL")
    op.drop_index("uq_role_organisation", table_name="role")
    op.drop_index("uq_role_global", table_name="role")
    op.drop_index(op.f("ix_role_organisation_id"), table_name="role")
    with op.batch_alter_table("role") as batch:
        batch.drop_constraint(op.f("fk_role_organisation_id_organisation"), type_="foreignkey")
        batch.drop_column("organisation_id")
    _global_role_index("process_id IS NULL")
    op.drop_index(op.f("ix_process_organisation_organisation_id"), table_name="process_organisation")
    op.drop_table("process_organisation")
    op.drop_index(op.f("ix_organisation_kind"), table_name="organisation")
    op.drop_table("organisation")
