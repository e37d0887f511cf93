"""delivery lease owner

Revision ID: c5d2e8f4a1b7
Revises: b3e5c1d7a9f2
Create Date: 2026-12-01 01:40:00.000000
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = 'c5d2e8f4a1b7'
down_revision: Union[str, None] = 'b3e5c1d7a9f2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # the worker holding a pending row's lease: a worker sends, and records, only a row still leased to it
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leased_by', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_column('leased_by')
