"""one name per concept (issue 13): inbox -> processed_event; evaluation_plan.atasan_penilai -> atasan_pejabat_penilai

Renames only: every row is kept.

Revision ID: 450424798900
Revises: b95ecf4ec990
Create Date: 2026-11-30 21:30:00.000000
"""
from typing import Sequence, Union

from alembic import op
from kinerja_platform.messaging.migrations import rename_column, rename_inbox_to_processed_event, rename_processed_event_to_inbox

revision: str = '450424798900'
down_revision: Union[str, None] = 'b95ecf4ec990'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    rename_inbox_to_processed_event(op)
    rename_column(op, 'evaluation_plan', 'atasan_penilai', 'atasan_pejabat_penilai')


def downgrade() -> None:
    rename_column(op, 'evaluation_plan', 'atasan_pejabat_penilai', 'atasan_penilai')
    rename_processed_event_to_inbox(op)
