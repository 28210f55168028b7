"""Routing rules get a load-balancing strategy; existing rules keep their failover order.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("routing_rules") as batch:
        batch.add_column(
            sa.Column("strategy", sa.String(16), nullable=False, server_default="ordered")
        )


def downgrade() -> None:
    with op.batch_alter_table("routing_rules") as batch:
        batch.drop_column("strategy")
