"""Named credentials: several per backend type, each with its own name and api_type.

Rows of the old table keep their id, key and URL; each is named after its backend type and gets
api_type NULL, which means "the catalogue's protocol for this type".

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "providers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("backend_type", sa.String(40), nullable=False),
        sa.Column("api_type", sa.String(20), nullable=True),
        sa.Column("base_url", sa.String(500), nullable=True),
        sa.Column("encrypted_api_key", sa.Text, nullable=True),
        sa.Column("key_last4", sa.String(4), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute(
        "INSERT INTO providers (id, name, backend_type, api_type, base_url, encrypted_api_key,"
        " key_last4, created_at, updated_at)"
        " SELECT id, backend_type, backend_type, NULL, base_url, encrypted_api_key, NULL,"
        " created_at, updated_at FROM cloud_credentials"
    )
    op.drop_table("cloud_credentials")
    if op.get_bind().dialect.name == "postgresql":
        # Copied ids must not collide with the next generated one.
        op.execute(
            "SELECT setval(pg_get_serial_sequence('providers', 'id'),"
            " COALESCE((SELECT MAX(id) FROM providers), 0) + 1, false)"
        )


def downgrade() -> None:
    op.create_table(
        "cloud_credentials",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("backend_type", sa.String(40), nullable=False, unique=True),
        sa.Column("encrypted_api_key", sa.Text, nullable=True),
        sa.Column("base_url", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    # One row per type survives a downgrade: the oldest credential of each.
    op.execute(
        "INSERT INTO cloud_credentials (id, backend_type, encrypted_api_key, base_url,"
        " created_at, updated_at) SELECT id, backend_type, encrypted_api_key, base_url,"
        " created_at, updated_at FROM providers p WHERE id = (SELECT MIN(id) FROM providers q"
        " WHERE q.backend_type = p.backend_type)"
    )
    op.drop_table("providers")
