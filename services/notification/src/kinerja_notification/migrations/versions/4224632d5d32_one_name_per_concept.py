"""one name per concept (issue 13): inbox -> processed_event

Renames only: every row is kept.

Revision ID: 4224632d5d32
Revises: f2aa90c8e7a7
Create Date: 2026-11-30 21:30:00.000000
"""
from typing import Sequence, Union

from alembic import op
from kinerja_platform.messaging.migrations import rename_inbox_to_processed_event, rename_processed_event_to_inbox

revision: str = '4224632d5d32'
down_revision: Union[str, None] = 'f2aa90c8e7a7'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    rename_inbox_to_processed_event(op)


def downgrade() -> None:
    rename_processed_event_to_inbox(op)
