"""addresses from the directory only (issue 14 item 4)

The directory projection (``directory_person``, kinerja_platform.directory_view)
becomes the one source of a recipient's name, instansi and address; the
``recipient`` table keeps the person's own preferences only. Its copies of
the identities events carried (``nama``, ``email``, ``instansi``) and the
admin's address corrections (``email_corrected``) are dropped: an address is
corrected in the directory. Preferences (locale, digest, version) are kept.

Revision ID: b3e5c1d7a9f2
Revises: a7c3e91b5d20
Create Date: 2026-12-01 00:50:00.000000
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op
from kinerja_platform.messaging.migrations import create_directory_person_table, drop_directory_person_table

revision: str = 'b3e5c1d7a9f2'
down_revision: Union[str, None] = 'a7c3e91b5d20'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    create_directory_person_table(op)
    with op.batch_alter_table('recipient', schema=None) as batch_op:
        batch_op.drop_column('nama')
        batch_op.drop_column('email')
        batch_op.drop_column('email_corrected')
        batch_op.drop_column('instansi')


def downgrade() -> None:
    # the dropped copies are not restored (they came from events, which the directory replaced)
    with op.batch_alter_table('recipient', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instansi', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True))
        batch_op.add_column(sa.Column('email_corrected', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True))
        batch_op.add_column(sa.Column('nama', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False,
                                      server_default=''))
    drop_directory_person_table(op)
