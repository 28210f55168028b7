"""Request costs: providers get per-model price overrides; request-log rows get the cost, where
its price came from, the cache and reasoning parts of the token counts, and whether the counts
were estimated.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_LOG_COLUMNS = ("cache_read_tokens", "cache_write_tokens", "reasoning_tokens")


def upgrade() -> None:
    with op.batch_alter_table("providers") as batch:
        batch.add_column(sa.Column("prices", sa.JSON, nullable=True))
    with op.batch_alter_table("request_log") as batch:
        for name in _LOG_COLUMNS:
            batch.add_column(sa.Column(name, sa.Integer, nullable=True))
        batch.add_column(
            sa.Column("tokens_estimated", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("cost_usd", sa.Float, nullable=True))
        batch.add_column(sa.Column("priced", sa.String(12), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("request_log") as batch:
        for name in ("priced", "cost_usd", "tokens_estimated", *reversed(_LOG_COLUMNS)):
            batch.drop_column(name)
    with op.batch_alter_table("providers") as batch:
        batch.drop_column("prices")
