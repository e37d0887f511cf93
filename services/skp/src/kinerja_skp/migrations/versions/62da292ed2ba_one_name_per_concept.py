"""one name per concept (issue 13): inbox -> processed_event; skp_document.catatan_revisi -> catatan_perbaikan

Renames only: every row is kept.

Revision ID: 62da292ed2ba
Revises: 70254642093c
Create Date: 2026-11-30 21:30:00.000000
"""
from typing import Sequence, Union

from alembic import op
from kinerja_platform.messaging.migrations import rename_column, rename_inbox_to_processed_event, rename_processed_event_to_inbox

revision: str = '62da292ed2ba'
down_revision: Union[str, None] = '70254642093c'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    rename_inbox_to_processed_event(op)
    rename_column(op, 'skp_document', 'catatan_revisi', 'catatan_perbaikan')


def downgrade() -> None:
    rename_column(op, 'skp_document', 'catatan_perbaikan', 'catatan_revisi')
    rename_processed_event_to_inbox(op)
