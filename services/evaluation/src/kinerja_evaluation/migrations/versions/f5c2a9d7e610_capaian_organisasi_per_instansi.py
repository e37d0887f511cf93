"""capaian_organisasi per instansi: (instansi, unit_kerja, tahun)

A record was keyed by unit name and year only, so an admin of one instansi
could overwrite (and every admin read) another instansi's record of a unit
with the same name. Existing records become deployment-wide (instansi ""):
who recorded them for which instansi is not known.

Revision ID: f5c2a9d7e610
Revises: e3b8d1c40a57
Create Date: 2026-12-01 01:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'f5c2a9d7e610'
down_revision: Union[str, None] = 'e3b8d1c40a57'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COLUMNS = "unit_kerja, tahun, capaian, set_by, updated_at"


def _table(name: str, with_instansi: bool) -> None:
    cols = [sa.Column('instansi', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False)] if with_instansi else []
    key = ('instansi', 'unit_kerja', 'tahun') if with_instansi else ('unit_kerja', 'tahun')
    op.create_table(
        name, *cols,
        sa.Column('unit_kerja', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('tahun', sa.Integer(), nullable=False),
        sa.Column('capaian', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('set_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(*key, name=f"pk_{name}"),
    )


def upgrade() -> None:
    _table('capaian_organisasi_new', True)
    op.execute(f"INSERT INTO capaian_organisasi_new (instansi, {COLUMNS}) SELECT '', {COLUMNS} FROM capaian_organisasi")
    op.drop_table('capaian_organisasi')
    op.rename_table('capaian_organisasi_new', 'capaian_organisasi')


def downgrade() -> None:
    # one record per unit and year survives: the deployment-wide one, else the instansi first by name
    _table('capaian_organisasi_old', False)
    op.execute(f"INSERT INTO capaian_organisasi_old ({COLUMNS}) SELECT {COLUMNS} FROM capaian_organisasi c "
               "WHERE c.instansi = (SELECT MIN(o.instansi) FROM capaian_organisasi o "
               "WHERE o.unit_kerja = c.unit_kerja AND o.tahun = c.tahun)")
    op.drop_table('capaian_organisasi')
    op.rename_table('capaian_organisasi_old', 'capaian_organisasi')
