"""emit once through the outbox (issue 13): drop skp_deadline_reminder

A reminder is now recorded by its outbox row alone (deterministic event id,
kinerja_platform.messaging.add_event_once). Every row of skp_deadline_reminder has its
outbox row with the same event id (both were written in one transaction),
so nothing is lost. Downgrade recreates the table empty.

Revision ID: 3ef959aa2513
Revises: 62da292ed2ba
Create Date: 2026-11-30 22:00:00.000000
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '3ef959aa2513'
down_revision: Union[str, None] = '62da292ed2ba'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.drop_table('skp_deadline_reminder')


def downgrade() -> None:
    op.create_table('skp_deadline_reminder',
    sa.Column('skp_id', sa.Uuid(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('skp_id', 'deadline')
    )
