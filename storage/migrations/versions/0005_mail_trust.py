"""E-mail trust: the Message-ID each reply token travelled with (hashed), and why a message was filed away.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04

``mail_token.reference_hash``: our Message-IDs no longer carry the token, so the In-Reply-To of a reply finds
the member it answers only through this hash (to warn the real member of a forgery; it never authenticates).
``mail_message.detail``: the kind of automatic mail, the reason of a refusal or of a quarantine, for
``/metrics`` and ``/status``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mail_token") as batch:
        batch.add_column(sa.Column("reference_hash", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(op.f("uq_mail_token_reference_hash"), ["reference_hash"])
    with op.batch_alter_table("mail_message") as batch:
        batch.add_column(sa.Column("detail", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mail_message") as batch:
        batch.drop_column("detail")
    with op.batch_alter_table("mail_token") as batch:
        batch.drop_constraint(op.f("uq_mail_token_reference_hash"), type_="unique")
        batch.drop_column("reference_hash")
