"""Scheduler: job runs (claim and last outcome of each derived job) and per-process reminder opt-outs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

Plain SQLAlchemy types, as in 0001: timestamps are TIMESTAMP WITH TIME ZONE, JSON is JSONB on PostgreSQL.
Constraint names follow storage.base.NAMING_CONVENTION. The tables are storage/tables/scheduling.py.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "scheduler_job_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=True),
        _ts("planned_at"),
        _ts("started_at"),
        _ts("finished_at", nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.ForeignKeyConstraint(
            ["process_id"],
            ["process.id"],
            name=op.f("fk_scheduler_job_run_process_id_process"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduler_job_run")),
        sa.UniqueConstraint("job_id", name=op.f("uq_scheduler_job_run_job_id")),
    )
    op.create_index(op.f("ix_scheduler_job_run_process_id"), "scheduler_job_run", ["process_id"], unique=False)
    op.create_table(
        "reminder_opt_out",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        _ts("created_at"),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_reminder_opt_out_person_id_person"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["process_id"], ["process.id"], name=op.f("fk_reminder_opt_out_process_id_process"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_opt_out")),
        sa.UniqueConstraint("person_id", "process_id", name=op.f("uq_reminder_opt_out_person_id_process_id")),
    )
    op.create_index(op.f("ix_reminder_opt_out_person_id"), "reminder_opt_out", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_reminder_opt_out_person_id"), table_name="reminder_opt_out")
    op.drop_table("reminder_opt_out")
    op.drop_index(op.f("ix_scheduler_job_run_process_id"), table_name="scheduler_job_run")
    op.drop_table("scheduler_job_run")
