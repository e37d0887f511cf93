"""delivery coalesce key (re-ratings within a window send one mail)

Revision ID: a7c3e91b5d20
Revises: 4224632d5d32
Create Date: 2026-11-30 21:40:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = 'a7c3e91b5d20'
down_revision: Union[str, None] = '4224632d5d32'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('coalesce_key', sa.String(length=200), nullable=True))
        batch_op.create_index('ix_delivery_coalesce', ['recipient_nip', 'coalesce_key'], unique=False,
                              postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))


def downgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_coalesce', postgresql_where=sa.text("status = 'pending'"),
                            sqlite_where=sa.text("status = 'pending'"))
        batch_op.drop_column('coalesce_key')
