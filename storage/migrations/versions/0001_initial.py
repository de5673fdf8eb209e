"""Initial schema: people, processes, eligibility, ballots apart from participation, opinions, outbox, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-25

Hand-checked against storage/models.py (tests/storage/test_migrations.py compares the migrated schema with the
models). Plain SQLAlchemy types only, so this file never changes when the models do: enums are VARCHAR(32)
holding the enum's value, timestamps are TIMESTAMP WITH TIME ZONE (text in UTC on SQLite), JSON is JSONB on
PostgreSQL, money is NUMERIC(14, 2). Constraint names follow storage.base.NAMING_CONVENTION.

The audit log is append-only: triggers refuse UPDATE and DELETE on audit_entry on both dialects.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUDIT_MESSAGE = "audit_entry is append-only"


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _ts(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _enum(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.String(length=32), nullable=nullable)


def _json(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False)


def _str(name: str, length: int, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.String(length=length), nullable=nullable)


def _int(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def _bool(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.Boolean(), nullable=False)


def _fk(column: str, table: str, ondelete: str, source: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{table}.id"], name=op.f(f"fk_{source}_{column}_{table}"), ondelete=ondelete
    )


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _uq(table: str, *columns: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*columns, name=op.f(f"uq_{table}_{'_'.join(columns)}"))


def _ix(table: str, *columns: str) -> None:
    op.create_index(op.f(f"ix_{table}_{'_'.join(columns)}"), table, list(columns), unique=False)


def upgrade() -> None:
    op.create_table(
        "person",
        _id(),
        _str("display_name", 200, nullable=True),
        _str("language", 8),
        _bool("reminders_opt_out"),
        _ts("created_at"),
        _ts("erased_at", nullable=True),
        _pk("person"),
    )
    op.create_table(
        "process",
        _id(),
        _str("slug", 40),
        _enum("kind"),
        _enum("phase"),
        _str("title_pl", 500),
        _str("title_en", 500, nullable=True),
        _json("definition"),
        _bool("secret"),
        _enum("results_visibility"),
        _ts("opens_at", nullable=True),
        _ts("closes_at", nullable=True),
        _bool("auto_publish"),
        _ts("created_at"),
        _ts("updated_at"),
        _int("version"),
        _pk("process"),
        _uq("process", "slug"),
    )
    _ix("process", "phase")

    op.create_table(
        "audit_entry",
        _id(),
        _ts("at"),
        _int("actor_person_id", nullable=True),
        _str("actor", 200),
        _str("action", 64),
        _int("process_id", nullable=True),
        _json("details"),
        _pk("audit_entry"),
    )
    _ix("audit_entry", "actor_person_id")
    _ix("audit_entry", "at")
    op.create_index("ix_audit_entry_process_at", "audit_entry", ["process_id", "at"], unique=False)
    _create_audit_triggers()

    op.create_table(
        "identity",
        _id(),
        _int("person_id"),
        _enum("channel"),
        _str("address", 320),
        _ts("created_at"),
        _ts("verified_at", nullable=True),
        _fk("person_id", "person", "CASCADE", "identity"),
        _pk("identity"),
        _uq("identity", "channel", "address"),
    )
    _ix("identity", "person_id")

    op.create_table(
        "role",
        _id(),
        _int("person_id"),
        _enum("role"),
        _int("process_id", nullable=True),
        _int("granted_by", nullable=True),
        _ts("granted_at"),
        _fk("granted_by", "person", "SET NULL", "role"),
        _fk("person_id", "person", "CASCADE", "role"),
        _fk("process_id", "process", "CASCADE", "role"),
        _pk("role"),
        _uq("role", "person_id", "role", "process_id"),
    )
    _ix("role", "process_id")
    # NULLs are distinct in a UNIQUE constraint: global roles (process_id NULL) need their own partial index.
    op.create_index(
        "uq_role_global",
        "role",
        ["person_id", "role"],
        unique=True,
        sqlite_where=sa.text("process_id IS NULL"),
        postgresql_where=sa.text("process_id IS NULL"),
    )

    op.create_table(
        "dialogue_state",
        _id(),
        _int("person_id"),
        _enum("channel"),
        _json("state"),
        _ts("updated_at"),
        _fk("person_id", "person", "CASCADE", "dialogue_state"),
        _pk("dialogue_state"),
        _uq("dialogue_state", "person_id", "channel"),
    )

    op.create_table(
        "pool",
        _id(),
        _int("process_id"),
        _str("key", 64),
        sa.Column("budget", sa.Numeric(precision=14, scale=2), nullable=True),
        _str("district", 64, nullable=True),
        _json("ballot_rule"),
        _json("counting_rule"),
        _fk("process_id", "process", "CASCADE", "pool"),
        _pk("pool"),
        _uq("pool", "process_id", "key"),
    )
    op.create_table(
        "item",
        _id(),
        _int("process_id"),
        _int("pool_id", nullable=True),
        _str("key", 64),
        _enum("kind"),
        _str("number", 32, nullable=True),
        _json("title"),
        sa.Column("cost", sa.Numeric(precision=14, scale=2), nullable=True),
        _int("position"),
        _fk("pool_id", "pool", "CASCADE", "item"),
        _fk("process_id", "process", "CASCADE", "item"),
        _pk("item"),
        _uq("item", "process_id", "key"),
    )
    _ix("item", "pool_id")

    op.create_table(
        "roster_entry",
        _id(),
        _int("process_id"),
        _enum("channel"),
        _str("address", 320),
        _str("name", 200, nullable=True),
        _str("organisation", 300, nullable=True),
        _ts("created_at"),
        _fk("process_id", "process", "CASCADE", "roster_entry"),
        _pk("roster_entry"),
        _uq("roster_entry", "process_id", "channel", "address"),
    )
    op.create_table(
        "invite_code",
        _id(),
        _int("process_id"),
        _str("code_hash", 64),
        _str("batch", 100, nullable=True),
        _ts("created_at"),
        _int("used_by", nullable=True),
        _ts("used_at", nullable=True),
        _fk("process_id", "process", "CASCADE", "invite_code"),
        _fk("used_by", "person", "SET NULL", "invite_code"),
        _pk("invite_code"),
        _uq("invite_code", "code_hash"),
    )
    _ix("invite_code", "process_id")
    op.create_table(
        "eligibility",
        _id(),
        _int("process_id"),
        _int("person_id"),
        _str("district", 64, nullable=True),
        _enum("source"),
        _ts("granted_at"),
        _fk("person_id", "person", "CASCADE", "eligibility"),
        _fk("process_id", "process", "CASCADE", "eligibility"),
        _pk("eligibility"),
        _uq("eligibility", "process_id", "person_id"),
    )
    _ix("eligibility", "person_id")

    # Ballots carry no person column and participation no ballot column: no join path from content to person.
    op.create_table(
        "ballot",
        _id(),
        _int("process_id"),
        _str("ballot_key", 64),
        _int("round"),
        _int("revision"),
        _json("content"),
        _str("receipt_hash", 64),
        _ts("cast_at"),
        _enum("channel"),
        _bool("is_current"),
        _bool("withdrawn"),
        sa.CheckConstraint("length(ballot_key) = 64", name=op.f("ck_ballot_ballot_key_length")),
        _fk("process_id", "process", "RESTRICT", "ballot"),
        _pk("ballot"),
        _uq("ballot", "process_id", "ballot_key", "round", "revision"),
    )
    op.create_index("ix_ballot_current", "ballot", ["process_id", "round", "is_current"], unique=False)
    op.create_index("ix_ballot_receipt_hash", "ballot", ["process_id", "receipt_hash"], unique=False)
    op.create_index(
        "uq_ballot_one_current",
        "ballot",
        ["process_id", "ballot_key", "round"],
        unique=True,
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    )
    op.create_table(
        "participation",
        _id(),
        _int("process_id"),
        _int("person_id"),
        _int("round"),
        _enum("channel"),
        _ts("first_at"),
        _ts("last_at"),
        _bool("withdrawn"),
        _fk("person_id", "person", "RESTRICT", "participation"),
        _fk("process_id", "process", "RESTRICT", "participation"),
        _pk("participation"),
        _uq("participation", "process_id", "person_id", "round"),
    )
    _ix("participation", "person_id")

    op.create_table(
        "opinion",
        _id(),
        _int("process_id"),
        _int("item_id", nullable=True),
        _int("person_id", nullable=True),
        _enum("channel"),
        sa.Column("text", sa.Text(), nullable=False),
        _ts("created_at"),
        _enum("status"),
        _int("moderated_by", nullable=True),
        _ts("moderated_at", nullable=True),
        _enum("response_status", nullable=True),
        sa.Column("response_text", sa.Text(), nullable=True),
        _int("responded_by", nullable=True),
        _ts("responded_at", nullable=True),
        _str("source_message_id", 512, nullable=True),
        _fk("item_id", "item", "RESTRICT", "opinion"),
        _fk("moderated_by", "person", "SET NULL", "opinion"),
        _fk("person_id", "person", "SET NULL", "opinion"),
        _fk("process_id", "process", "RESTRICT", "opinion"),
        _fk("responded_by", "person", "SET NULL", "opinion"),
        _pk("opinion"),
        _uq("opinion", "source_message_id"),
    )
    _ix("opinion", "item_id")
    _ix("opinion", "person_id")
    op.create_index("ix_opinion_process_status", "opinion", ["process_id", "status"], unique=False)

    op.create_table(
        "outbox_message",
        _id(),
        _str("key", 255),
        _enum("channel"),
        _str("address", 320),
        _int("person_id", nullable=True),
        _str("purpose", 64),
        _json("payload"),
        _ts("created_at"),
        _ts("not_before"),
        _ts("sent_at", nullable=True),
        _int("attempts"),
        sa.Column("last_error", sa.Text(), nullable=True),
        _str("claimed_by", 128, nullable=True),
        _ts("claimed_until", nullable=True),
        _fk("person_id", "person", "CASCADE", "outbox_message"),
        _pk("outbox_message"),
        _uq("outbox_message", "key"),
    )
    _ix("outbox_message", "person_id")
    op.create_index(
        "ix_outbox_message_unsent",
        "outbox_message",
        ["not_before"],
        unique=False,
        sqlite_where=sa.text("sent_at IS NULL"),
        postgresql_where=sa.text("sent_at IS NULL"),
    )


def _create_audit_triggers() -> None:
    """Refuse UPDATE and DELETE on audit_entry (the names are storage.models.AUDIT_TRIGGER_NAMES)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{AUDIT_MESSAGE}' USING ERRCODE = 'restrict_violation';
            END
            $$
            """
        )
        for name, event in (("audit_entry_no_update", "UPDATE"), ("audit_entry_no_delete", "DELETE")):
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON audit_entry "
                "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()"
            )
        # TRUNCATE bypasses row triggers; refuse it with a statement trigger.
        op.execute(
            "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()"
        )
    else:
        for name, event in (("audit_entry_no_update", "UPDATE"), ("audit_entry_no_delete", "DELETE")):
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON audit_entry "
                f"BEGIN SELECT RAISE(ABORT, '{AUDIT_MESSAGE}'); END"
            )


def _drop_audit_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in ("audit_entry_no_update", "audit_entry_no_delete", "audit_entry_no_truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_append_only()")
    else:
        for name in ("audit_entry_no_update", "audit_entry_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def downgrade() -> None:
    op.drop_table("outbox_message")
    op.drop_table("opinion")
    op.drop_table("participation")
    op.drop_table("ballot")
    op.drop_table("eligibility")
    op.drop_table("invite_code")
    op.drop_table("roster_entry")
    op.drop_table("item")
    op.drop_table("pool")
    op.drop_table("dialogue_state")
    op.drop_table("role")
    op.drop_table("identity")
    _drop_audit_triggers()
    op.drop_table("audit_entry")
    op.drop_table("process")
    op.drop_table("person")
