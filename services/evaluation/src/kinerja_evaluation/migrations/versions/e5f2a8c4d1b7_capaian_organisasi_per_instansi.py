"""capaian_organisasi keyed by instansi (issue 14 item 5)

The organisation's capaian was keyed by unit_kerja and tahun alone: an admin
of one instansi overwrote another instansi's value for a unit of the same
name. The key becomes (instansi, unit_kerja, tahun). Existing rows get the
instansi of the evaluation plans of that unit when exactly one instansi has
such plans; any other row keeps instansi '' (shown to nobody; an admin sets
the value again).

Revision ID: e5f2a8c4d1b7
Revises: c7a1e0f3b216
Create Date: 2026-12-01 01:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'e5f2a8c4d1b7'
down_revision: Union[str, None] = 'c7a1e0f3b216'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _table(name: str, with_instansi: bool) -> None:
    cols = [sa.Column('instansi', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False)] if with_instansi else []
    op.create_table(
        name,
        *cols,
        sa.Column('unit_kerja', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('tahun', sa.Integer(), nullable=False),
        sa.Column('capaian', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('set_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(*(['instansi'] if with_instansi else []), 'unit_kerja', 'tahun'),
    )


def upgrade() -> None:
    _table('capaian_organisasi_new', True)
    op.execute(
        "INSERT INTO capaian_organisasi_new (instansi, unit_kerja, tahun, capaian, set_by, updated_at) "
        "SELECT COALESCE((SELECT MIN(p.instansi) FROM evaluation_plan p WHERE p.unit_kerja = c.unit_kerja "
        "AND p.instansi IS NOT NULL HAVING COUNT(DISTINCT p.instansi) = 1), ''), "
        "c.unit_kerja, c.tahun, c.capaian, c.set_by, c.updated_at FROM capaian_organisasi c"
    )
    op.drop_table('capaian_organisasi')
    op.rename_table('capaian_organisasi_new', 'capaian_organisasi')


def downgrade() -> None:
    _table('capaian_organisasi_old', False)
    op.execute(
        "INSERT INTO capaian_organisasi_old (unit_kerja, tahun, capaian, set_by, updated_at) "
        "SELECT unit_kerja, tahun, MAX(capaian), MAX(set_by), MAX(updated_at) FROM capaian_organisasi "
        "GROUP BY unit_kerja, tahun"
    )
    op.drop_table('capaian_organisasi')
    op.rename_table('capaian_organisasi_old', 'capaian_organisasi')
