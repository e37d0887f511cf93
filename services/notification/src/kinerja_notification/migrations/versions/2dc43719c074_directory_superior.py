"""directory superior: who names whom as superior in the directory projection

``directory_superior`` (kinerja_platform.directory_view.DirectorySuperior):
one row per person and each ``atasan_id`` their stored riwayat names, filled
from ``directory_person`` as it stands; the projection's upsert keeps it.

Revision ID: 2dc43719c074
Revises: c5d2e8f4a1b7
Create Date: 2026-12-01 04:10:00.000000
"""
from typing import Sequence, Union

from alembic import op
from kinerja_platform.messaging.migrations import create_directory_superior_table, drop_directory_superior_table

revision: str = '2dc43719c074'
down_revision: Union[str, None] = 'c5d2e8f4a1b7'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    create_directory_superior_table(op)


def downgrade() -> None:
    drop_directory_superior_table(op)
