"""The first schema: one credential per backend type, no name, no api_type.

Kept so that databases created by that schema upgrade in place.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cloud_credentials",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("backend_type", sa.String(40), nullable=False, unique=True),
        sa.Column("encrypted_api_key", sa.Text, nullable=True),
        sa.Column("base_url", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("cloud_credentials")
