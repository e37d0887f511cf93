"""penugasan_penilai (Plt/Plh for rating); evaluation.dinilai_oleh; plan ended by mutasi

Revision ID: c7a1e0f3b216
Revises: 450424798900
Create Date: 2026-11-30 21:30:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'c7a1e0f3b216'
down_revision: Union[str, None] = '450424798900'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'penugasan_penilai',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('delegate_nip', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
        sa.Column('penilai_nip', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
        sa.Column('jenis', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('mulai', sa.Date(), nullable=False),
        sa.Column('selesai', sa.Date(), nullable=False),
        sa.Column('instansi', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('nomor_sk', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('penugasan_penilai', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_penugasan_penilai_delegate_nip'), ['delegate_nip'], unique=False)
        batch_op.create_index(batch_op.f('ix_penugasan_penilai_penilai_nip'), ['penilai_nip'], unique=False)
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dinilai_oleh', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=True))
    with op.batch_alter_table('evaluation_plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('diakhiri_oleh_skp', sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('evaluation_plan', schema=None) as batch_op:
        batch_op.drop_column('diakhiri_oleh_skp')
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.drop_column('dinilai_oleh')
    with op.batch_alter_table('penugasan_penilai', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_penugasan_penilai_penilai_nip'))
        batch_op.drop_index(batch_op.f('ix_penugasan_penilai_delegate_nip'))
    op.drop_table('penugasan_penilai')
