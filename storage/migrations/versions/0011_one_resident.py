"""One resident, one voter: a register line's two keys name one resident; replaced ballots are counted, not kept.

Revision ID: 0011_one_resident
Revises: 0010_organisations
Create Date: 2026-12-04

``register_entry.resident``: a line with name and address *and* the city's number was two unrelated entries, so
the same resident verified once by name and once by number was two voters with two counted ballots; the number's
entry now points at the name's. Registers imported before keep working (NULL: the entry is its own resident) but
should be imported again (``--replace``) to join their lines' two keys.

``replaced_ballots``: the committee's count of ballots replaced from another channel, kept when the replacement
happens, so that a secret verified process can delete replaced ballots like any secret process.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_one_resident"
down_revision: str | Sequence[str] | None = "0010_organisations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None



def upgrade() -> None:
    with op.batch_alter_table("register_entry") as batch:
        batch.add_column(sa.Column("resident", sa.String(length=32), nullable=True))
    op.create_table(
        "replaced_ballots",
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("replaced", sa.String(length=32), nullable=False),
        sa.Column("replacing", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["process_id"], ["process.id"], name=op.f("fk_replaced_ballots_process_id_process"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("process_id", "replaced", "replacing", name=op.f("pk_replaced_ballots")),
    )


def downgrade() -> None:
    op.drop_table("replaced_ballots")
    with op.batch_alter_table("register_entry", table_kwargs={"sqlite_with_rowid": False}) as batch:
        batch.drop_column("resident")
