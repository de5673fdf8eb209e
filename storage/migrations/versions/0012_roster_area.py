"""A roster line names the area its member rates or votes in: ``roster_entry.district``.

Revision ID: 0012_roster_area
Revises: 0011_one_resident
Create Date: 2026-12-04

An NGO on a federation's roster rates the municipality it works with (the friendly-local-government index): the
roster's ``gmina`` column says which, so the member is never asked for it (by chat command or by e-mail line).
NULL: the roster does not say, and the member declares the area as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_roster_area"
down_revision: str | Sequence[str] | None = "0011_one_resident"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("roster_entry") as batch:
        batch.add_column(sa.Column("district", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("roster_entry") as batch:
        batch.drop_column("district")
