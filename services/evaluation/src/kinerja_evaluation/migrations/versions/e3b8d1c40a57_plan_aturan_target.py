"""evaluation_plan.aturan_target: the version of the shared target rule that built the plan

Existing plans get NULL (built before the rule was versioned); the service
rebuilds them from their stored SKP snapshot at its next scheduler tick
(service_layer/rebuild.py, docs/evaluation.md "Plans stored under an older
rule"). The data step is not done here: it needs the rule's code, which
changes with later versions, and a migration must stay as released.

Revision ID: e3b8d1c40a57
Revises: c7a1e0f3b216
Create Date: 2026-12-01 00:40:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = 'e3b8d1c40a57'
down_revision: Union[str, None] = 'c7a1e0f3b216'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('evaluation_plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aturan_target', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('evaluation_plan', schema=None) as batch_op:
        batch_op.drop_column('aturan_target')
