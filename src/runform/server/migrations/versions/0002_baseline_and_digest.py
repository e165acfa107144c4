"""The coach's choice of baseline per athlete, and each session's analysis digest.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 04:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("athletes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("baseline_session_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest", sa.Text(), nullable=True))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_column("digest")
    with op.batch_alter_table("athletes", schema=None) as batch_op:
        batch_op.drop_column("baseline_session_id")
