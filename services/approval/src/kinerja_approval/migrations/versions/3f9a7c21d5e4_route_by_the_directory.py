"""route by the directory (issue 14 item 3): the directory projection, and
cases that wait unrouted

- ``directory_person``: the service's projection of the directory's people
  (kinerja_platform.directory_view), from which a submitted SKP is routed
  to the pegawai's pejabat penilai;
- ``approval_case.penilai_nip`` and ``penilai`` become nullable: a case the
  directory cannot route (unknown pegawai, no active superior) waits with
  no penilai until its admin reassigns it or the directory names one;
- ``approval_case.routed_by`` (directory / admin) and ``unrouted_reason``.
  Existing cases were routed by the SKP document: they keep their penilai
  with ``routed_by`` null (a later directory change moves them like
  directory-routed ones).

Revision ID: 3f9a7c21d5e4
Revises: e450cf2d61dc
Create Date: 2026-12-01 00:50:00.000000
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op
from kinerja_platform.messaging.migrations import create_directory_person_table, drop_directory_person_table

revision: str = '3f9a7c21d5e4'
down_revision: Union[str, None] = 'e450cf2d61dc'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    create_directory_person_table(op)
    with op.batch_alter_table('approval_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('routed_by', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column('unrouted_reason', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.alter_column('penilai_nip', existing_type=sqlmodel.sql.sqltypes.AutoString(length=18), nullable=True)
        batch_op.alter_column('penilai', existing_type=sa.JSON(), nullable=True)


def downgrade() -> None:
    # an unrouted case has no penilai: the old schema cannot hold it, and deleting it would lose it
    unrouted = op.get_bind().execute(sa.text("SELECT count(*) FROM approval_case WHERE penilai_nip IS NULL")).scalar()
    if unrouted:
        raise RuntimeError(f"{unrouted} unrouted approval cases: reassign them before downgrading")
    with op.batch_alter_table('approval_case', schema=None) as batch_op:
        batch_op.alter_column('penilai', existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column('penilai_nip', existing_type=sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False)
        batch_op.drop_column('unrouted_reason')
        batch_op.drop_column('routed_by')
    drop_directory_person_table(op)
