"""An index on ballot (process_id, id): the newest ballot of one process in one look-up.

Revision ID: 0008_ballot_newest
Revises: 0007_tombstones
Create Date: 2026-12-04

Counted results are cached until the process changes; the stamp used to be the newest ballot of the whole store,
so a vote in one process made every other process recount (on a results day with voting still open elsewhere,
every page view). With this index the newest ballot *of the process* is a constant-time read on SQLite and
PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008_ballot_newest"
down_revision: str | Sequence[str] | None = "0007_tombstones"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_ballot_process_newest", "ballot", ["process_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_ballot_process_newest", table_name="ballot")
