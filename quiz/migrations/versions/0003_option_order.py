"""option order: each attempt shows situation options in its own order

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Attempts from before have none: they keep showing options in file order.
    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("option_seed", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attempts") as batch:
        batch.drop_column("option_seed")
