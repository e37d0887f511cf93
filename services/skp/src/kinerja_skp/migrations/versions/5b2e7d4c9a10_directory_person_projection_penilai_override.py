"""directory projection (issue 14): directory_person, and the penilai an admin sets on an SKP

skp fills the pegawai, pejabat penilai and atasan pejabat penilai of every
draft from its projection of the directory's events (table
directory_person, kinerja_platform.directory_view). An admin of the
pegawai's instansi may set another penilai on one SKP: stored on the
document (penilai_override) and on each version written while it holds.

Revision ID: 5b2e7d4c9a10
Revises: 3ef959aa2513
Create Date: 2026-12-01 00:45:00.000000
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
from kinerja_platform.messaging.migrations import create_directory_person_table, drop_directory_person_table

revision: str = '5b2e7d4c9a10'
down_revision: Union[str, None] = '3ef959aa2513'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    create_directory_person_table(op)
    with op.batch_alter_table('skp_document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('penilai_override', sa.JSON(), nullable=True))
    with op.batch_alter_table('skp_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('penilai_override', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('skp_version', schema=None) as batch_op:
        batch_op.drop_column('penilai_override')
    with op.batch_alter_table('skp_document', schema=None) as batch_op:
        batch_op.drop_column('penilai_override')
    drop_directory_person_table(op)
