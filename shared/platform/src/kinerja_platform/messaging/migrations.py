"""Alembic steps for the messaging tables every service has (outbox, the
consumers' de-duplication table, the HTTP idempotency keys).

One copy of these tables' DDL, called from each service's migrations. A step
here describes the schema *as it was* when the migration calling it was
written: never change a step that a released migration calls (that would
change what an existing database upgrades to); add a new step for a new
migration instead.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlmodel.sql.sqltypes import AutoString

_UNSENT = sa.text("sent_at IS NULL")


def create_messaging_tables(op) -> None:
    """The initial messaging tables (the first migration of every service).

    The de-duplication table was then called ``inbox``;
    :func:`rename_inbox_to_processed_event` renames it."""
    op.create_table(
        "idempotency_key",
        sa.Column("scope", AutoString(length=200), nullable=False),
        sa.Column("key", AutoString(length=200), nullable=False),
        sa.Column("fingerprint", AutoString(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("headers", sa.Text(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key"),
    )
    op.create_table(
        "inbox",
        sa.Column("consumer", AutoString(length=120), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subject", AutoString(length=200), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("headers", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_unsent", ["created_at"], unique=False,
                              postgresql_where=_UNSENT, sqlite_where=_UNSENT)


def drop_messaging_tables(op) -> None:
    """Undo :func:`create_messaging_tables`."""
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_unsent", postgresql_where=_UNSENT, sqlite_where=_UNSENT)
    op.drop_table("outbox")
    op.drop_table("inbox")
    op.drop_table("idempotency_key")


def rename_inbox_to_processed_event(op) -> None:
    """``inbox`` -> ``processed_event`` (issue 13: "inbox" is the atasan's list
    of waiting SKPs; this table is the consumers' de-duplication record).
    Rows are kept; ALTER TABLE .. RENAME works on PostgreSQL and SQLite."""
    op.rename_table("inbox", "processed_event")
    if _is_postgresql(op):  # keep the constraint's name what a fresh database gets
        op.execute("ALTER INDEX inbox_pkey RENAME TO processed_event_pkey")


def rename_processed_event_to_inbox(op) -> None:
    """Undo :func:`rename_inbox_to_processed_event`."""
    if _is_postgresql(op):
        op.execute("ALTER INDEX processed_event_pkey RENAME TO inbox_pkey")
    op.rename_table("processed_event", "inbox")


def rename_column(op, table: str, old: str, new: str) -> None:
    """Rename a column in place, keeping its data (PostgreSQL, SQLite >= 3.25)."""
    op.execute(f'ALTER TABLE "{table}" RENAME COLUMN "{old}" TO "{new}"')


def _is_postgresql(op) -> bool:
    return op.get_bind().dialect.name == "postgresql"


def create_directory_person_table(op) -> None:
    """The projection of the directory's people (kinerja_platform.directory_view),
    for a service that routes or mails by person."""
    op.create_table(
        "directory_person",
        sa.Column("person_id", AutoString(length=64), nullable=False),
        sa.Column("instansi", AutoString(length=300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("riwayat", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person_id"),
    )
    with op.batch_alter_table("directory_person", schema=None) as batch_op:
        batch_op.create_index("ix_directory_person_instansi", ["instansi"], unique=False)


def drop_directory_person_table(op) -> None:
    """Undo :func:`create_directory_person_table`."""
    op.drop_table("directory_person")


def create_directory_superior_table(op) -> None:
    """Who names whom as superior in the directory projection
    (kinerja_platform.directory_view.DirectorySuperior): every ``atasan_id``
    of each person's stored riwayat, filled from ``directory_person`` as it
    stands (the projection keeps it from then on)."""
    superior = op.create_table(
        "directory_superior",
        sa.Column("person_id", AutoString(length=64), nullable=False),
        sa.Column("atasan_id", AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "atasan_id"),
    )
    with op.batch_alter_table("directory_superior", schema=None) as batch_op:
        batch_op.create_index("ix_directory_superior_atasan_id", ["atasan_id"], unique=False)
    rows = op.get_bind().execute(sa.text("SELECT person_id, riwayat FROM directory_person")).all()
    named = []
    for person_id, riwayat in rows:
        atasan_ids = dict.fromkeys(r.get("atasan_id") for r in json.loads(riwayat) if r.get("atasan_id"))
        named += [{"person_id": person_id, "atasan_id": a} for a in atasan_ids]
    if named:
        op.bulk_insert(superior, named)


def drop_directory_superior_table(op) -> None:
    """Undo :func:`create_directory_superior_table`."""
    op.drop_table("directory_superior")
