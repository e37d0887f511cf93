"""emit once through the outbox (issue 13): drop approval_reminder

A reminder is now recorded by its outbox row alone (deterministic event id,
kinerja_platform.messaging.add_event_once). Every row of approval_reminder has its
outbox row with the same event id (both were written in one transaction),
so nothing is lost. Downgrade recreates the table empty.

Revision ID: e450cf2d61dc
Revises: c07d346f2304
Create Date: 2026-11-30 22:00:00.000000
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'e450cf2d61dc'
down_revision: Union[str, None] = 'c07d346f2304'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.drop_table('approval_reminder')


def downgrade() -> None:
    op.create_table('approval_reminder',
    sa.Column('skp_id', sa.Uuid(), nullable=False),
    sa.Column('pending_round', sa.Integer(), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('interval_index', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('skp_id', 'pending_round', 'level', 'interval_index')
    )
