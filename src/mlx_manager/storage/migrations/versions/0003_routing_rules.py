"""Routing rules: a model-name pattern and the ordered targets that serve it.

Targets are a JSON list naming providers by id, with no foreign key, so that deleting a provider
keeps the rules that used it (their target shows as unusable until the user edits it).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "routing_rules",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pattern", sa.String(500), nullable=False),
        sa.Column("pattern_type", sa.String(10), nullable=False),
        sa.Column("targets", sa.JSON, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("description", sa.String(500), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_routing_rules_priority", "routing_rules", ["priority"])


def downgrade() -> None:
    op.drop_index("ix_routing_rules_priority", table_name="routing_rules")
    op.drop_table("routing_rules")
