"""Shared rate limits: one booking log per key (storage/rates.py, used on PostgreSQL).

Revision ID: 0005_rates
Revises: 0004_inbox
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005_rates"
down_revision = "0004_inbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # UNLOGGED: no WAL and no fsync per booking (a take measured 4.2 ms logged, see
    # storage/rates.py); a crash empties the table, which only forgets bookings seconds old.
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "rate_logs",
        sa.Column("key", sa.String(128), primary_key=True),
        # Only PostgreSQL uses the table (one replica on SQLite keeps its limits in memory);
        # SQLite gets it too, as text, so both schemas stay one.
        sa.Column(
            "slots",
            postgresql.ARRAY(postgresql.DOUBLE_PRECISION).with_variant(sa.Text(), "sqlite"),
            nullable=False,
        ),
        sa.Column("held_until", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("checked_at", sa.Float(), nullable=False),
        sa.Column("last_at", sa.Float(), nullable=False),
        sa.Column("last_granted", sa.Boolean(), nullable=False),
        prefixes=["UNLOGGED"] if postgres else [],
    )
    op.create_index("ix_rate_logs_expires_at", "rate_logs", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_rate_logs_expires_at", table_name="rate_logs")
    op.drop_table("rate_logs")
