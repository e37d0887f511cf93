"""directory superior: who names whom as superior in the directory projection

``directory_superior`` (kinerja_platform.directory_view.DirectorySuperior):
one row per person and each ``atasan_id`` their stored riwayat names, filled
from ``directory_person`` as it stands; the projection's upsert keeps it.

Revision ID: bbd1f745c188
Revises: 3f9a7c21d5e4
Create Date: 2026-12-01 04:10:00.000000
"""
from typing import Sequence, Union

from alembic import op
from kinerja_platform.messaging.migrations import create_directory_superior_table, drop_directory_superior_table

revision: str = 'bbd1f745c188'
down_revision: Union[str, None] = '3f9a7c21d5e4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    create_directory_superior_table(op)


def downgrade() -> None:
    drop_directory_superior_table(op)
